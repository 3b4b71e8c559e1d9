import Foundation
import Testing
@testable import DescentPlot

/// Every chart `descent` draws, at the size it draws it, laid out by headless Chromium and
/// measured (``LayoutHarness``): no text label overlaps another, no marker is cut by the plot
/// area, and no mark is cut by its SVG viewport. The charts come from the `descent` executable
/// itself (reports and `--plot` files), so what is checked is what a user opens. Skipped with a
/// message without Chromium; in CI (`CI` set) it always runs.
@Suite(.serialized, .enabled(if: BrowserHarness.shouldRun, Comment(rawValue: BrowserHarness.skipMessage)))
struct ChartLayoutBrowserTests {
    /// A fresh folder for one command's output, removed when the test ends.
    final class Folder {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("descent-layout-\(UUID().uuidString)")
        func path(_ name: String) -> String { url.appendingPathComponent(name).path }
        func read(_ name: String) throws -> String { try String(contentsOfFile: path(name), encoding: .utf8) }
        deinit { try? FileManager.default.removeItem(at: url) }
    }

    /// Measures `html` and expects a clean layout with at least `charts` charts, each with some
    /// text measured (so a page whose charts were not seen cannot pass).
    func expectCleanLayout(_ html: String, charts: Int, _ what: String) throws {
        let report = try LayoutHarness.measure(html: html)
        #expect(report.errors == [], "\(what): page errors")
        #expect(report.problems == [], "\(what)")
        #expect(report.charts.count == charts, "\(what): \(report.charts.count) charts measured")
        for chart in report.charts { #expect(chart.texts >= 3 && chart.marks >= 10, "\(what): \(chart.title) measured \(chart.texts) texts, \(chart.marks) marks") }
    }

    /// `descent train`'s report.html for a binary, a three-class and a ten-class problem (the
    /// confusion matrix and its colour bar grow with the classes) and for a regression (predicted
    /// against actual values).
    @Test(arguments: [
        ("builtin:moons(count: 200)", 5), ("builtin:spirals(count: 300)", 5), ("builtin:blobs(count: 500, centers: 10)", 5),
        ("builtin:linear(count: 300)", 4),
    ])
    func trainingReport(data: String, charts: Int) throws {
        let folder = Folder()
        try BrowserRenderingTests.runDescent(["train", "--data", data, "--model", "mlp(8)", "--epochs", "3", "--validation-split", "0.2",
                                              "--quiet", "--output", folder.url.path])
        try expectCleanLayout(try folder.read("report.html"), charts: charts, "report.html of \(data)")
    }

    /// `descent compare`'s compare.html and its `--plot` file, for batch sizes (with a diverged
    /// variant's marker at the edge) and learning rates.
    @Test(arguments: [["--batch-sizes", "1,32,full"], ["--learning-rates", "0.001,0.1,3"]])
    func compareReport(axis: [String]) throws {
        let folder = Folder()
        try BrowserRenderingTests.runDescent(["compare"] + axis + ["--epochs", "3", "--quiet", "--output", folder.url.path,
                                                                   "--plot", folder.path("compare.svg")])
        try expectCleanLayout(try folder.read("compare.html"), charts: 4, "compare.html for \(axis)")
        try expectCleanLayout(LayoutHarness.page(wrapping: try folder.read("compare.svg")), charts: 1, "compare --plot for \(axis)")
    }

    /// `--plot` files: schedules (one chart, and the learning rate over the momentum), optimizer
    /// races (animated; six optimizers with long specs in the legend; a contour plot with several
    /// minima; the quartic's curve with a diverging run), the learning-rate finder.
    @Test(arguments: [
        ["schedule", "--schedule", "one-cycle(maxLearningRate: 0.1, totalSteps: 50)", "--lr", "0.1", "--steps", "50"],
        ["schedule", "--schedule", "step(stepSize: 10, gamma: 0.5)", "--lr", "0.1", "--steps", "60"],
        ["optimize", "--function", "rosenbrock", "--start", "-1.5,2.0", "--optimizer", "adam(lr: 0.1)",
         "--optimizer", "sgd(lr: 0.001, momentum: 0.9)", "--optimizer", "rmsprop(lr: 0.01)", "--steps", "200", "--animate"],
        ["optimize", "--function", "booth", "--optimizer", "sgd(lr: 0.01)", "--optimizer", "sgd(lr: 0.01, momentum: 0.9, nesterov: true)",
         "--optimizer", "adam(lr: 0.1, amsgrad: true)", "--optimizer", "rmsprop(lr: 0.01, centered: true)", "--optimizer", "adagrad(lr: 0.5)",
         "--optimizer", "lion(lr: 0.05)", "--steps", "100"],
        ["optimize", "--function", "himmelblau", "--optimizer", "sgd(lr: 0.01)", "--optimizer", "adam(lr: 0.1)", "--steps", "60"],
        ["optimize", "--function", "quartic", "--start", "-1.5", "--optimizer", "sgd(lr: 0.001)", "--optimizer", "sgd(lr: 0.012)",
         "--optimizer", "sgd(lr: 0.02)", "--steps", "40"],
        ["lr-find", "--data", "builtin:moons(count: 300)", "--optimizer", "sgd"],
    ])
    func plotFile(arguments: [String]) throws {
        let folder = Folder()
        try FileManager.default.createDirectory(at: folder.url, withIntermediateDirectories: true)
        try BrowserRenderingTests.runDescent(arguments + ["--plot", folder.path("plot.svg")])
        try expectCleanLayout(LayoutHarness.page(wrapping: try folder.read("plot.svg")), charts: 1, arguments.joined(separator: " "))
    }

    /// The check finds what it looks for: two overlapping labels, a marker cut by the plot
    /// area's clip rectangle, a label past the viewport's right edge, and a page wider than the
    /// window; a marker wholly outside the plot (not shown) and clean labels are not reported.
    @Test func theCheckFindsOverlapsAndCuts() throws {
        let svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"><title>broken</title>
            <defs><clipPath id="plot"><rect x="50" y="20" width="300" height="240"/></clipPath></defs>
            <text x="60" y="290" font-size="12">first label</text><text x="70" y="292" font-size="12">second label</text>
            <text x="200" y="14" font-size="12">a title</text>
            <text x="360" y="150" font-size="12">cut at the edge</text>
            <g clip-path="url(#plot)"><circle cx="350" cy="100" r="5"/><circle cx="200" cy="100" r="5"/><circle cx="10" cy="10" r="5"/></g>
            </svg>
            <div style="width: 1400px">wide</div>
            """
        let report = try LayoutHarness.measure(html: LayoutHarness.page(wrapping: svg))
        #expect(report.problems.count == 4, "\(report.problems)")
        #expect(report.problems.contains { $0.contains("text \"first label\"") && $0.contains("overlaps text \"second label\"") })
        #expect(report.problems.contains { $0.hasPrefix("chart 0 (broken): circle") && $0.contains("cut by the plot area") })
        #expect(report.problems.contains { $0.contains("text \"cut at the edge\"") && $0.contains("cut by the SVG viewport") })
        #expect(report.problems.contains { $0.hasPrefix("the page is") })
    }
}
