/* The "From ANN to SNN" explorer's view (snnlib/widgets/conversion.py): accuracy against the number of
 * time steps over the precomputed results of python -m snnlib.conversion.
 *
 * Inlined after the runtime (snnlib/widgets/runtime.py: models, plot, explorer) by the explorer's page,
 * it registers SNNExplorer.VIEWS.conversion. The data (S) is conversion_grid(results); the controls'
 * values are indices for the sliders over stops (StopSlider: percentile, steps). notes() and readout()
 * are _notes() and _readout() of conversion.py, character for character (tests/test_conversion_explorer.py).
 */
(function (E, P) {
  "use strict";
  var C = P.COLORS, NS = "http://www.w3.org/2000/svg";
  var RESET_TEXT = { subtract: "by subtraction", zero: "to zero" };
  var NO_PERCENTILE = "no normalisation: \u03bb = 1 in every layer";

  function fixed(x, n) { var s = Math.pow(10, n); return (Math.round(x * s) / s).toFixed(n); }

  function settings(v, S) {
    var p = v.percentile;
    if (p === undefined) {  /* no percentile slider: one percentile (or none) measured */
      p = 0;
      S.percentiles.forEach(function (q, i) { if (q.name === "p99.9") p = i; });
    }
    var norm = v.method === "none" ? "none" : S.percentiles[p].name;
    return { p: p, norm: norm };
  }

  function ylim(d) {
    var shown = [], lo = Infinity, hi = -Infinity;
    Object.keys(d.curves).forEach(function (k) { if (k !== "none") shown.push(d.curves[k]); });
    shown.push(d.curves[d.normalisation]); shown.push([d.ann_accuracy]);
    shown.forEach(function (c) { c.forEach(function (x) { lo = Math.min(lo, x); hi = Math.max(hi, x); }); });
    lo *= 100; hi *= 100;
    var pad = Math.max(hi - lo, 0.5) * 0.08;
    return [lo - pad, hi + pad];
  }

  E.VIEWS.conversion = {
    width: 690, height: 300,
    compute: function (v, S) {
      var g = S.results[v.net];
      if (!g) throw new Error("no results for the network " + v.net);
      var s = settings(v, S), i = v.steps, curves = {};
      Object.keys(g.curves).forEach(function (k) { curves[k] = g.curves[k][v.reset].accuracy; });
      var c = g.curves[s.norm][v.reset], acc = c.accuracy[i];
      return { net: v.net, reset: v.reset, normalisation: s.norm, num_steps: g.num_steps, curves: curves,
               T: g.num_steps[i], accuracy: acc, ann_accuracy: g.ann_accuracy,
               gap_points: 100 * (acc - g.ann_accuracy), spikes_per_image: c.spikes[i], num_test: g.num_test,
               _inactive: v.method === "none" && S.percentiles.length > 1 ? { percentile: NO_PERCENTILE } : {} };
    },
    notes: function (v, S) {
      if (v.method === "none") return {};
      var scales = S.results[v.net].scales[settings(v, S).norm];
      return scales ? { percentile: "\u03bb = " + scales.map(function (x) { return P.fmt(Math.round(x * 100) / 100); }).join(", ") } : {};
    },
    readout: function (d, v, S) {
      var gap = fixed(d.gap_points, 2);
      var norm = d.normalisation === "none" ? "no normalisation" : S.percentiles[settings(v, S).p].text;
      return S.labels[d.net] + ", " + norm + ", reset " + RESET_TEXT[d.reset] + ", T = " + d.T + ": SNN " +
        fixed(100 * d.accuracy, 2) + " %, ANN " + fixed(100 * d.ann_accuracy, 2) + " %, gap " +
        (gap.charAt(0) === "-" ? "" : "+") + gap + " points; " + String(Math.round(d.spikes_per_image)) +
        " spikes per image (" + d.num_test + " test images).";
    },
    draw: function (fig, d, v, S) {
      /* The sliders over stops show their stop's label, not its index. */
      var root = fig.svg.parentNode && fig.svg.parentNode.parentNode;
      if (root && root.querySelectorAll) {
        Array.prototype.forEach.call(root.querySelectorAll("output[data-readout]"), function (out) {
          var name = out.getAttribute("data-readout"), stops = { percentile: S.percentiles.map(function (p) { return p.label; }),
                                                               steps: S.num_steps.map(String) }[name];
          if (stops && v[name] !== undefined) out.textContent = stops[v[name]];
        });
      }
      var xs = d.num_steps.map(function (t) { return Math.log(t) / Math.LN2; });
      var L = 62, top = 26, W = fig.width - L - 16, H = fig.height - top - 52;
      var a = fig.axes(L, top, W, H, { xlim: [xs[0] - 0.25, xs[xs.length - 1] + 0.25], ylim: ylim(d), noXTickLabels: true,
                                       xticks: xs.length, xlabel: "time steps T", ylabel: "test accuracy (%)", yticks: 5 });
      xs.forEach(function (x, i) {
        var t = document.createElementNS(NS, "text");
        t.setAttribute("x", a.px(x)); t.setAttribute("y", top + H + 16); t.setAttribute("text-anchor", "middle");
        t.setAttribute("fill", C.muted); t.textContent = String(d.num_steps[i]);
        a.g.appendChild(t);
      });
      function pct(c) { return c.map(function (x) { return 100 * x; }); }
      Object.keys(d.curves).forEach(function (k) {
        a.line(xs, pct(d.curves[k]), { color: C.zero, width: 1.2, cls: "snx-curve" });
      });
      a.hline(100 * d.ann_accuracy, { color: C.threshold, cls: "snx-ann" });
      a.line(xs, pct(d.curves[d.normalisation]), { color: C.exc, width: 2.4, cls: "snx-chosen" });
      var dot = a.dot(Math.log(d.T) / Math.LN2, 100 * d.accuracy, { color: C.accent, r: 5.5 });
      dot.setAttribute("class", "snx-at");
      a.legend([{ label: "chosen", color: C.exc }, { label: "other normalisations", color: C.zero },
                { label: "ANN", color: C.threshold, dash: "6 4" }, { label: "at T", color: C.accent, swatch: true }]);
    }
  };
})(SNNExplorer, SNNPlot);
