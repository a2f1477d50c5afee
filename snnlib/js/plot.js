/* snnlib kernel-free plotting: a few hand-written SVG primitives (axes, lines, rasters, images).
 * No library, no network. Inlined into every explorer by snnlib/widgets/runtime.py, after the
 * book's colours: SNNPalette, written from snnlib/plot/palette.py (BROWSER).
 */
var SNNPlot = (function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var COLORS = SNNPalette;

  function el(tag, attrs, parent) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }

  function fmt(v) {
    if (v === 0) return "0";
    var a = Math.abs(v);
    if (a >= 1e4 || a < 1e-3) return v.toExponential(1);
    return String(Math.round(v * 1e6) / 1e6);
  }

  /* "Nice" tick values covering [lo, hi], about n of them. */
  function ticks(lo, hi, n) {
    if (!(hi > lo)) return [lo];
    var span = hi - lo, step = Math.pow(10, Math.floor(Math.log(span / n) / Math.LN10));
    var err = n / span * step;
    if (err <= 0.15) step *= 10; else if (err <= 0.35) step *= 5; else if (err <= 0.75) step *= 2;
    var out = [], start = Math.ceil(lo / step - 1e-9) * step;
    for (var v = start; v <= hi + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
    return out;
  }

  function extent(arrays, pad) {
    var lo = Infinity, hi = -Infinity;
    arrays.forEach(function (a) {
      for (var i = 0; i < a.length; i++) { var x = a[i]; if (isFinite(x)) { if (x < lo) lo = x; if (x > hi) hi = x; } }
    });
    if (!isFinite(lo)) { lo = 0; hi = 1; }
    if (hi - lo < 1e-12) { var c = lo; lo = c - 0.5; hi = c + 0.5; }
    var p = (hi - lo) * (pad === undefined ? 0.05 : pad);
    return [lo - p, hi + p];
  }

  /* A figure: an <svg> with a viewBox, scaled to the container's width. */
  function Figure(container, width, height) {
    container.innerHTML = "";
    this.width = width; this.height = height;
    this.svg = el("svg", { viewBox: "0 0 " + width + " " + height, width: "100%", role: "img",
                           preserveAspectRatio: "xMidYMid meet", "font-family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
                           "font-size": "12" }, null);
    this.svg.style.display = "block";
    this.svg.style.maxWidth = width + "px";
    this.svg.style.height = "auto";
    container.appendChild(this.svg);
  }

  /* Axes at (x, y) of size (w, h) in figure units, with data limits xlim / ylim. */
  Figure.prototype.axes = function (x, y, w, h, o) {
    return new Axes(this, x, y, w, h, o || {});
  };

  function Axes(fig, x, y, w, h, o) {
    this.fig = fig; this.x = x; this.y = y; this.w = w; this.h = h;
    this.xlim = o.xlim || [0, 1]; this.ylim = o.ylim || [0, 1];
    var g = this.g = el("g", {}, fig.svg);
    var clipId = "c" + Math.random().toString(36).slice(2, 10);
    var defs = el("defs", {}, g);
    var cp = el("clipPath", { id: clipId }, defs);
    el("rect", { x: x, y: y - 1, width: w, height: h + 2 }, cp);
    el("rect", { x: x, y: y, width: w, height: h, fill: COLORS.background, stroke: "none" }, g);
    var self = this;
    if (!o.noYTicks) {
      ticks(Math.min(this.ylim[0], this.ylim[1]), Math.max(this.ylim[0], this.ylim[1]), o.yticks || Math.max(2, Math.round(h / 40))).forEach(function (t) {
        var py = self.py(t);
        el("line", { x1: x, x2: x + w, y1: py, y2: py, stroke: COLORS.grid, "stroke-width": 1 }, g);
        var tx = el("text", { x: x - 6, y: py + 4, "text-anchor": "end", fill: COLORS.muted }, g);
        tx.textContent = fmt(t);
      });
    }
    if (!o.noXTicks) {
      ticks(Math.min(this.xlim[0], this.xlim[1]), Math.max(this.xlim[0], this.xlim[1]), o.xticks || Math.max(2, Math.round(w / 80))).forEach(function (t) {
        var px = self.px(t);
        el("line", { x1: px, x2: px, y1: y + h, y2: y + h + 4, stroke: COLORS.muted }, g);
        if (!o.noXTickLabels) {
          var tx = el("text", { x: px, y: y + h + 16, "text-anchor": "middle", fill: COLORS.muted }, g);
          tx.textContent = fmt(t);
        }
      });
    }
    el("rect", { x: x, y: y, width: w, height: h, fill: "none", stroke: COLORS.frame, "stroke-width": 1 }, g);
    if (o.xlabel) { var xl = el("text", { x: x + w / 2, y: y + h + 32, "text-anchor": "middle", fill: COLORS.text }, g); xl.textContent = o.xlabel; }
    if (o.ylabel) {
      var yl = el("text", { x: 0, y: 0, "text-anchor": "middle", fill: COLORS.text,
                            transform: "translate(" + (x - (o.ylabelOffset || 42)) + "," + (y + h / 2) + ") rotate(-90)" }, g);
      yl.textContent = o.ylabel;
    }
    if (o.title) { var tt = el("text", { x: x, y: y - 7, fill: COLORS.text, "font-weight": "600" }, g); tt.textContent = o.title; }
    this.plotG = el("g", { "clip-path": "url(#" + clipId + ")" }, g);
  }

  Axes.prototype.px = function (v) { return this.x + (v - this.xlim[0]) / (this.xlim[1] - this.xlim[0]) * this.w; };
  Axes.prototype.py = function (v) { return this.y + this.h - (v - this.ylim[0]) / (this.ylim[1] - this.ylim[0]) * this.h; };

  function r2(v) { return Math.round(v * 100) / 100; }

  Axes.prototype.line = function (xs, ys, s) {
    s = s || {};
    var d = "", pen = false;
    for (var i = 0; i < xs.length; i++) {
      if (!isFinite(ys[i])) { pen = false; continue; }
      var px = r2(this.px(xs[i])), py = r2(this.py(Math.max(Math.min(ys[i], 1e6), -1e6)));
      if (s.step && pen) d += "H" + px + "V" + py; else d += (pen ? "L" : "M") + px + " " + py;
      pen = true;
    }
    return el("path", { d: d, fill: "none", stroke: s.color || COLORS.exc, "stroke-width": s.width || 1.6,
                        "stroke-dasharray": s.dash || "none", "stroke-linejoin": "round", "class": s.cls || "" }, this.plotG);
  };

  Axes.prototype.hline = function (y, s) {
    s = s || {};
    return el("line", { x1: this.x, x2: this.x + this.w, y1: this.py(y), y2: this.py(y), stroke: s.color || COLORS.threshold,
                        "stroke-width": s.width || 1.3, "stroke-dasharray": s.dash || "6 4", "class": s.cls || "" }, this.plotG);
  };

  Axes.prototype.vline = function (x, s) {
    s = s || {};
    return el("line", { y1: this.y, y2: this.y + this.h, x1: this.px(x), x2: this.px(x), stroke: s.color || COLORS.threshold,
                        "stroke-width": s.width || 1.3, "stroke-dasharray": s.dash || "6 4" }, this.plotG);
  };

  /* Vertical ticks at xs, from data y0 to y1 (spike marks). */
  Axes.prototype.ticksAt = function (xs, y0, y1, s) {
    s = s || {};
    var d = "", a = this.py(y0), b = this.py(y1);
    for (var i = 0; i < xs.length; i++) { var px = r2(this.px(xs[i])); d += "M" + px + " " + r2(a) + "V" + r2(b); }
    return el("path", { d: d, stroke: s.color || COLORS.spike, "stroke-width": s.width || 1.5, fill: "none", "class": s.cls || "" }, this.plotG);
  };

  /* Raster: spike k of neuron ids[k] at times[k]; rows are neurons 0..n-1 drawn top to bottom. */
  Axes.prototype.raster = function (times, ids, s) {
    s = s || {};
    var d = "", half = Math.max(s.minHalf || 1.2, Math.abs(this.py(0) - this.py(1)) * 0.42);
    for (var k = 0; k < times.length; k++) {
      var px = r2(this.px(times[k])), py = this.py(ids[k]);
      d += "M" + px + " " + r2(py - half) + "V" + r2(py + half);
    }
    return el("path", { d: d, stroke: s.color || COLORS.spike, "stroke-width": s.width || 1.2, fill: "none" }, this.plotG);
  };

  /* A filled band between y=0 and ys where mask is set (e.g. refractory steps). */
  Axes.prototype.spans = function (xs, mask, s) {
    s = s || {};
    var dx = xs.length > 1 ? xs[1] - xs[0] : 1;
    for (var i = 0; i < xs.length; i++) {
      if (!mask[i]) continue;
      var j = i; while (j + 1 < xs.length && mask[j + 1]) j++;
      var a = this.px(xs[i] - dx / 2), b = this.px(xs[j] + dx / 2);
      el("rect", { x: r2(a), y: this.y, width: r2(b - a), height: this.h, fill: s.color || COLORS.refractory, stroke: "none" }, this.plotG);
      i = j;
    }
  };

  Axes.prototype.dot = function (x, y, s) {
    s = s || {};
    return el("circle", { cx: this.px(x), cy: this.py(y), r: s.r || 4, fill: s.color || COLORS.accent, stroke: COLORS.background, "stroke-width": 1 }, this.plotG);
  };

  /* A grey-scale image of an array (rows x cols, values in [lo, hi]) filling the axes. */
  Axes.prototype.image = function (values, rows, cols, lo, hi, s) {
    s = s || {};
    var cw = this.w / cols, ch = this.h / rows;
    for (var r = 0; r < rows; r++) for (var c = 0; c < cols; c++) {
      var v = values[r * cols + c], t = hi > lo ? Math.max(0, Math.min(1, (v - lo) / (hi - lo))) : 0;
      var g = Math.round(255 * (1 - t));
      if (s.invert === false) g = 255 - g;
      el("rect", { x: r2(this.x + c * cw), y: r2(this.y + r * ch), width: r2(cw + 0.3), height: r2(ch + 0.3),
                   fill: "rgb(" + g + "," + g + "," + g + ")" }, this.plotG);
    }
  };

  Axes.prototype.text = function (x, y, str, s) {
    s = s || {};
    var t = el("text", { x: this.px(x), y: this.py(y), fill: s.color || COLORS.text, "text-anchor": s.anchor || "start",
                         "font-size": s.size || 12 }, this.plotG);
    t.textContent = str;
    return t;
  };

  /* A legend above the axes, right-aligned: entries [{label, color, dash, swatch}] (swatch: a filled box). */
  Axes.prototype.legend = function (entries) {
    var g = el("g", {}, this.g), x = this.x + this.w, y = this.y - 8;
    for (var i = entries.length - 1; i >= 0; i--) {
      var e = entries[i];
      var t = el("text", { x: x, y: y + 4, fill: COLORS.text, "font-size": 11.5, "text-anchor": "end" }, g);
      t.textContent = e.label;
      var w = t.getComputedTextLength ? t.getComputedTextLength() : e.label.length * 6.5;
      if (!(w > 0)) w = e.label.length * 6.5;
      x -= w + 6;
      if (e.swatch) el("rect", { x: x - 14, y: y - 5, width: 14, height: 10, fill: e.color, stroke: "none" }, g);
      else el("line", { x1: x - 22, x2: x, y1: y, y2: y, stroke: e.color, "stroke-width": 2, "stroke-dasharray": e.dash || "none" }, g);
      x -= (e.swatch ? 14 : 22) + 16;
    }
  };

  return { Figure: Figure, ticks: ticks, extent: extent, COLORS: COLORS, fmt: fmt };
})();
if (typeof module !== "undefined" && module.exports) { module.exports = SNNPlot; }
