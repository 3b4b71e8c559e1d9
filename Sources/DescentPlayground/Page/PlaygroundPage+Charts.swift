extension PlaygroundPage {
    /// Drawing helpers shared by both views: SVG elements, colours, tick marks, and a line chart
    /// with linear or logarithmic axes.
    static let chartsScript = #"""
    // ---- Drawing helpers -------------------------------------------------------------------
    const SVG_NS = "http://www.w3.org/2000/svg";
    /** One colour per optimizer or run, in order (distinguishable, also in grey print). */
    const PALETTE = ["#2f6fde", "#e8590c", "#2b8a3e", "#ae3ec9", "#c92a2a", "#1098ad", "#f08c00", "#5c940d", "#862e9c", "#495057", "#d6336c", "#364fc7"];
    /** The race's dash pattern and marker per optimizer, in order, as `descent optimize --plot` draws them
     *  (OptimizerPathPlot.appearance(ofRun:)): paths that coincide stay apart, also without colour. */
    const RACE_DASHES = ["", "9 4", "1 4", "10 4 1 4", "5 3"];
    const RACE_MARKERS = ["circle", "square", "triangle", "diamond", "invertedTriangle"];
    /** Every path after the first is translucent, so a later path drawn over an earlier one does not hide it. */
    const LATER_PATH_OPACITY = 0.7;

    /** A marker of `shape` ("circle", "square", "triangle", "diamond", "invertedTriangle") centred on (x, y). */
    function markerElement(shape, x, y, r, attributes, parent) {
      if (shape === "circle") return svgElement("circle", { cx: x, cy: y, r, ...attributes }, parent);
      const corners = { square: [[-0.9, -0.9], [0.9, -0.9], [0.9, 0.9], [-0.9, 0.9]],
                        diamond: [[0, -1.3], [1.3, 0], [0, 1.3], [-1.3, 0]],
                        triangle: [[0, -1.35], [1.2, 0.8], [-1.2, 0.8]],
                        invertedTriangle: [[0, 1.35], [1.2, -0.8], [-1.2, -0.8]] }[shape];
      const d = corners.map(([cx, cy], i) => `${i ? "L" : "M"}${(x + cx * r).toFixed(1)} ${(y + cy * r).toFixed(1)}`).join("") + "Z";
      return svgElement("path", { d, ...attributes }, parent);
    }

    /** Region colours per class: light tints of the same palette. */
    const CLASS_COLORS = [[47, 111, 222], [232, 89, 12], [43, 138, 62], [174, 62, 201], [201, 42, 42], [16, 152, 173], [240, 140, 0], [92, 148, 13], [134, 46, 156], [73, 80, 87]];

    /** Creates an SVG element with attributes, appended to `parent` if given. */
    function svgElement(name, attributes, parent) {
      const element = document.createElementNS(SVG_NS, name);
      for (const [key, value] of Object.entries(attributes || {})) element.setAttribute(key, value);
      if (parent) parent.appendChild(element);
      return element;
    }

    /** A short label for a number: 4 significant digits, exponent form when very large or small. */
    function formatNumber(x) {
      if (x === null || x === undefined || Number.isNaN(x)) return "–";
      if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
      const a = Math.abs(x);
      if (a !== 0 && (a < 1e-3 || a >= 1e5)) return x.toExponential(2);
      return String(Number(x.toPrecision(4)));
    }

    /** About `count` round tick values between `low` and `high` (1, 2, 5 × 10ⁿ steps). */
    function niceTicks(low, high, count) {
      if (!(high > low)) return [low];
      const raw = (high - low) / count, power = Math.pow(10, Math.floor(Math.log10(raw)));
      const step = [1, 2, 5, 10].map(m => m * power).find(s => s >= raw) || raw;
      const ticks = [];
      for (let t = Math.ceil(low / step) * step; t <= high + step * 1e-9; t += step) ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
      return ticks;
    }

    /** Thins a long series for drawing: every k-th point and the last, at most `limit` points. */
    function thin(points, limit) {
      if (points.length <= limit) return points;
      const k = Math.ceil(points.length / limit), out = [];
      for (let i = 0; i < points.length; i += k) out.push(points[i]);
      if (out[out.length - 1] !== points[points.length - 1]) out.push(points[points.length - 1]);
      return out;
    }

    /**
     * Draws a line chart into `svg` (cleared first).
     * spec: { xLabel, yLabel, xLog, yLog, yMin, yMax,
     *         series: [{ label, color, width, dash, points: [[x, y], …], markers: bool }],
     *         marks: [{ x, label, color }] (vertical lines) }
     * Non-finite values and, on a log axis, values ≤ 0 are left out (a diverged loss leaves the chart).
     */
    function drawLineChart(svg, spec) {
      svg.replaceChildren();
      const width = Number(svg.getAttribute("width")), height = Number(svg.getAttribute("height"));
      const margin = { left: 54, right: 12, top: 10, bottom: 34 };
      const fx = spec.xLog ? Math.log10 : (v => v), fy = spec.yLog ? Math.log10 : (v => v);
      const usable = (v, log) => Number.isFinite(v) && (!log || v > 0);
      const series = spec.series.map(s => Object.assign({}, s, { points: thin(s.points.filter(p => usable(p[0], spec.xLog) && usable(p[1], spec.yLog)), 1500) }));
      const xs = series.flatMap(s => s.points.map(p => fx(p[0]))), ys = series.flatMap(s => s.points.map(p => fy(p[1])));
      let x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = spec.yMin !== undefined ? fy(spec.yMin) : Math.min(...ys), y1 = spec.yMax !== undefined ? fy(spec.yMax) : Math.max(...ys);
      if (!Number.isFinite(x0)) { x0 = 0; x1 = 1; }
      if (!Number.isFinite(y0) || !Number.isFinite(y1)) { y0 = 0; y1 = 1; }
      if (x1 === x0) x1 = x0 + 1;
      if (y1 === y0) { const pad = Math.abs(y0) / 2 || 0.5; y0 -= pad; y1 += pad; }  // a constant: centred, not a flat line on the edge
      const sx = v => margin.left + (fx(v) - x0) / (x1 - x0) * (width - margin.left - margin.right);
      const sy = v => height - margin.bottom - (fy(v) - y0) / (y1 - y0) * (height - margin.top - margin.bottom);
      const axes = svgElement("g", { class: "axes" }, svg);
      const yTicks = spec.yLog ? niceTicks(Math.floor(y0), Math.ceil(y1), 5).filter(t => t >= y0 && t <= y1).map(t => Math.pow(10, t)) : niceTicks(y0, y1, 5);
      const xTicks = spec.xLog ? niceTicks(Math.floor(x0), Math.ceil(x1), 6).filter(t => t >= x0 && t <= x1).map(t => Math.pow(10, t)) : niceTicks(x0, x1, 6);
      for (const t of yTicks) {
        svgElement("line", { x1: margin.left, x2: width - margin.right, y1: sy(t), y2: sy(t), stroke: "#eef1f4" }, axes);
        svgElement("text", { x: margin.left - 4, y: sy(t) + 4, "text-anchor": "end" }, axes).textContent = formatNumber(t);
      }
      for (const t of xTicks) {
        svgElement("line", { x1: sx(t), x2: sx(t), y1: margin.top, y2: height - margin.bottom, stroke: "#eef1f4" }, axes);
        svgElement("text", { x: sx(t), y: height - margin.bottom + 14, "text-anchor": "middle" }, axes).textContent = formatNumber(t);
      }
      svgElement("rect", { x: margin.left, y: margin.top, width: width - margin.left - margin.right, height: height - margin.top - margin.bottom, fill: "none", stroke: "#9aa5b1" }, axes);
      if (spec.xLabel) svgElement("text", { x: (width + margin.left) / 2, y: height - 4, "text-anchor": "middle" }, axes).textContent = spec.xLabel;
      if (spec.yLabel) svgElement("text", { x: 12, y: margin.top + (height - margin.top - margin.bottom) / 2, "text-anchor": "middle", transform: `rotate(-90 12 ${margin.top + (height - margin.top - margin.bottom) / 2})` }, axes).textContent = spec.yLabel;
      const clipId = "clip-" + svg.id;
      const clip = svgElement("clipPath", { id: clipId }, svgElement("defs", {}, svg));
      svgElement("rect", { x: margin.left, y: margin.top, width: width - margin.left - margin.right, height: height - margin.top - margin.bottom }, clip);
      for (const s of series) {
        const group = svgElement("g", { class: "series", "data-label": s.label, "clip-path": `url(#${clipId})` }, svg);
        if (s.points.length === 0) continue;
        svgElement("polyline", { points: s.points.map(p => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(" "), fill: "none", stroke: s.color, "stroke-width": s.width || 1.5, "stroke-dasharray": s.dash || "", opacity: s.opacity || 1 }, group);
        if (s.markers) for (const p of s.points) svgElement("circle", { cx: sx(p[0]), cy: sy(p[1]), r: 2.5, fill: s.color }, group);
      }
      for (const mark of spec.marks || []) {
        if (!usable(mark.x, spec.xLog)) continue;
        svgElement("line", { x1: sx(mark.x), x2: sx(mark.x), y1: margin.top, y2: height - margin.bottom, stroke: mark.color, "stroke-dasharray": "4 3" }, svg);
        svgElement("text", { x: sx(mark.x) + 3, y: margin.top + 12, fill: mark.color, style: `fill:${mark.color}` }, svg).textContent = mark.label;
      }
      return { sx, sy };
    }
    """#
}
