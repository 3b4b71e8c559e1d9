import Foundation
import Testing
@testable import DescentPlot

/// Writes one example of every chart kind to a temporary folder, for looking at by eye
/// (for instance with `rsvg-convert`). The test only checks that the files were written.
@Suite struct ExampleGalleryTests {
    static let folder = FileManager.default.temporaryDirectory.appendingPathComponent("descent-plot-examples")

    @Test func writesExampleCharts() throws {
        try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
        let charts: [(String, any Chart)] = [
            ("loss-curves", Examples.lossCurves()),
            ("loss-curves-log-robust", Examples.divergingLossCurves()),
            ("lr-finder", Examples.learningRateFinder()),
            ("quartic-iterates", Examples.quarticWithIterates(animated: false)),
            ("scatter-regions", Examples.scatterWithRegions()),
            ("confusion-matrix", Examples.confusionMatrix()),
            ("rosenbrock-race", Examples.rosenbrockRace(animated: true)),
            ("contour-lines", Examples.contourLinesOnly()),
        ]
        for (name, chart) in charts {
            try chart.write(to: Self.folder.appendingPathComponent("\(name).svg"))
        }
        var report = HTMLReport(title: "Descent plot gallery")
        report.addSection("Loss curves")
        report.addParagraph("Synthetic runs; the terminal version of the first curve is below.")
        report.addChart(Examples.lossCurves(), caption: "Training loss per epoch")
        report.addChart(Examples.quarticWithIterates(animated: true), caption: "Iterates appear one by one")
        report.addSection("Landscapes")
        report.addChart(Examples.rosenbrockRace(animated: true), caption: "The optimizer race")
        report.addKeyValueTable([("optimizer", "SGD"), ("learning rate", "5e-4")])
        report.addTable(headers: ["optimizer", "final loss"], rows: [["GD", "0.31"], ["momentum", "0.002"]])
        try report.write(to: Self.folder.appendingPathComponent("report.html"))
        let terminal = TerminalChart(values: Examples.decay(start: 2.3, floor: 0.1, rate: 0.1, count: 80), label: "loss").render()
        try Data(terminal.utf8).write(to: Self.folder.appendingPathComponent("terminal.txt"))
        try Examples.quarticWithIterates(animated: true).write(to: Self.folder.appendingPathComponent("quartic-animated.svg"))
        let written = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { $0.hasSuffix(".svg") }
        #expect(written.count >= charts.count)
    }
}
