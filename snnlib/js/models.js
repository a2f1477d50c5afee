/* snnlib kernel-free models: the same equations as snnlib (Python), in plain JavaScript.
 *
 * Used two ways:
 *   - inlined into every explorer of the rendered book (snnlib/widgets/runtime.py), where it runs in the
 *     reader's browser with no kernel and no network;
 *   - loaded by Node in the test suite (tests/test_widgets.py), which checks that it produces the
 *     same spikes as snnlib exactly and the same membranes to float tolerance.
 *
 * Arithmetic is IEEE double precision, operation for operation in the same order as snnlib's
 * float64 computation, so that spikes agree bit for bit.
 */
var SNNModels = (function () {
  "use strict";

  /* ---- a small seeded generator (mulberry32), mirrored by snnlib.widgets.mulberry32 ---------- */
  function mulberry32(seed) {
    var a = seed | 0;
    return function () {
      a = (a + 0x6D2B79F5) | 0;
      var t = Math.imul(a ^ (a >>> 15), a | 1);
      t = (t + Math.imul(t ^ (t >>> 7), t | 61)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /* ---- LIF explorer: the input current I[1..T] (array index k = 0..T-1) --------------------- */
  var INPUT_ONSET = 10;
  var NOISE_SEED = 1;

  function lifInput(shape, amplitude, numSteps) {
    var T = numSteps, cur = new Array(T), k;
    if (shape === "step") {
      for (k = 0; k < T; k++) cur[k] = k >= INPUT_ONSET ? amplitude : 0;
    } else if (shape === "pulse") {
      var stop = INPUT_ONSET + Math.floor((T - INPUT_ONSET) / 2);
      for (k = 0; k < T; k++) cur[k] = (k >= INPUT_ONSET && k < stop) ? amplitude : 0;
    } else if (shape === "ramp") {
      for (k = 0; k < T; k++) cur[k] = T > 1 ? amplitude * k / (T - 1) : 0;
    } else if (shape === "noisy") {
      var rand = mulberry32(NOISE_SEED);
      for (k = 0; k < T; k++) {
        var u = rand();
        cur[k] = k >= INPUT_ONSET ? amplitude * (2 * u) : 0;
      }
    } else {
      throw new Error("unknown input shape " + shape + ": expected step, pulse, ramp or noisy");
    }
    return cur;
  }

  /* ---- the discrete LIF neuron (see LIF_SEMANTICS / snnlib.neurons) ---------------------------
   *   R = spike emitted at the previous step; with refractory K, after a spike at step t the
   *   steps t+1..t+K receive no input and emit no spike (the membrane still decays and the reset
   *   applies at t+1).
   *   subtract: U = beta*U + I - R*theta;  zero: U = beta*((1-R)*U) + I;  none: U = beta*U + I
   *   S = U - theta > 0 ? 1 : 0
   */
  function lifRun(cur, p) {
    var beta = p.beta, thr = p.threshold, reset = p.reset || "subtract";
    var K = p.refractory | 0;
    if (!(beta >= 0 && beta <= 1)) throw new Error("beta must lie in [0, 1], got " + beta);
    if (!(thr > 0)) throw new Error("threshold must be > 0, got " + thr);
    if (reset !== "subtract" && reset !== "zero" && reset !== "none") throw new Error("unknown reset " + reset);
    var T = cur.length, mem = new Array(T), spk = new Array(T), blockedRec = new Array(T);
    var U = 0, prevS = 0, left = 0;
    for (var k = 0; k < T; k++) {
      var R = prevS;
      if (R > 0 && K > 0) left = K;
      var blocked = left > 0;
      var I = blocked ? 0 : cur[k];
      if (reset === "subtract") U = beta * U + I - R * thr;
      else if (reset === "zero") U = beta * ((1 - R) * U) + I;
      else U = beta * U + I;
      var S = (!blocked && U - thr > 0) ? 1 : 0;
      if (blocked) left -= 1;
      mem[k] = U; spk[k] = S; blockedRec[k] = blocked ? 1 : 0;
      prevS = S;
    }
    return { mem: mem, spk: spk, blocked: blockedRec };
  }

  function lifExplorer(v) {
    var T = v.num_steps | 0;
    var cur = lifInput(v.input, v.amplitude, T);
    var r = lifRun(cur, { beta: v.beta, threshold: v.threshold, reset: v.reset, refractory: v.refractory });
    var times = [], steps = new Array(T);
    for (var k = 0; k < T; k++) { steps[k] = k + 1; if (r.spk[k]) times.push(k + 1); }
    return { steps: steps, current: cur, mem: r.mem, spk: r.spk, blocked: r.blocked,
             spike_times: times, n_spikes: times.length, threshold: v.threshold };
  }

  /* ---- surrogate gradients ---------------------------------------------------------------------
   * For u = U - U_thr and sharpness k: smooth(u, k) is the function whose derivative the backward
   * pass uses; derivative(u, k) is that derivative. Forward is always H(u) = u > 0.
   */
  function sigmoid(x) { return 1 / (1 + Math.exp(-x)); }
  var SURROGATES = {
    arctan: {
      param: "alpha",
      smooth: function (u, k) { return Math.atan(Math.PI / 2 * k * u) / Math.PI + 0.5; },
      derivative: function (u, k) { var z = Math.PI / 2 * k * u; return (k / 2) / (1 + z * z); }
    },
    fast_sigmoid: {
      param: "slope",
      smooth: function (u, k) { return 1 / k + u / (1 + k * Math.abs(u)); },
      derivative: function (u, k) { var d = 1 + k * Math.abs(u); return 1 / (d * d); }
    },
    sigmoid: {
      param: "slope",
      smooth: function (u, k) { return sigmoid(k * u); },
      derivative: function (u, k) { var s = sigmoid(k * u); return k * s * (1 - s); }
    },
    triangle: {
      param: "sharpness",
      smooth: function (u, k) {
        var z = k * u;
        if (z <= -1) return 0;
        if (z >= 1) return 1;
        return z < 0 ? 0.5 * (1 + z) * (1 + z) : 1 - 0.5 * (1 - z) * (1 - z);
      },
      derivative: function (u, k) { return k * Math.max(0, 1 - k * Math.abs(u)); }
    },
    straight_through: {
      param: "window",
      smooth: function (u, k) { return isFinite(k) ? Math.min(Math.max(u, -k), k) + k : u + 0.5; },
      derivative: function (u, k) { return isFinite(k) ? (Math.abs(u) <= k ? 1 : 0) : 1; }
    },
    none: {
      param: "",
      smooth: function (u, k) { return u > 0 ? 1 : 0; },
      derivative: function (u, k) { return 0; }
    }
  };

  function surrogate(name) {
    var s = SURROGATES[name];
    if (!s) throw new Error("unknown surrogate " + name);
    return s;
  }

  /* The small example of the surrogate explorer: one LIF neuron (beta, threshold 1, reset by
   * subtraction, detached) driven by a constant input x through a weight w for T steps; the loss
   * is L = (N - N_target)^2 with N the spike count. By forward-mode differentiation (the reset is
   * detached, so dU[t]/dw = beta dU[t-1]/dw + x):
   *   dL/dw = 2 (N - N_target) * sum_t dS/du(U[t] - thr) * dU[t]/dw.
   */
  var GRAD_EXAMPLE = { beta: 0.9, threshold: 1.0, x: 0.5, num_steps: 20, target: 4 };

  function weightGradient(name, k, w, ex) {
    ex = ex || GRAD_EXAMPLE;
    var s = surrogate(name), beta = ex.beta, thr = ex.threshold;
    var U = 0, dU = 0, prevS = 0, N = 0, acc = 0;
    for (var t = 0; t < ex.num_steps; t++) {
      U = beta * U + w * ex.x - prevS * thr;
      dU = beta * dU + ex.x;
      var S = U - thr > 0 ? 1 : 0;
      N += S;
      acc += s.derivative(U - thr, k) * dU;
      prevS = S;
    }
    return { grad: 2 * (N - ex.target) * acc, count: N, loss: (N - ex.target) * (N - ex.target) };
  }

  function linspace(a, b, n) {
    var out = new Array(n);
    for (var i = 0; i < n; i++) out[i] = a + (b - a) * i / (n - 1);
    return out;
  }

  var SURROGATE_U = { lo: -2, hi: 2, n: 401 };
  var SURROGATE_W = { lo: 0, hi: 1.5, n: 301 };

  function surrogateExplorer(v) {
    var s = surrogate(v.surrogate), k = v.sharpness;
    var u = linspace(SURROGATE_U.lo, SURROGATE_U.hi, SURROGATE_U.n);
    var smooth = u.map(function (x) { return s.smooth(x, k); });
    var deriv = u.map(function (x) { return s.derivative(x, k); });
    var step = u.map(function (x) { return x > 0 ? 1 : 0; });
    var w = linspace(SURROGATE_W.lo, SURROGATE_W.hi, SURROGATE_W.n);
    var grad = new Array(w.length), count = new Array(w.length), loss = new Array(w.length);
    for (var i = 0; i < w.length; i++) {
      var g = weightGradient(v.surrogate, k, w[i]);
      grad[i] = g.grad; count[i] = g.count; loss[i] = g.loss;
    }
    return { u: u, smooth: smooth, derivative: deriv, heaviside: step, w: w, grad: grad, count: count,
             loss: loss, example: GRAD_EXAMPLE };
  }

  return {
    mulberry32: mulberry32,
    lifInput: lifInput,
    lifRun: lifRun,
    lif: lifExplorer,
    SURROGATES: SURROGATES,
    surrogate: surrogateExplorer,
    weightGradient: weightGradient,
    GRAD_EXAMPLE: GRAD_EXAMPLE,
    SURROGATE_U: SURROGATE_U,
    SURROGATE_W: SURROGATE_W,
    linspace: linspace,
    INPUT_ONSET: INPUT_ONSET,
    NOISE_SEED: NOISE_SEED
  };
})();
if (typeof module !== "undefined" && module.exports) { module.exports = SNNModels; }
