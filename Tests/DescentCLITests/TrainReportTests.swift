import Foundation
import Testing
import Descent
@testable import DescentCLI

/// The top-level charts of a report page and the series each one draws.
struct ReportPage {
    let elements: SVGElements
    let html: String

    init(_ html: String) throws {
        self.html = html
        elements = try #require(SVGElements.parse(html), "the page is not well-formed XML")
    }

    /// The chart titles (each chart's `<title>`; the page's own `<title>` comes first), in page order.
    var chartTitles: [String] { elements.all("title").dropFirst().map(\.text) }

    /// The series names of the chart whose `<title>` starts with `prefix`.
    func seriesNames(ofChartTitled prefix: String) throws -> [String] {
        let charts = html.components(separatedBy: "<figure>").dropFirst()
        let chart = try #require(charts.first { $0.contains("<title>" + MarkupEscapingForTests.escape(prefix)) }, "no chart titled \(prefix)")
        let end = chart.range(of: "</figure>").map { chart[..<$0.lowerBound] } ?? Substring(chart)
        return try #require(SVGElements.parse(String(end))).seriesNames
    }
}

enum MarkupEscapingForTests {
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}

@Suite struct TrainReportTests {
    func train(_ arguments: [String], in folder: TrainTestFolder) throws -> (TrainCommand.Outcome, ReportPage) {
        let outcome = try TrainCommand.parse(arguments + ["--output", folder.path("run")]).execute(progress: .quiet, handleInterrupts: false)
        return (outcome, try ReportPage(folder.read("run/report.html")))
    }

    @Test func classificationReportOnMoonsHasEveryChartAndTheConfusionMatrixCountsTheValidationData() throws {
        let folder = try TrainTestFolder()
        let (_, page) = try train(["--data", "builtin:moons(count: 200)", "--model", "mlp(8)", "--epochs", "4", "--validation-split", "0.2"], in: folder)
        #expect(page.chartTitles.count == 5)
        #expect(page.chartTitles.prefix(3) == ["Loss", "Metrics per epoch", "Learning rate"])
        #expect(page.chartTitles[3].hasPrefix("Confusion matrix, validation: "))
        #expect(page.chartTitles[4] == "Decision regions with the training points")
        #expect(try page.seriesNames(ofChartTitled: "Loss") == ["batch loss (each step)", "training loss (full, each epoch)", "validation loss (each epoch)"])
        #expect(try page.seriesNames(ofChartTitled: "Metrics per epoch") == ["training accuracy", "validation accuracy"])
        #expect(try page.seriesNames(ofChartTitled: "Learning rate") == ["learning rate"])
        // Two classes of moons points over the regions.
        #expect(try page.seriesNames(ofChartTitled: "Decision regions").count == 2)
        // 160 training samples in batches of 32: 5 steps per epoch, 20 steps; one dot per epoch on each epoch curve.
        #expect(page.elements.dots(of: "training loss (full, each epoch)").count == 4)
        #expect(page.elements.dots(of: "validation loss (each epoch)").count == 4)
        // The confusion matrix cells count the 40 validation samples (20 % of 200).
        let cells = page.elements.all("text").filter { $0.ancestorClasses.contains("cell-values") }.compactMap { Int($0.text) }
        #expect(cells.count == 4 && cells.reduce(0, +) == 40)
        // The final metrics table: training and validation rows, loss and accuracy columns.
        #expect(page.elements.all("th").map(\.text).contains("accuracy"))
        #expect(page.elements.all("td").map(\.text).filter { ["training", "validation", "test"].contains($0) } == ["training", "validation"])
        // Self-contained: no scripts, no links or images from elsewhere.
        #expect(!page.html.contains("<script"))
        #expect(!page.html.contains("src=") && !page.html.contains("<link"))
    }

    @Test func regressionReportShowsPredictedAgainstActualAndNoDecisionRegions() throws {
        let folder = try TrainTestFolder()
        let (_, page) = try train(["--data", "builtin:linear(count: 100)", "--model", "linear", "--epochs", "3"], in: folder)
        #expect(page.chartTitles == ["Loss", "Metrics per epoch", "Learning rate", "Predicted vs actual, training data"])
        // No validation data: the predictions are shown on the 100 training samples.
        #expect(try page.seriesNames(ofChartTitled: "Predicted vs actual") == ["perfect prediction (y = x)", "100 samples"])
        #expect(page.elements.dots(of: "100 samples").count == 100)
    }

    @Test func earlyStoppingIsMarkedOnTheLossAndMetricCharts() throws {
        let folder = try TrainTestFolder()
        // patience 1 with minDelta 10: no epoch can improve by 10, so the run stops after epoch 2.
        let (outcome, page) = try train(["--data", "builtin:moons(count: 100)", "--model", "mlp(4)", "--epochs", "20",
                                         "--early-stopping", "early-stopping(monitor: validation.loss, patience: 1, minDelta: 10)"], in: folder)
        #expect(outcome.result?.stopReason == .earlyStopping)
        let labels = page.elements.all("text").map(\.text).filter { $0.hasPrefix("early stopping") }
        #expect(labels == ["early stopping (epoch 2)", "early stopping (epoch 2)"])
    }

    @Test func aDivergedRunHasItsReportWithTheDivergenceMarkedAndNoPredictions() throws {
        let folder = try TrainTestFolder()
        let (outcome, page) = try train(["--data", "builtin:linear(count: 200)", "--optimizer", "sgd(lr: 1000000)", "--epochs", "10"], in: folder)
        #expect(outcome.exitCode == 1)
        #expect(page.elements.all("text").map(\.text).contains { $0.hasPrefix("diverged (step ") })
        #expect(page.elements.all("p").map(\.text).contains("No predictions: the run diverged, so its weights are not usable."))
        #expect(!page.chartTitles.contains { $0.hasPrefix("Predicted") })
    }

    @Test func textRunsShowTheLossCurveInTheTerminalButNotQuietOrJSONRuns() throws {
        let arguments = ["train", "--data", "builtin:moons(count: 100)", "--model", "mlp(4)", "--epochs", "3"]
        let text = try runCapturingOutput(arguments)
        // A braille curve (U+2800…U+28FF) labelled with the batch loss, then the usual summary.
        #expect(text.contains("batch loss ") && text.unicodeScalars.contains { (0x2800...0x28FF).contains($0.value) })
        #expect(text.contains("stopped: completed after 3 epochs"))
        let quiet = try runCapturingOutput(arguments + ["--quiet"])
        #expect(!quiet.unicodeScalars.contains { (0x2800...0x28FF).contains($0.value) } && quiet.contains("stopped: completed"))
        let json = try runCapturingOutput(arguments + ["--format", "json"])
        #expect(try jsonObject(json)["stoppedBecause"] as? String == "completed")
    }

    @Test func theTerminalChartHasFourLinesOfBrailleAndTheStepRange() throws {
        var history = TrainingHistory()
        for step in 1...50 { history.steps.append(StepRecord(epoch: 1, step: step, batchLoss: 2 / Double(step), learningRate: 0.1)) }
        let chart = try #require(TrainingCharts(history: history).terminalChart(width: 40))
        let lines = chart.split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines[0].hasPrefix("batch loss 2 ┤"))
        #expect(lines[4].hasSuffix("step 0 … 49"))
    }
}

/// Runs the built `descent` and returns its standard output (standard error is dropped).
func runCapturingOutput(_ arguments: [String]) throws -> String {
    let executable = try #require(descentExecutable(), "the descent executable is not built next to the tests")
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}
