/* snnlib kernel-free explorers: reads the controls, runs the model (SNNModels), draws (SNNPlot).
 *
 * The text around the plot (the note beside a control, the read-out under the plot, a control
 * disabled where it changes nothing) is defined once, in Python (snnlib/widgets: Explorer.notes,
 * .readout, .inactive). Views of precomputed frames show it from the frame (_notes, _readout,
 * _inactive); the views that compute here (lif, surrogate) mirror it in notes() and readout(),
 * checked character for character against Python by tests/test_widgets.py.
 *
 * Every explorer on a page is one <div class="snnlib-explorer" id="..."> with its own copy of this
 * code inside a closure, so several explorers on one page never share state. After each redraw the
 * plotted data is published as window.snnlibExplorers[id] = {name, values, data, redraws} (the
 * browser test reads it) and the root element's data-redraws attribute is incremented.
 */
var SNNExplorer = (function (M, P) {
  "use strict";
  var C = P.COLORS;

  /* The element of root whose data-<key> attribute is name (compared as text: a name needs no escaping). */
  function byData(root, key, name) {
    var els = root.querySelectorAll("[data-" + key + "]");
    for (var i = 0; i < els.length; i++) if (els[i].getAttribute("data-" + key) === name) return els[i];
    return null;
  }

  function readValues(root, spec) {
    var v = {};
    spec.controls.forEach(function (c) {
      var input = byData(root, "control", c.name);
      if (c.kind === "slider") {
        v[c.name] = c.integer ? parseInt(input.value, 10) : parseFloat(input.value);
      } else {
        v[c.name] = c.options[input.selectedIndex];
      }
    });
    return v;
  }

  function showValues(root, spec, v, notes, inactive) {
    spec.controls.forEach(function (c) {
      var out = byData(root, "readout", c.name);
      if (out) out.textContent = c.kind === "slider" ? (c.integer ? String(v[c.name]) : P.fmt(v[c.name])) : "";
      var note = byData(root, "note", c.name), text = inactive[c.name] || notes[c.name];
      if (note) note.textContent = text ? "  (" + text + ")" : "";
      var input = byData(root, "control", c.name);
      if (input) input.disabled = !!inactive[c.name];
    });
  }

  /* ---------------------------------------------------------------------------------------------- */
  var VIEWS = {};

  VIEWS.lif = {
    width: 700, height: 470,
    compute: function (v) { return M.lif(v); },
    notes: function (v) {
      var tau = v.beta >= 1 ? "\u221e" : v.beta > 0 ? P.fmt(Math.round(-1 / Math.log(v.beta) * 10) / 10) : "0";
      return { beta: "\u03c4 = " + tau + " steps" };
    },
    draw: function (fig, d, v) {
      var T = d.steps.length, xl = [0, T + 1], L = 70, W = fig.width - L - 20;
      var a1 = fig.axes(L, 26, W, 78, { xlim: xl, ylim: P.extent([d.current, [0]], 0.12), ylabel: "input I",
                                         title: "Input current", noXTickLabels: true, yticks: 3 });
      a1.line(d.steps, d.current, { color: C.current, step: true, cls: "snx-current" });
      var memLim = P.extent([d.mem, [0, d.threshold * 1.15]], 0.06);
      var a2 = fig.axes(L, 136, W, 210, { xlim: xl, ylim: memLim, ylabel: "membrane U",
                                          title: "Membrane potential", noXTickLabels: true, yticks: 6 });
      a2.spans(d.steps, d.blocked, { color: C.refractory });
      a2.hline(d.threshold, { color: C.threshold, cls: "snx-threshold" });
      a2.line(d.steps, d.mem, { color: C.exc, cls: "snx-mem" });
      var entries = [{ label: "membrane U[t]", color: C.exc }, { label: "threshold", color: C.threshold, dash: "6 4" }];
      if (v.refractory > 0) entries.push({ label: "refractory steps", color: C.refractory, swatch: true });
      a2.legend(entries);
      var a3 = fig.axes(L, 378, W, 44, { xlim: xl, ylim: [0, 1], ylabel: "spikes", title: "Output spikes",
                                         xlabel: "time step t", noYTicks: true });
      a3.ticksAt(d.spike_times, 0.1, 0.9, { color: C.spike, width: 1.6, cls: "snx-spikes" });
    },
    readout: function (d, v) {
      var first = d.spike_times.length ? d.spike_times[0] : null;
      var input = d.steps.length - M.INPUT_ONSET;
      return d.n_spikes + " spike" + (d.n_spikes === 1 ? "" : "s") + " in " + d.steps.length + " steps" +
        (first !== null ? "; first spike at t = " + first : "") +
        (d.n_spikes > 1 ? "; mean interval " + P.fmt(Math.round((d.spike_times[d.n_spikes - 1] - first) / (d.n_spikes - 1) * 100) / 100) + " steps" : "") +
        (input > 0 && v.input === "step" && v.beta < 1 ? "; steady state of the input alone I/(1\u2212\u03b2) = " +
          P.fmt(Math.round(v.amplitude / (1 - v.beta) * 1000) / 1000) : "");
    }
  };

  VIEWS.surrogate = {
    width: 720, height: 300,
    notes: function (v) {
      var p = M.SURROGATES[v.surrogate].param;
      return { sharpness: p ? p + " = " + P.fmt(v.sharpness) : "unused" };
    },
    compute: function (v) {
      var d = M.surrogate(v);
      d.at = M.weightGradient(v.surrogate, v.sharpness, v.weight);
      d.weight = v.weight;
      return d;
    },
    draw: function (fig, d, v) {
      var top = 30, h = 200, x0 = 48, gap = 56, w = (fig.width - x0 - 12 - 2 * gap) / 3;
      var a1 = fig.axes(x0, top, w, h, { xlim: [d.u[0], d.u[d.u.length - 1]], ylim: [-0.15, 1.15],
                                         title: "Forward H(u), smooth S\u0303(u)", xlabel: "u = U \u2212 U_thr", ylabelOffset: 36 });
      a1.line(d.u, d.heaviside, { color: C.spike, width: 1.4 });
      a1.line(d.u, d.smooth, { color: C.accent, width: 2, dash: "5 3", cls: "snx-smooth" });
      var dl = P.extent([d.derivative, [0]], 0.08);
      var a2 = fig.axes(x0 + w + gap, top, w, h, { xlim: [d.u[0], d.u[d.u.length - 1]], ylim: dl,
                                                   title: "Backward dS/du", xlabel: "u = U \u2212 U_thr" });
      a2.line(d.u, d.derivative, { color: C.accent, width: 2, cls: "snx-derivative" });
      var gl = P.extent([d.grad, [0]], 0.08);
      var a3 = fig.axes(x0 + 2 * (w + gap), top, w, h, { xlim: [d.w[0], d.w[d.w.length - 1]], ylim: gl,
                                                         title: "Gradient dL/dw at w", xlabel: "weight w" });
      a3.hline(0, { color: C.zero, dash: "none", width: 1 });
      a3.line(d.w, d.grad, { color: C.gradient, width: 2, cls: "snx-grad" });
      a3.vline(d.weight, { color: C.muted, dash: "3 3", width: 1 });
      a3.dot(d.weight, d.at.grad, { color: C.gradient });
    },
    readout: function (d, v) {
      var ex = d.example;
      return "Example: one LIF neuron (\u03b2 = " + ex.beta + ", threshold " + ex.threshold + ") gets w \u00b7 " + ex.x +
        " for " + ex.num_steps + " steps; loss L = (N \u2212 " + ex.target + ")\u00b2 on its spike count N. At w = " +
        P.fmt(v.weight) + ": N = " + d.at.count + ", dL/dw = " + P.fmt(Math.round(d.at.grad * 1e4) / 1e4) +
        (v.surrogate === "none" ? " (the true derivative of the step is zero: nothing to learn from)." : ".");
    }
  };

  /* Precomputed frames (snnlib.widgets.frames.pack_frames): the key is each control's grid index. */
  function frameKey(spec, v) {
    return spec.controls.map(function (c) {
      if (c.kind === "slider") return String(Math.round((v[c.name] - c.min) / c.step));
      return String(c.options.indexOf(v[c.name]));
    }).join("|");
  }

  function unsparse(gaps) {
    var out = new Array(gaps.length), acc = 0;
    for (var i = 0; i < gaps.length; i++) { acc += gaps[i]; out[i] = acc; }
    return out;
  }

  /* Spike record of a frame as {times, ids} lists of on and off spikes (flat index n * T + t). */
  function frameSpikes(f) {
    function split(idx) {
      var t = new Array(idx.length), n = new Array(idx.length);
      for (var i = 0; i < idx.length; i++) { n[i] = Math.floor(idx[i] / f.T); t[i] = idx[i] - n[i] * f.T; }
      return { times: t, ids: n };
    }
    return { on: split(unsparse(f.on)), off: split(unsparse(f.off)) };
  }

  VIEWS.coding = {
    width: 680, height: 330,
    compute: function (v, S, spec) {
      var f = S.frames[frameKey(spec, v)];
      if (!f) throw new Error("no precomputed frame for these settings");
      var sp = frameSpikes(f);
      return { T: f.T, N: f.N, on: sp.on, off: sp.off, decoded: f.decoded.map(function (x) { return x / 100; }),
               x: S.digits[String(v.digit)].map(function (x) { return x / 100; }), n_spikes: f.n_spikes, mae: f.mae,
               rows: f.rows, error: f.error, label: S.labels[String(v.digit)],
               _notes: f._notes, _readout: f._readout, _inactive: f._inactive };
    },
    draw: function (fig, d, v, S) {
      var a = fig.axes(62, 26, fig.width - 62 - 200, 262, { xlim: [-0.5, d.T - 0.5], ylim: [d.N - 0.5, -0.5], xlabel: "time step",
                                          ylabel: d.rows, title: S.levels[v.scheme].label + ": " + d.n_spikes + " spikes",
                                          yticks: 4 });
      a.raster(d.on.times, d.on.ids, { color: C.spike, width: 1.3 });
      a.raster(d.off.times, d.off.ids, { color: C.inh, width: 1.3 });
      if (d.error) a.text(d.T / 2 - 0.5, d.N / 2, "needs more steps", { anchor: "middle", color: C.inh, size: 14 });
      var b1 = fig.axes(fig.width - 140, 26, 120, 120, { xlim: [0, 28], ylim: [28, 0], noXTicks: true, noYTicks: true,
                                             title: "input (a " + d.label + ")" });
      b1.image(d.x, 28, 28, 0, 1);
      var b2 = fig.axes(fig.width - 140, 178, 120, 120, { xlim: [0, 28], ylim: [28, 0], noXTicks: true, noYTicks: true,
                                              title: "decoded" });
      b2.image(d.decoded, 28, 28, 0, 1);
    }
  };

  var KIND_COLORS = C.kinds;

  VIEWS.circuit = {
    width: 700, height: 420,
    compute: function (v, S, spec) {
      var key = frameKey(spec, v), f = S.frames[key];
      if (!f) throw new Error("no precomputed frame for these settings");
      var parts = key.split("|"), pops = {};
      f.populations.forEach(function (p) {
        var rec = p === "input" ? S.inputs[parts[0] + "|" + parts[3]] : f.spikes[p];
        pops[p] = { T: rec.T, N: rec.N, spikes: frameSpikes(rec).on };
      });
      return { populations: f.populations, kinds: f.kinds, pops: pops, rates: f.rates, neuron_rates: f.neuron_rates,
               summary: f.summary, label: S.labels[v.motif] || v.motif,
               _notes: f._notes, _readout: f._readout, _inactive: f._inactive };
    },
    draw: function (fig, d) {
      var total = 0, gap = 26, top = 26, avail = 340 - gap * (d.populations.length - 1);
      d.populations.forEach(function (p) { total += Math.max(d.pops[p].N, 4); });
      var y = top, L = 70, W = fig.width - L - 40 - 160 - 14;
      d.populations.forEach(function (p, i) {
        var rec = d.pops[p], h = avail * Math.max(rec.N, 4) / total, last = i === d.populations.length - 1;
        var a = fig.axes(L, y, W, h, { xlim: [0, rec.T], ylim: [rec.N - 0.5, -0.5], ylabel: p, ylabelOffset: 40,
                                       title: i === 0 ? d.label : null, noXTickLabels: !last, xlabel: last ? "time step" : null,
                                       yticks: 2 });
        a.raster(rec.spikes.times, rec.spikes.ids, { color: KIND_COLORS[d.kinds[p]] || C.spike, width: 1.4, minHalf: 1.5 });
        y += h + gap;
      });
      var maxRate = 0;
      d.populations.forEach(function (p) { maxRate = Math.max(maxRate, d.rates[p]); });
      var b = fig.axes(L + W + 40, top, fig.width - (L + W + 40) - 14, 340, { xlim: [0, Math.max(maxRate * 1.15, 0.05)], ylim: [d.populations.length, 0],
                                                   noYTicks: true, xlabel: "spikes / step", title: "mean rates", xticks: 3 });
      d.populations.forEach(function (p, i) {
        var x0 = b.px(0), x1 = b.px(d.rates[p]), yy = b.py(i + 0.35), hh = b.py(i + 0.85) - yy;
        var r = document.createElementNS("http://www.w3.org/2000/svg", "rect");
        r.setAttribute("x", x0); r.setAttribute("y", yy); r.setAttribute("width", Math.max(0, x1 - x0)); r.setAttribute("height", hh);
        r.setAttribute("fill", KIND_COLORS[d.kinds[p]] || C.spike); r.setAttribute("class", "snx-rate");
        b.plotG.appendChild(r);
        b.text(0.0, i + 0.25, " " + p + ": " + P.fmt(Math.round(d.rates[p] * 1000) / 1000), { size: 11.5 });
      });
    }
  };

  function mount(id, spec, staticData) {
    var root = document.getElementById(id);
    if (!root) return;
    var view = VIEWS[spec.view];
    var plotDiv = root.querySelector(".snx-plot"), readDiv = root.querySelector(".snx-readout");
    var registry = (window.snnlibExplorers = window.snnlibExplorers || {});
    var redraws = 0, pending = false;
    function redraw() {
      pending = false;
      var v = readValues(root, spec);
      showValues(root, spec, v, {}, {});
      var d;
      try {
        d = view.compute(v, staticData, spec);
        var notes = view.notes ? view.notes(v, staticData) : (d._notes || {});
        showValues(root, spec, v, notes, d._inactive || {});
        var fig = new P.Figure(plotDiv, view.width, view.height);
        view.draw(fig, d, v, staticData);
        readDiv.textContent = view.readout ? view.readout(d, v, staticData) : (d._readout || "");
        root.removeAttribute("data-error");
      } catch (err) {
        readDiv.textContent = "Error: " + err.message;
        root.setAttribute("data-error", String(err.message));
      }
      redraws += 1;
      registry[id] = { name: spec.name, values: v, data: d, redraws: redraws };
      root.setAttribute("data-redraws", String(redraws));
    }
    function schedule() {
      if (pending) return;
      pending = true;
      (window.requestAnimationFrame || setTimeout)(redraw);
    }
    Array.prototype.forEach.call(root.querySelectorAll("[data-control]"), function (input) {
      input.addEventListener("input", schedule);
      input.addEventListener("change", schedule);
    });
    var resetBtn = root.querySelector(".snx-reset");
    if (resetBtn) resetBtn.addEventListener("click", function () {
      spec.controls.forEach(function (c) {
        var input = byData(root, "control", c.name);
        if (c.kind === "slider") input.value = c.value; else input.selectedIndex = c.options.indexOf(c.value);
      });
      schedule();
    });
    if (staticData && staticData.zlib) {
      readDiv.textContent = "Loading the precomputed frames\u2026";
      inflate(staticData.zlib).then(function (data) {
        staticData = data; root.__snxStatic = data; redraw();
      }, function (err) {
        readDiv.textContent = "This browser cannot unpack the explorer's data (" + err.message + "); run the notebook instead.";
        root.setAttribute("data-error", String(err.message));
      });
    } else {
      root.__snxStatic = staticData;
      redraw();
    }
  }

  /* zlib-compressed, base64-encoded JSON -> object, with the browser's own DecompressionStream. */
  function inflate(b64) {
    if (typeof DecompressionStream === "undefined") return Promise.reject(new Error("no DecompressionStream"));
    var bin = atob(b64), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).text().then(JSON.parse);
  }

  return { mount: mount, VIEWS: VIEWS, frameKey: frameKey, inflate: inflate };
})(SNNModels, SNNPlot);
