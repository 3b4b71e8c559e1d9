import Foundation
import Testing
@testable import DescentCLI

@Suite struct SchedulePlotTests {
    func plot(_ arguments: [String]) throws -> (svg: SVGElements, document: String) {
        let file = TemporaryPlot()
        _ = try ScheduleCommand.parse(arguments + ["--plot", file.path]).output()
        let document = try file.read()
        return (try #require(SVGElements.parse(document), "the --plot file is not well-formed XML"), document)
    }

    @Test func oneCyclePlotsLearningRateAndMomentumOnTwoCharts() throws {
        let (svg, _) = try plot(["--schedule", "one-cycle(maxLearningRate: 0.1, totalSteps: 50)", "--lr", "0.1", "--steps", "50", "--momentum", "0.9"])
        // The outer document and one nested chart each for the learning rate and the momentum.
        #expect(svg.all("svg").count == 3)
        #expect(svg.seriesNames == ["learning rate", "momentum"])
        let titles = svg.all("title").map(\.text)
        #expect(titles == ["Learning rate: one-cycle(maxLearningRate: 0.1, totalSteps: 50)", "Momentum (β₁)"])
        // The second chart sits below the first: nested y offsets 0 and the first chart's height.
        let offsets = svg.all("svg").dropFirst().compactMap { $0.attributes["y"] }
        #expect(offsets.count == 2 && offsets[0] == "0" && (Int(offsets[1]) ?? 0) > 300)
        // The rate peaks at maxLearningRate = 0.1: the top y tick of the first chart reads 0.1.
        #expect(svg.all("text").contains { Double($0.text) == 0.1 })  // the label reads "0.10"
    }

    @Test func scheduleWithoutMomentumIsOneChartWithOneVertexPerStep() throws {
        // step(stepSize: 10, gamma: 0.5) from 1 over 40 steps: 1, 0.5, 0.25, 0.125, each for 10 steps.
        let (svg, _) = try plot(["--schedule", "step(stepSize: 10, gamma: 0.5)", "--lr", "1", "--steps", "40"])
        #expect(svg.all("svg").count == 1)
        #expect(svg.seriesNames == ["learning rate"])
        let data = try #require(svg.all("path").first { $0.seriesName == "learning rate" }?.attributes["d"])
        // Four flat runs joined by drops: the distinct pixel heights of the vertices are four.
        let heights = Set(data.split(whereSeparator: { $0 == "M" || $0 == "L" }).compactMap { $0.split(separator: " ").last.map(String.init) })
        #expect(heights.count == 4)
    }
}
