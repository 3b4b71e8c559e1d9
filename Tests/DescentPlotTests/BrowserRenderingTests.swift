import Foundation
import Testing
@testable import DescentPlot

/// Renders HTML reports in a real headless browser (Chromium) and checks that every chart is
/// drawn — laid out with a size, with marks that have an extent, and with ink on the screenshot —
/// and that the page raised and logged no errors. Skipped, with a message saying how to install
/// Chromium, on a machine without it; in CI (`.ci/run` installs it) it always runs.
@Suite(.serialized, .enabled(if: BrowserHarness.shouldRun, Comment(rawValue: BrowserHarness.skipMessage)))
struct BrowserRenderingTests {
    /// A report like `descent train` writes: a table, loss curves, a diverging run on a log axis,
    /// an LR-finder curve, an optimizer race on a contour plot, a scatter plot over decision
    /// regions and a confusion matrix.
    static func report() -> HTMLReport {
        var report = HTMLReport(title: "Browser check: every chart kind")
        report.addSection("Configuration")
        report.addKeyValueTable([("optimizer", "adam(lr: 0.001)"), ("batch size", "32")])
        report.addSection("Charts")
        report.addChart(Examples.lossCurves(), caption: "Loss per epoch")
        report.addChart(Examples.divergingLossCurves(), caption: "A run that diverges")
        report.addChart(Examples.learningRateFinder(), caption: "LR finder")
        report.addChart(Examples.rosenbrockRace(animated: false), caption: "Optimizers on Rosenbrock")
        report.addChart(Examples.scatterWithRegions(), caption: "Decision regions")
        report.addChart(Examples.confusionMatrix(), width: 420, height: 380, caption: "Confusion matrix")
        return report
    }

    /// The problems a reader would see, one line each; empty when the page looks right.
    static func problems(in rendering: BrowserHarness.Rendering) -> [String] {
        var problems = rendering.report.errors.map { "page error: \($0)" }
        problems += rendering.consoleLines.map { "console: \($0)" }
        if rendering.report.parseErrors > 0 { problems.append("markup parse error") }
        for (index, (chart, pixels)) in zip(rendering.report.charts, rendering.pixels).enumerated() {
            if chart.width < 100 || chart.height < 100 { problems.append("chart \(index) is \(chart.width) × \(chart.height) px") }
            if chart.drawnMarks < 10 { problems.append("chart \(index) has only \(chart.drawnMarks) marks with an extent") }
            // A chart with axes, labels and data inks well over 1 % of its box; an empty <svg> inks none.
            if pixels.inkFraction < 0.01 { problems.append("chart \(index) is blank: \(pixels.inkFraction * 100) % ink") }
            if pixels.inkColors < 3 { problems.append("chart \(index) has \(pixels.inkColors) ink colours") }
        }
        return problems
    }

    @Test func reportWithSeveralChartsRendersEveryChartWithoutErrors() throws {
        let rendering = try BrowserHarness.render(html: Self.report().html())
        #expect(rendering.report.charts.count == 6)
        #expect(Self.problems(in: rendering) == [])
        // Series survive into the page: loss curves 4, diverging 3, LR finder 1, race 2 paths, two moons 2 classes.
        #expect(rendering.report.charts.prefix(5).map(\.series) == [4, 3, 1, 2, 2])
        // The contour plot's fill is an image: its chart inks most of its box in many colours (viridis).
        #expect(rendering.pixels[3].inkFraction > 0.4 && rendering.pixels[3].inkColors > 50)
    }

    /// The real thing: `descent train` on a 2-D built-in dataset writes report.html, and every
    /// chart in it (loss, metrics, learning rate, confusion matrix, decision regions) is drawn.
    @Test func realTrainingReportFromDescentTrainRendersEveryChart() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("descent-browser-train-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.runDescent(["train", "--data", "builtin:moons(count: 200)", "--model", "mlp(8)", "--epochs", "4",
                             "--validation-split", "0.2", "--quiet", "--output", folder.path])
        let html = try String(contentsOf: folder.appendingPathComponent("report.html"), encoding: .utf8)
        let rendering = try BrowserHarness.render(html: html)
        #expect(Self.problems(in: rendering) == [])
        // Loss (batch, full training, validation), metrics (training and validation accuracy), learning rate,
        // confusion matrix (no series), decision regions (two classes of points).
        #expect(rendering.report.charts.map(\.series) == [3, 2, 1, 0, 2])
        // The decision regions fill most of their chart in the two class colours.
        #expect(rendering.pixels[4].inkFraction > 0.3)
    }

    /// `descent compare` with a diverging learning rate: compare.html's four charts are drawn.
    @Test func realCompareReportRendersEveryChart() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("descent-browser-compare-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.runDescent(["compare", "--learning-rates", "0.001,0.1,3", "--epochs", "3", "--quiet", "--output", folder.path])
        let html = try String(contentsOf: folder.appendingPathComponent("compare.html"), encoding: .utf8)
        let rendering = try BrowserHarness.render(html: html)
        #expect(Self.problems(in: rendering) == [])
        // Three variants per chart, and the diverged one's end marker as a fourth, unnamed series.
        #expect(rendering.report.charts.map(\.series) == [4, 4, 4, 4])
    }

    /// The `descent` executable that `swift build`/`swift test` put next to the test bundle.
    static func descentExecutable() -> URL? {
        let starts = [Bundle.main.executableURL?.deletingLastPathComponent(), Bundle.main.bundleURL.deletingLastPathComponent(),
                      URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()].compactMap { $0 }
        for start in starts {
            var directory = start
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent("descent")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                directory = directory.deletingLastPathComponent()
            }
        }
        return nil
    }

    /// Runs `descent` and fails with its standard error unless it exits with 0.
    static func runDescent(_ arguments: [String]) throws {
        guard let executable = descentExecutable() else {
            throw BrowserHarness.Failure(description: "the descent executable is not built next to the tests; run `swift build` first")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BrowserHarness.Failure(description: "descent \(arguments.joined(separator: " ")) exited with \(process.terminationStatus): \(message)")
        }
    }

    /// Issue 20: the animated race started from empty paths, so what a browser showed before the
    /// race ran (and any screenshot) had no paths. The screenshot taken as the SVG loads now
    /// matches the still chart's (the expected picture: the same chart without animation), while
    /// one taken mid-race differs from it, which shows the comparison can fail.
    @Test func theAnimatedRaceShowsTheWholePathsAtTimeZero() throws {
        let (width, height) = (640, 400)
        let still = try BrowserHarness.screenshot(svg: Examples.rosenbrockRace(animated: false).svg(width: Double(width), height: Double(height)),
                                                  width: width, height: height)
        let animated = Examples.rosenbrockRace(animated: true).svg(width: Double(width), height: Double(height))
        let atStart = try BrowserHarness.screenshot(svg: animated, width: width, height: height)
        // The 8 s race begins after 2 s and then grows for 8 s: at 4 s it is a quarter done.
        let midRace = try BrowserHarness.screenshot(svg: animated, width: width, height: height, animationSeconds: 4)
        let startDifference = BrowserHarness.differingFraction(still, atStart)
        let midDifference = BrowserHarness.differingFraction(still, midRace)
        #expect(startDifference < 0.0005, "at t = 0 the race differs from the still chart in \(startDifference * 100) % of the pixels")
        // The paths are thin: a quarter-grown race lacks about 0.2 % of the chart's pixels.
        #expect(midDifference > 0.001 && midDifference > 10 * startDifference,
                "mid-race differs from the still chart in \(midDifference * 100) % of the pixels, at t = 0 in \(startDifference * 100) %")
    }

    @Test func blankChartsAreDetected() throws {
        // The same page shape with empty charts: one <svg> with nothing in it, one with only a white background.
        var report = HTMLReport(title: "Blank")
        report.addSVG("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"400\"></svg>\n")
        report.addSVG("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"400\"><rect width=\"640\" height=\"400\" fill=\"#fff\"/></svg>\n")
        let rendering = try BrowserHarness.render(html: report.html())
        let problems = Self.problems(in: rendering)
        #expect(problems.contains { $0.hasPrefix("chart 0 is blank") } && problems.contains { $0.hasPrefix("chart 1 is blank") })
        #expect(problems.contains { $0.hasPrefix("chart 0 has only 0 marks") })
        #expect(rendering.pixels.allSatisfy { $0.inkFraction == 0 })
    }

    @Test func pageErrorsAndConsoleMessagesAreDetected() throws {
        // A missing image (a report that is not self-contained) and a script error.
        var html = Self.report().html()
        html = html.replacingOccurrences(of: "</main>", with: "<img src=\"missing-chart.png\" alt=\"\"/><script>undefinedFunction();</script></main>")
        let rendering = try BrowserHarness.render(html: html)
        let problems = Self.problems(in: rendering)
        #expect(problems.contains { $0.contains("missing-chart.png") })
        #expect(problems.contains { $0.contains("undefinedFunction") })
    }

    @Test func pngDecoderReadsTheChartsOwnImages() throws {
        // DescentPlot's PNG encoder (stored DEFLATE blocks) decodes back to the same pixels;
        // Chromium's screenshots above exercise the Huffman-coded blocks.
        let colors = (0..<12).map { ColorMap.viridis.color(at: Double($0) / 11) }
        let png = try BrowserPNG(data: PNGEncoder.encode(width: 4, height: 3, pixels: colors))
        #expect(png.width == 4 && png.height == 3)
        for (index, color) in colors.enumerated() {
            let (r, g, b) = png.pixel(x: index % 4, y: index / 4)
            #expect([r, g, b] == [color.red, color.green, color.blue].map { UInt8(($0 * 255).rounded()) })
        }
    }
}
