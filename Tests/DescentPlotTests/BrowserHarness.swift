import Foundation
@testable import DescentPlot

/// Renders HTML pages in headless Chromium (Debian's `chromium` package) and reports what a
/// reader would see: each chart's size on the page, how many of its marks have an extent, how
/// much ink it puts on the screenshot, and any error the page raised or logged.
enum BrowserHarness {
    /// The Chromium executable: `$DESCENT_CHROMIUM`, or the first of the usual install paths.
    static let executable: String? = {
        let candidates = [ProcessInfo.processInfo.environment["DESCENT_CHROMIUM"]].compactMap { $0 }
            + ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Whether the browser tests run: always in CI (`CI` set), where a missing browser must fail
    /// the test instead of skipping it; elsewhere only when Chromium is installed.
    static let shouldRun = executable != nil || ProcessInfo.processInfo.environment["CI"] != nil

    /// Why the tests were skipped, and how to run them.
    static let skipMessage = "headless Chromium not found: install it with `apt-get install -y --no-install-recommends chromium` "
        + "(Debian/Ubuntu; .ci/run does this) or point DESCENT_CHROMIUM at a Chromium or Chrome binary"

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// One top-level `<svg>` as laid out in the page.
    struct ChartLayout: Decodable {
        var left: Double, top: Double, width: Double, height: Double
        /// Graphic elements (paths, circles, rectangles, lines, images, texts) with a non-empty box.
        var drawnMarks: Int
        /// `<g class="series">` groups.
        var series: Int
    }

    /// What the in-page check found once the page had loaded.
    struct PageReport: Decodable {
        var charts: [ChartLayout]
        /// Uncaught exceptions, failed resource loads, `console.error`/`console.warn` calls.
        var errors: [String]
        /// Whether the browser reported a markup parse error (`<parsererror>`).
        var parseErrors: Int
        /// The height of the whole page, in CSS pixels.
        var pageHeight: Double
    }

    /// The screenshot's verdict on one chart's rectangle.
    struct ChartPixels {
        /// Share of the chart's pixels that are ink: some channel below 200 (grid lines,
        /// borders and the white background are lighter).
        var inkFraction: Double
        /// Distinct colours among the ink pixels, quantised to 4 bits per channel.
        var inkColors: Int
    }

    /// Everything the browser showed.
    struct Rendering {
        var report: PageReport
        /// Console lines Chromium logged (`…:CONSOLE…`), whatever the page did to hide them.
        var consoleLines: [String]
        var pixels: [ChartPixels]
        var screenshot: BrowserPNG
    }

    /// Captures errors from the first moment (scripts, failed images, console calls).
    static let errorCaptureScript = """
        <script>window.__descentErrors = [];
        addEventListener('error', function (e) { __descentErrors.push(e.message || ('failed to load ' + ((e.target && (e.target.src || e.target.href || (e.target.getAttribute && e.target.getAttribute('href')))) || 'a resource'))); }, true);
        ['error', 'warn'].forEach(function (k) { var original = console[k]; console[k] = function () { __descentErrors.push(k + ': ' + Array.prototype.join.call(arguments, ' ')); original.apply(console, arguments); }; });
        </script>
        """

    /// Measures every top-level chart once the page has loaded and writes the result into the page.
    static let checkScript = """
        <script>addEventListener('load', function () {
          var charts = Array.prototype.filter.call(document.querySelectorAll('svg'), function (s) { return !s.parentElement.closest('svg'); });
          var result = charts.map(function (s) {
            var box = s.getBoundingClientRect(), drawn = 0;
            s.querySelectorAll('path, circle, rect, line, polyline, polygon, image, text').forEach(function (m) {
              var b = m.getBBox(); if (b.width > 0 || b.height > 0) drawn += 1; });
            return { left: box.left + scrollX, top: box.top + scrollY, width: box.width, height: box.height, drawnMarks: drawn,
                     series: s.querySelectorAll('g.series').length };
          });
          var out = document.createElement('pre'); out.id = 'descent-browser-check';
          out.textContent = JSON.stringify({ charts: result, errors: window.__descentErrors || ['error capture did not run'],
                                             parseErrors: document.getElementsByTagName('parsererror').length,
                                             pageHeight: document.documentElement.scrollHeight });
          document.body.appendChild(out);
        });</script>
        """

    /// Loads `html` twice in headless Chromium: once with the check scripts added (read back with
    /// `--dump-dom`) and once as it is, for a screenshot `width` pixels wide and as tall as the page.
    static func render(html: String, width: Int = 1000) throws -> Rendering {
        guard let executable else { throw Failure(description: skipMessage) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("descent-browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        var checked = html
        guard let bodyEnd = checked.range(of: "</body>", options: .backwards) else {
            throw Failure(description: "the page has no </body> to add the check script before")
        }
        checked.insert(contentsOf: checkScript, at: bodyEnd.lowerBound)
        guard let headStart = checked.range(of: "<head>") else { throw Failure(description: "the page has no <head> to add the error capture to") }
        checked.insert(contentsOf: errorCaptureScript, at: headStart.upperBound)
        let checkedPage = folder.appendingPathComponent("checked.html"), plainPage = folder.appendingPathComponent("page.html")
        try Data(checked.utf8).write(to: checkedPage)
        try Data(html.utf8).write(to: plainPage)

        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                      "--force-device-scale-factor=1", "--no-first-run", "--user-data-dir=\(folder.path)/profile"]
        let (dom, log) = try run(executable, common + ["--window-size=\(width),1000", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=2000", "--dump-dom", checkedPage.absoluteString], in: folder)
        guard let start = dom.range(of: "<pre id=\"descent-browser-check\">"),
              let end = dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex)
        else { throw Failure(description: "the page's check did not run; Chromium printed:\n\(dom.suffix(2000))\n\(log.suffix(2000))") }
        let json = unescapeHTML(String(dom[start.upperBound..<end.lowerBound]))
        let report = try JSONDecoder().decode(PageReport.self, from: Data(json.utf8))
        let consoleLines = log.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)

        let screenshot = folder.appendingPathComponent("screenshot.png")
        // The page's layout does not depend on the window's height (no vh units), so the charts
        // sit where the check measured them.
        let height = Int(report.pageHeight.rounded(.up)) + 20
        _ = try run(executable, common + ["--window-size=\(width),\(height)", "--screenshot=\(screenshot.path)", plainPage.absoluteString], in: folder)
        // DESCENT_BROWSER_OUTPUT=folder keeps the pages and screenshots, to look at after a failure.
        if let keep = ProcessInfo.processInfo.environment["DESCENT_BROWSER_OUTPUT"] {
            let name = "browser-\(SVGBuilderHash.short(html))"
            try? FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
            try? FileManager.default.copyItem(at: screenshot, to: URL(fileURLWithPath: keep).appendingPathComponent(name + ".png"))
            try? FileManager.default.copyItem(at: plainPage, to: URL(fileURLWithPath: keep).appendingPathComponent(name + ".html"))
        }
        let png = try BrowserPNG(data: Data(contentsOf: screenshot))
        return Rendering(report: report, consoleLines: consoleLines, pixels: report.charts.map { measure(png, $0) }, screenshot: png)
    }

    /// A screenshot of the SVG document `svg` opened on its own in a `width` × `height` window,
    /// as a browser shows a `--plot race.svg` file: taken as soon as the page has loaded, or,
    /// with `animationSeconds`, with every SMIL animation paused at that document time.
    ///
    /// The time is set by a script added to the SVG (`pauseAnimations` and `setCurrentTime` on
    /// load), not by Chromium's `--virtual-time-budget`: on a loaded CI machine the budget did not
    /// advance SMIL, and the mid-race screenshot showed the chart as it is at load.
    static func screenshot(svg: String, width: Int, height: Int, animationSeconds: Double? = nil) throws -> BrowserPNG {
        guard let executable else { throw Failure(description: skipMessage) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("descent-browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = folder.appendingPathComponent("chart.svg"), screenshot = folder.appendingPathComponent("screenshot.png")
        var document = svg
        if let animationSeconds {
            guard let end = document.range(of: "</svg>", options: .backwards) else {
                throw Failure(description: "the SVG has no </svg> to add the animation clock script before")
            }
            let script = "<script>window.addEventListener('load', function () { var svg = document.documentElement; "
                + "svg.pauseAnimations(); svg.setCurrentTime(\(animationSeconds)); });</script>\n"
            document.insert(contentsOf: script, at: end.lowerBound)
        }
        try Data(document.utf8).write(to: page)
        var arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                         "--force-device-scale-factor=1", "--no-first-run", "--user-data-dir=\(folder.path)/profile",
                         "--window-size=\(width),\(height)", "--screenshot=\(screenshot.path)"]
        // A short virtual-time budget lets the load handler run before the screenshot.
        if animationSeconds != nil { arguments.append("--virtual-time-budget=500") }
        _ = try run(executable, arguments + [page.absoluteString], in: folder)
        return try BrowserPNG(data: Data(contentsOf: screenshot))
    }

    /// The share of pixels whose colour differs by more than 48 in some channel between two
    /// screenshots of the same size (1 when the sizes differ).
    static func differingFraction(_ a: BrowserPNG, _ b: BrowserPNG) -> Double {
        guard a.width == b.width, a.height == b.height, a.width > 0, a.height > 0 else { return 1 }
        var differing = 0
        for y in 0..<a.height {
            for x in 0..<a.width {
                let (p, q) = (a.pixel(x: x, y: y), b.pixel(x: x, y: y))
                if max(abs(Int(p.0) - Int(q.0)), abs(Int(p.1) - Int(q.1)), abs(Int(p.2) - Int(q.2))) > 48 { differing += 1 }
            }
        }
        return Double(differing) / Double(a.width * a.height)
    }

    /// Ink share and colour count inside one chart's rectangle (clipped to the screenshot).
    static func measure(_ png: BrowserPNG, _ chart: ChartLayout) -> ChartPixels {
        let x0 = max(0, Int(chart.left.rounded(.up))), y0 = max(0, Int(chart.top.rounded(.up)))
        let x1 = min(png.width, Int((chart.left + chart.width).rounded(.down))), y1 = min(png.height, Int((chart.top + chart.height).rounded(.down)))
        guard x1 > x0, y1 > y0 else { return ChartPixels(inkFraction: 0, inkColors: 0) }
        var ink = 0
        var colors = Set<Int>()
        for y in y0..<y1 {
            for x in x0..<x1 {
                let (r, g, b) = png.pixel(x: x, y: y)
                guard min(r, g, b) < 200 else { continue }
                ink += 1
                colors.insert(Int(r >> 4) << 8 | Int(g >> 4) << 4 | Int(b >> 4))
            }
        }
        return ChartPixels(inkFraction: Double(ink) / Double((x1 - x0) * (y1 - y0)), inkColors: colors.count)
    }

    /// Runs Chromium and returns its standard output and error; fails after two minutes.
    static func run(_ executable: String, _ arguments: [String], in folder: URL) throws -> (String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let outURL = folder.appendingPathComponent("stdout-\(UUID().uuidString)"), errURL = folder.appendingPathComponent("stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        // Files, not pipes: a large DOM would fill a pipe and block Chromium before it exits.
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer { try? out.close(); try? err.close() }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning {
            if Date() > deadline {
                process.terminate()
                throw Failure(description: "Chromium did not finish within 120 s: \(arguments.joined(separator: " "))")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let stdout = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw Failure(description: "Chromium exited with status \(process.terminationStatus):\n\(stderr.suffix(3000))")
        }
        return (stdout, stderr)
    }

    /// A short name for a page: its FNV-1a hash.
    private enum SVGBuilderHash {
        static func short(_ text: String) -> String { String(SVGBuilder.fnv1a(text), radix: 16) }
    }

    /// Undoes the escaping `--dump-dom` applies to text content.
    static func unescapeHTML(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&nbsp;", with: "\u{00A0}").replacingOccurrences(of: "&amp;", with: "&")
    }
}
