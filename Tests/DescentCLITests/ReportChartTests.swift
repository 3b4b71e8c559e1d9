import Foundation
import Testing
import Descent
@testable import DescentCLI

@Suite struct ReportChartTests {
    @Test func aDivergedCurveIsCutWhereItLeavesTheTopOfTheChart() {
        // Linear axis 0…10 (top edge drawn 3 % below: 9.7); the curve 1, 5, 25 crosses 9.7 between x = 1 and 2,
        // at 1 + (9.7 − 5) / (25 − 5) = 1.235.
        let cut = ComparePlot.cut(x: [0, 1, 2], y: [1, 5, 25], range: 0...10, scale: .linear)
        #expect(cut.x.count == 3 && abs(cut.x[2] - 1.235) < 1e-12 && abs(cut.y[2] - 9.7) < 1e-12)
        #expect(cut.end.map { abs($0.0 - 1.235) < 1e-12 } == true)
        // An infinite value ends the curve at its x, on the edge.
        let infinite = ComparePlot.cut(x: [0, 1, 2], y: [1, 5, .infinity], range: 0...10, scale: .linear)
        #expect(infinite.x == [0, 1, 2] && infinite.end?.0 == 2)
        // A curve that stays inside keeps every point and ends at its last one.
        let inside = ComparePlot.cut(x: [0, 1], y: [3, 2], range: 0...10, scale: .linear)
        #expect(inside.x == [0, 1] && inside.end?.1 == 2)
    }

    @Test func aDivergedRunCountsOnlyUntilItGrowsTenfold() {
        #expect(ComparePlot.countedValues([2, 3, 19, 25, 1], diverged: true, scale: .linear) == [2, 3, 19])
        #expect(ComparePlot.countedValues([2, 3, 19, 25, .nan], diverged: false, scale: .linear) == [2, 3, 19, 25])
        #expect(ComparePlot.countedValues([0, 1, 2], diverged: false, scale: .log) == [1, 2])
    }

    /// Issue 20: the report's training and validation accuracy curves had the same colour; every
    /// series of the metrics chart has a colour of its own.
    @Test func metricsChartGivesTrainingAndValidationTheirOwnColours() throws {
        var history = TrainingHistory()
        history.epochs = [EpochRecord(epoch: 1, steps: 3, learningRate: 0.1, meanBatchLoss: 0.6, train: ["loss": 0.5, "accuracy": 0.7, "mse": 1],
                                      validation: ["loss": 0.55, "accuracy": 0.6, "mse": 2], seconds: 1)]
        let chart = try #require(TrainingCharts(history: history).metricsChart())
        let colours = chart.series.map { $0.color.map { "\($0)" } ?? "none" }
        #expect(chart.series.count == 4 && Set(colours).count == 4, "\(colours)")
    }

    @Test func lossChartPlacesEpochValuesAtTheStepThatEndedTheEpoch() throws {
        var history = TrainingHistory()
        for step in 1...6 { history.steps.append(StepRecord(epoch: (step + 2) / 3, step: step, batchLoss: 1 / Double(step), learningRate: 0.1)) }
        history.epochs = [EpochRecord(epoch: 1, steps: 3, learningRate: 0.1, meanBatchLoss: 0.6, train: ["loss": 0.5], validation: ["loss": 0.55], seconds: 1),
                          EpochRecord(epoch: 2, steps: 6, learningRate: 0.1, meanBatchLoss: 0.2, train: ["loss": 0.2], validation: ["loss": 0.3], seconds: 1)]
        let chart = TrainingCharts(history: history, events: [TrainingEvent(step: 6, epoch: 2, label: "early stopping (epoch 2)")]).lossChart()
        #expect(chart.series.map(\.name) == ["batch loss (each step)", "training loss (full, each epoch)", "validation loss (each epoch)"])
        #expect(chart.series[0].x == [1, 2, 3, 4, 5, 6])
        #expect(chart.series[1].x == [3, 6] && chart.series[1].y == [0.5, 0.2])
        #expect(chart.series[2].isDashed)
        #expect(chart.xLabel == "optimizer step (3 per epoch)")
        #expect(chart.referenceLines.map(\.label) == ["early stopping (epoch 2)"])
        // 1 … 1/6 spans 6×, less than 20×: a linear axis.
        #expect(chart.yScale == .linear)
    }

    @Test func committedGallerySVGsOfTheTrainingCommandsAreWellFormedSmallAndShowTheirSeries() throws {
        // docs/gallery/, from this file's place in Tests/DescentCLITests/.
        let gallery = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/gallery")
        let expected: [String: [String]] = [
            "compare-batch-sizes.svg": ["batch size 1 (stochastic GD)", "batch size 32 (mini-batch GD)", "full batch (batch GD)"],
            "compare-learning-rates.svg": ["lr 0.001", "lr 0.1"],
            "lr-finder.svg": ["batch loss (raw)", "smoothed loss"],
        ]
        for (file, series) in expected {
            let data = try Data(contentsOf: gallery.appendingPathComponent(file))
            #expect(data.count < 300_000, "\(file) is \(data.count) bytes")
            let svg = try #require(SVGElements.parse(String(decoding: data, as: UTF8.self)), "\(file) is not well-formed XML")
            #expect(Array(svg.seriesNames.prefix(series.count)) == series, "\(file)")
        }
        // The diverging learning rate is named so in both charts of its picture.
        let rates = try #require(SVGElements.parse(String(contentsOf: gallery.appendingPathComponent("compare-learning-rates.svg"), encoding: .utf8)))
        #expect(rates.seriesNames.filter { $0.hasPrefix("lr 3 — diverged at step ") }.count == 2)
    }
}
