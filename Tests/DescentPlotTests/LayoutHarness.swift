import Foundation

/// Measures a page's charts as headless Chromium lays them out, and reports what a reader would
/// see as broken: text labels that overlap each other, markers and labels cut by the plot area's
/// clip path, and marks cut by the edge of their SVG viewport.
///
/// The boxes come from the browser itself (`getBoundingClientRect()`, in page pixels, after fonts,
/// transforms and nested viewports), read back through `--dump-dom`; nothing is estimated.
enum LayoutHarness {
    /// What the layout check found in one page.
    struct Report: Decodable {
        /// One line per problem, naming the chart, the element and both boxes.
        var problems: [String]
        /// Per top-level chart: how many visible texts and marks were measured (so a test can
        /// tell a check that saw nothing from a clean one).
        var charts: [Chart]
        /// Uncaught errors and console errors of the page.
        var errors: [String]
    }

    /// The measured counts of one chart.
    struct Chart: Decodable {
        var title: String
        var texts: Int
        var marks: Int
        var clippedMarkers: Int
    }

    /// Pixels by which boxes may overlap or stick out before it counts: anti-aliasing and the
    /// rounding of glyph boxes, well under what a reader notices.
    static let tolerance = 1.0

    /// The in-page measurement, run once the page has loaded (before any SMIL animation begins,
    /// so an animated chart is measured in its still state).
    ///
    /// - Texts overlap when their boxes intersect by more than the tolerance in both directions.
    /// - A marker (a circle, a `data-marker` shape) or text inside a clipped group that reaches
    ///   past the clip rectangle is cut by the plot area (one wholly outside is simply not shown).
    /// - Any other visible mark must lie inside its own `<svg>` and the outermost one.
    static let script = """
        <script>addEventListener('load', function () {
          var tolerance = \(tolerance), problems = [], charts = [];
          function box(e) { var r = e.getBoundingClientRect(); return { l: r.left, t: r.top, r: r.right, b: r.bottom, w: r.width, h: r.height }; }
          function fmt(b) { return '[' + [b.l, b.t, b.r, b.b].map(function (v) { return v.toFixed(1); }).join(', ') + ']'; }
          function hidden(e) {
            for (var n = e; n && n.nodeType === 1; n = n.parentNode) {
              var s = getComputedStyle(n);
              if (s.display === 'none' || s.visibility === 'hidden' || Number(s.opacity) === 0) return true;
            }
            return false;
          }
          function describe(e) {
            if (e.tagName === 'text') return 'text "' + e.textContent.trim() + '"';
            var c = e.getAttribute('class'), series = e.closest('g.series');
            return e.tagName + (c ? '.' + c : '') + (e.getAttribute('data-marker') ? ' (' + e.getAttribute('data-marker') + ')' : '')
              + (series ? ' of series "' + series.getAttribute('data-name') + '"' : '');
          }
          function inside(b, c) { return b.l >= c.l - tolerance && b.t >= c.t - tolerance && b.r <= c.r + tolerance && b.b <= c.b + tolerance; }
          function intersects(b, c) { return b.r > c.l && b.l < c.r && b.b > c.t && b.t < c.b; }
          function clipBox(group) {
            var match = /#([^)"']+)/.exec(group.getAttribute('clip-path') || ''), clip = match && document.getElementById(match[1]);
            var rect = clip && clip.querySelector('rect'), matrix = group.getScreenCTM();
            if (!rect || !matrix) return null;
            var x = Number(rect.getAttribute('x')) || 0, y = Number(rect.getAttribute('y')) || 0;
            var w = Number(rect.getAttribute('width')) || 0, h = Number(rect.getAttribute('height')) || 0;
            var p = new DOMPoint(x, y).matrixTransform(matrix), q = new DOMPoint(x + w, y + h).matrixTransform(matrix);
            return { l: Math.min(p.x, q.x), t: Math.min(p.y, q.y), r: Math.max(p.x, q.x), b: Math.max(p.y, q.y) };
          }
          var roots = Array.prototype.filter.call(document.querySelectorAll('svg'), function (s) { return !s.parentElement.closest('svg'); });
          roots.forEach(function (root, index) {
            var title = root.querySelector('title'), name = 'chart ' + index + ' (' + (title ? title.textContent.trim() : 'untitled') + ')';
            var rootBox = box(root), texts = [], marks = 0, clippedMarkers = 0;
            root.querySelectorAll('text, circle, rect, line, path, polyline, polygon, image, ellipse').forEach(function (m) {
              if (m.closest('defs, clipPath, mask, marker, pattern, symbol') || hidden(m)) return;
              var b = box(m);
              if (b.w === 0 && b.h === 0) return;
              if (m.tagName === 'text' && !m.textContent.trim()) return;
              marks += 1;
              var group = m.closest('[clip-path]');
              if (group && root.contains(group)) {
                if (m.tagName !== 'circle' && m.tagName !== 'text' && !m.hasAttribute('data-marker')) return;
                var clip = clipBox(group);
                if (!clip || !intersects(b, clip)) return;
                clippedMarkers += 1;
                if (!inside(b, clip)) problems.push(name + ': ' + describe(m) + ' ' + fmt(b) + ' is cut by the plot area ' + fmt(clip));
                if (m.tagName === 'text') texts.push({ element: m, box: b });
                return;
              }
              if (m.tagName === 'text') texts.push({ element: m, box: b });
              var own = m.ownerSVGElement, views = [rootBox];
              if (own && own !== root) views.push(box(own));
              views.forEach(function (view) {
                if (!inside(b, view)) problems.push(name + ': ' + describe(m) + ' ' + fmt(b) + ' is cut by the SVG viewport ' + fmt(view));
              });
            });
            for (var i = 0; i < texts.length; i++) for (var j = i + 1; j < texts.length; j++) {
              var a = texts[i].box, c = texts[j].box;
              var w = Math.min(a.r, c.r) - Math.max(a.l, c.l), h = Math.min(a.b, c.b) - Math.max(a.t, c.t);
              if (w > tolerance && h > tolerance) problems.push(name + ': ' + describe(texts[i].element) + ' ' + fmt(a) + ' overlaps ' + describe(texts[j].element) + ' ' + fmt(c));
            }
            charts.push({ title: title ? title.textContent.trim() : '', texts: texts.length, marks: marks, clippedMarkers: clippedMarkers });
          });
          if (document.documentElement.scrollWidth > innerWidth + tolerance)
            problems.push('the page is ' + document.documentElement.scrollWidth + ' px wide in a ' + innerWidth + ' px window');
          var out = document.createElement('pre'); out.id = 'descent-layout-check';
          out.textContent = JSON.stringify({ problems: problems, charts: charts, errors: window.__descentErrors || ['error capture did not run'] });
          document.body.appendChild(out);
        });</script>
        """

    /// `svg` (a `--plot` file) as a page of its own, as a browser shows the file.
    static func page(wrapping svg: String) -> String {
        var body = svg
        if body.hasPrefix("<?xml"), let end = body.range(of: "?>") { body = String(body[end.upperBound...]) }
        return "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\"/>\n</head>\n<body style=\"margin: 0\">\n\(body)</body>\n</html>\n"
    }

    /// Loads `html` in headless Chromium in a window `width` pixels wide and measures it.
    static func measure(html: String, width: Int = 1000) throws -> Report {
        guard let executable = BrowserHarness.executable else { throw BrowserHarness.Failure(description: BrowserHarness.skipMessage) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("descent-layout-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var checked = html
        guard let bodyEnd = checked.range(of: "</body>", options: .backwards), let headStart = checked.range(of: "<head>") else {
            throw BrowserHarness.Failure(description: "the page has no <head> or no </body> for the layout check")
        }
        checked.insert(contentsOf: script, at: bodyEnd.lowerBound)
        checked.insert(contentsOf: BrowserHarness.errorCaptureScript, at: headStart.upperBound)
        let page = folder.appendingPathComponent("page.html")
        try Data(checked.utf8).write(to: page)
        let (dom, log) = try BrowserHarness.run(executable, [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--force-device-scale-factor=1",
            "--no-first-run", "--user-data-dir=\(folder.path)/profile", "--window-size=\(width),1000", "--dump-dom", page.absoluteString,
        ], in: folder)
        guard let start = dom.range(of: "<pre id=\"descent-layout-check\">"),
              let end = dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex)
        else { throw BrowserHarness.Failure(description: "the layout check did not run; Chromium printed:\n\(dom.suffix(2000))\n\(log.suffix(2000))") }
        let json = BrowserHarness.unescapeHTML(String(dom[start.upperBound..<end.lowerBound]))
        return try JSONDecoder().decode(Report.self, from: Data(json.utf8))
    }
}
