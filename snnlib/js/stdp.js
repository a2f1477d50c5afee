/* The STDP chapter's explorer view (snnlib/widgets/stdp.py): the learning window of pair-based STDP.
 *
 * Inlined after the runtime (snnlib/widgets/runtime.py: models, plot, explorer) by the explorer's page,
 * it registers SNNExplorer.VIEWS.stdp. compute() is _compute() of stdp.py: the window
 * A+ f+ exp(-dt/tau+) (dt >= 0) and -A- f- exp(dt/tau-) (dt < 0), f+ = w_max - w and f- = w for the
 * multiplicative rule (1 for the additive one), and the spike pairs of measure_window simulated step by
 * step as snnlib.plasticity.stdp_step does (traces added to, decayed by exp(-dt/tau)). notes() and
 * readout() are _notes() and _readout() of stdp.py, character for character (tests/test_stdp_explorer.py).
 */
(function (E, P) {
  "use strict";
  var C = P.COLORS;
  var SPAN = [-100, 100, 401], DOTS = [], W_MAX = 1, ADDITIVE_W0 = 0.5;
  var W_UNUSED = "additive: \u0394w does not depend on w";
  for (var k = -100; k <= 100; k += 10) DOTS.push(k);

  function fixed(x, n) { var s = Math.pow(10, n); return (Math.round(x * s) / s).toFixed(n); }
  function signed(x, n) {
    var s = fixed(Math.abs(x), n);
    if (parseFloat(s) === 0) return "0";
    return (x < 0 ? "\u2212" : "+") + s;
  }
  function factors(v) { return v.rule === "additive" ? [1, 1] : [W_MAX - v.w, v.w]; }
  function window(v, f, x) {
    return x >= 0 ? v.a_plus * Math.exp(-Math.abs(x) / v.tau_plus) * f[0] : -v.a_minus * Math.exp(-Math.abs(x) / v.tau_minus) * f[1];
  }

  /* One synapse, one spike pair delay d steps apart (t_post - t_pre), run through the trace rule. */
  function pair(v, d, w0, span) {
    var n = 2 * span + 2, tPre = span + (d >= 0 ? 0 : -d), tPost = tPre + d;
    var dPre = Math.exp(-1 / v.tau_plus), dPost = Math.exp(-1 / v.tau_minus);
    var w = w0, xPre = 0, xPost = 0;
    for (var t = 0; t < n; t++) {
      var pre = t === tPre ? 1 : 0, post = t === tPost ? 1 : 0;
      xPre = dPre * xPre + pre;
      var before = dPost * xPost;
      var f = v.rule === "additive" ? [1, 1] : [W_MAX - w, w];
      var dw = v.a_plus * f[0] * (xPre * post) - v.a_minus * f[1] * (pre * before);
      w = Math.min(Math.max(w + dw, 0), W_MAX);
      xPost = dPost * xPost + post;
    }
    return w - w0;
  }

  function order(x) { return x > 0 ? "pre before post" : x < 0 ? "post before pre" : "together"; }
  function effect(x) { return x > 0 ? "potentiation" : x < 0 ? "depression" : "no change"; }
  function balance(x) {
    return x > 0 ? "potentiation on balance (LTP wins)" : x < 0 ? "depression on balance (LTD wins)" : "balanced";
  }

  E.VIEWS.stdp = {
    width: 690, height: 300,
    compute: function (v) {
      var f = factors(v), t = [], win = [], measured = [], dots = [];
      for (var i = 0; i < SPAN[2]; i++) {
        var x = SPAN[0] + (SPAN[1] - SPAN[0]) * i / (SPAN[2] - 1);
        t.push(x); win.push(window(v, f, x));
      }
      var w0 = v.rule === "additive" ? ADDITIVE_W0 : v.w, span = 0;
      DOTS.forEach(function (d) { span = Math.max(span, Math.abs(d)); });
      DOTS.forEach(function (d) { dots.push(d); measured.push(pair(v, d, w0, span)); });
      var ltp = v.a_plus * f[0] * v.tau_plus, ltd = v.a_minus * f[1] * v.tau_minus;
      return { t: t, window: win, dots: dots, measured: measured, delta_t: v.delta_t, dw: window(v, f, v.delta_t),
               f_plus: f[0], f_minus: f[1], ltp_area: ltp, ltd_area: ltd, area: ltp - ltd, w0: w0,
               _inactive: v.rule === "additive" ? { w: W_UNUSED } : {} };
    },
    notes: function (v) {
      if (v.rule === "additive") return {};
      return { w: "f\u208a = 1 \u2212 w = " + fixed(1 - v.w, 2) + ", f\u208b = w = " + fixed(v.w, 2) };
    },
    readout: function (d, v) {
      var formula = v.rule === "additive" ? "A\u208a\u03c4\u208a \u2212 A\u208b\u03c4\u208b" : "A\u208a(1 \u2212 w)\u03c4\u208a \u2212 A\u208bw\u03c4\u208b";
      return "At \u0394t = " + signed(d.delta_t, 0) + " ms (" + order(d.delta_t) + "): \u0394w = " + signed(d.dw, 6) +
        " (" + effect(d.dw) + "). Area \u222b\u0394w d\u0394t = " + formula + " = " + fixed(d.ltp_area, 4) + " \u2212 " +
        fixed(d.ltd_area, 4) + " = " + signed(d.area, 4) + " ms: " + balance(d.area) + ".";
    },
    draw: function (fig, d) {
      var L = 72, top = 26, W = fig.width - L - 16, H = fig.height - top - 52;
      var yl = P.extent([d.window, d.measured, [0]], 0.08);
      var a = fig.axes(L, top, W, H, { xlim: [d.t[0], d.t[d.t.length - 1]], ylim: yl, ylabelOffset: 58,
                                       xlabel: "\u0394t = t_post \u2212 t_pre (ms)", ylabel: "weight change \u0394w" });
      var ltpX = [], ltpY = [], ltdX = [], ltdY = [];
      d.t.forEach(function (x, i) { if (x >= 0) { ltpX.push(x); ltpY.push(d.window[i]); } else { ltdX.push(x); ltdY.push(d.window[i]); } });
      [[ltpX, ltpY, C.exc, "snx-ltp"], [ltdX, ltdY, C.inh, "snx-ltd"]].forEach(function (s) {
        if (!s[0].length) return;
        var path = a.line(s[0].concat([s[0][s[0].length - 1], s[0][0]]), s[1].concat([0, 0]), { color: "none", width: 0, cls: s[3] });
        path.setAttribute("fill", s[2]); path.setAttribute("fill-opacity", "0.18");
      });
      a.hline(0, { color: C.zero, dash: "none", width: 1 });
      a.vline(0, { color: C.zero, dash: "none", width: 1 });
      a.line(d.t, d.window, { color: C.spike, width: 1.8, cls: "snx-window" });
      d.dots.forEach(function (x, i) { a.dot(x, d.measured[i], { color: C.accent, r: 3 }).setAttribute("class", "snx-pair"); });
      a.vline(d.delta_t, { color: C.muted, dash: "3 3", width: 1.2 });
      a.dot(d.delta_t, d.dw, { color: C.exc, r: 5.5 }).setAttribute("class", "snx-at");
      a.legend([{ label: "formula", color: C.spike }, { label: "simulated pairs", color: C.accent, swatch: true },
                { label: "at \u0394t", color: C.exc, swatch: true }]);
    }
  };
})(SNNExplorer, SNNPlot);
