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
        let written = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { $0.hasSuffix(".svg") }
        #expect(written.count >= charts.count)
    }
}
