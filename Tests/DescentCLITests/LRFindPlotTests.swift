import Foundation
import Testing
import Descent
@testable import DescentCLI

@Suite struct LRFindPlotTests {
    @Test func plotShowsRawAndSmoothedLossOnALogAxisWithTheThreeSuggestions() throws {
        let file = TemporaryPlot()
        let arguments = ["--data", "builtin:moons", "--model", "mlp(16)", "--optimizer", "sgd", "--iterations", "60"]
        _ = try LRFindCommand.parse(arguments + ["--plot", file.path]).output()
        // The same sweep again (same seed, same data): the values the picture must show.
        let sweep = try LRFindCommand.parse(arguments).sweep()
        let document = try file.read()
        let svg = try #require(SVGElements.parse(document), "the --plot file is not well-formed XML")
        let valley = try #require(sweep.valley), steep = try #require(sweep.steep), minimum = try #require(sweep.minimum)
        func short(_ x: Double) -> String { String(format: "%.2g", x) }
        #expect(svg.seriesNames == ["batch loss (raw)", "smoothed loss", "valley \(short(valley)) (recommended)",
                                    "steep \(short(steep))", "minimum \(short(minimum))"])
        // One dot per suggestion, and a labelled dashed line at each suggested rate.
        for name in svg.seriesNames.dropFirst(2) { #expect(svg.dots(of: name).count == 1) }
        let texts = svg.all("text").map(\.text)
        for label in ["valley \(short(valley))", "steep \(short(steep))", "minimum \(short(minimum))"] { #expect(texts.contains(label)) }
        #expect(svg.all("line").filter { $0.attributes["stroke-dasharray"] == "6 4" }.count >= 3)
        // The x axis is logarithmic: its tick labels are powers of ten (10⁻⁷ at the start of the sweep).
        #expect(texts.contains("10⁻⁷") || texts.contains("1e-7"))
        // Both curves have a vertex per iteration (a point within half a pixel of the previous one is skipped).
        let smoothed = try #require(svg.all("path").first { $0.seriesName == "smoothed loss" }?.attributes["d"])
        let vertices = smoothed.filter { $0 == "M" || $0 == "L" }.count
        #expect(vertices > sweep.losses.count / 2 && vertices <= sweep.losses.count)
    }

    @Test func aSweepThatStopsEarlyIsMarked() throws {
        // A hand-made sweep that stopped early (the loss rose past 4× its minimum).
        let rates: [Double] = (0..<20).map { 1e-3 * pow(10, Double($0) / 5) }
        let losses: [Double] = (0..<20).map { $0 < 15 ? 1 - Double($0) * 0.05 : Double($0) }
        let sweep = LearningRateSweep(learningRates: rates, losses: losses, rawLosses: [Double](repeating: 1, count: 20),
                                      stoppedEarly: true, iterations: 30)
        let svg = try #require(SVGElements.parse(LRFindPlot(sweep: sweep, optimizer: "sgd").svg()))
        #expect(svg.all("text").map(\.text).contains("stopped: loss diverged"))
        #expect(svg.all("title").first?.text == "Learning-rate finder: sgd")
    }
}
