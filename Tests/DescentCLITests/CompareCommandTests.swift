import ArgumentParser
import Foundation
import Testing
@testable import DescentCLI

@Suite struct CompareCommandTests {
    /// Runs `descent compare` into a fresh folder; returns the printed text, compare.html and the folder.
    func compare(_ arguments: [String]) throws -> (text: String, page: ReportPage, folder: TrainTestFolder) {
        let folder = try TrainTestFolder()
        let text = try CompareCommand.parse(arguments + ["--output", folder.path("out")]).output()
        return (text, try ReportPage(folder.read("out/compare.html")), folder)
    }

    func variants(_ json: String) throws -> [[String: Any]] {
        try #require(try jsonObject(json)["variants"] as? [[String: Any]])
    }

    @Test func learningRatesTooSmallGoodAndTooBigWithTheDivergingOneReportedAsDiverged() throws {
        let (text, page, _) = try compare(["--learning-rates", "0.001,0.1,3", "--format", "json"])
        let object = try jsonObject(text)
        #expect(object["axis"] as? String == "learning rate")
        let rows = try variants(text)
        #expect(rows.map { $0["name"] as? String } == ["lr 0.001", "lr 0.1", "lr 3"])
        #expect(rows.map { $0["diverged"] as? Bool } == [false, false, true])
        #expect(rows[2]["stoppedBecause"] as? String == "diverged")
        // Linear regression by SGD on builtin:linear (1000 samples, 800 after the validation split, 25 batches of 32):
        // the two that do not diverge take all 10 epochs; the one that diverges stops within its first two epochs.
        #expect(rows[0]["steps"] as? Int == 250 && rows[1]["steps"] as? Int == 250)
        let divergedSteps = try #require(rows[2]["steps"] as? Int)
        #expect(divergedSteps > 0 && divergedSteps <= 50)
        // 0.1 converges: its loss ends far below 0.001's, which has barely moved. (The target is
        // standardised, so the loss starts near 1, the variance of the standardised target.)
        let small = try #require(rows[0]["finalLoss"] as? Double), good = try #require(rows[1]["finalLoss"] as? Double)
        #expect(good < 0.01 && small > 0.1)
        // The best validation value is the mse, lower is better, at an epoch of the run.
        let best = try #require(rows[1]["bestValidation"] as? [String: Any])
        #expect(best["metric"] as? String == "mse" && (best["epoch"] as? Int ?? 0) >= 1)

        // The page: four charts with the three variants each; the diverged one named so and ended with a marker.
        #expect(page.chartTitles == ["Training loss by epoch: learning rate", "Training loss by wall-clock time: learning rate",
                                     "Batch loss of every step: learning rate", "Validation mse by epoch: learning rate"])
        let names = ["lr 0.001", "lr 0.1", "lr 3 — diverged at step \(divergedSteps)"]
        for title in page.chartTitles { #expect(try page.seriesNames(ofChartTitled: title) == names + [""]) }
        #expect(page.elements.all("text").map(\.text).filter { $0 == "lr 3: diverged" }.count == 2)
        // The table: a row per variant; the last column says whether it diverged.
        #expect(page.elements.all("tr").count == 1 + 3)
        #expect(page.elements.all("td").map(\.text).filter { $0 == "yes" || $0 == "no" } == ["no", "no", "yes"])
    }

    @Test func batchSizesTakeOneStepPerSampleOnePerBatchAndOnePerEpoch() throws {
        let plot = TemporaryPlot()
        let (text, page, _) = try compare(["--batch-sizes", "1,32,full", "--epochs", "3", "--format", "json", "--plot", plot.path])
        let rows = try variants(text)
        #expect(rows.map { $0["name"] as? String } == ["batch size 1 (stochastic GD)", "batch size 32 (mini-batch GD)", "full batch (batch GD)"])
        // builtin:moons has 200 samples; 160 train after the 20 % validation split: 160, ⌈160/32⌉ = 5 and 1 steps per epoch.
        #expect(rows.map { $0["steps"] as? Int } == [480, 15, 3])
        #expect(rows.allSatisfy { $0["diverged"] as? Bool == false && ($0["seconds"] as? Double ?? -1) >= 0 })
        #expect(page.chartTitles.first == "Training loss by epoch: batch size")
        // Each epoch curve starts before training (epoch 0): 4 dots for 3 epochs, the same start for every variant (same seed, same model).
        let series = try page.seriesNames(ofChartTitled: "Training loss by epoch")
        #expect(series.count == 3)
        // The epoch, time and validation charts each draw the 4 points.
        for name in series { #expect(page.elements.dots(of: name).count == 4 * 3) }
        // --plot: the loss by epoch over the loss by wall-clock time, three series each.
        let svg = try #require(SVGElements.parse(try plot.read()))
        #expect(svg.all("svg").count == 3)
        #expect(svg.seriesNames == series + series)
        #expect(svg.all("title").map(\.text) == ["Training loss by epoch: batch size", "Training loss by wall-clock time: batch size"])
    }

    @Test func optimizersModelsInitsAndSchedulesAreAxesToo() throws {
        let optimizers = try compare(["--optimizers", "sgd(lr: 0.1)", "sgd(lr: 0.1, momentum: 0.9)", "adam", "--epochs", "2", "--format", "json"])
        #expect(try variants(optimizers.text).map { $0["name"] as? String } == ["sgd(lr: 0.1)", "sgd(lr: 0.1, momentum: 0.9)", "adam"])
        let models = try compare(["--models", "linear", "mlp(8)", "--epochs", "2", "--format", "json"])
        #expect(try variants(models.text).map { $0["name"] as? String } == ["linear", "mlp(8)"])
        let inits = try compare(["--inits", "kaiming-normal,zeros", "--epochs", "2", "--format", "json"])
        #expect(try variants(inits.text).map { $0["name"] as? String } == ["init: kaiming-normal", "init: zeros"])
        let schedules = try compare(["--schedules", "none", "cosine(tMax: 10)", "--epochs", "2", "--format", "json"])
        #expect(try variants(schedules.text).map { $0["name"] as? String } == ["constant rate", "cosine(tMax: 10)"])
    }

    @Test func specsAreEditedNotRetyped() throws {
        #expect(try CompareCommand.setting(["learningRate", "lr"], to: .number(0.5), in: "sgd(learningRate: 0.1, momentum: 0.9)", as: "lr")
                == "sgd(momentum: 0.9, lr: 0.5)")
        #expect(try CompareCommand.setting(["init"], to: .word("zeros"), in: "mlp(32)", as: "init") == "mlp(32, init: zeros)")
        #expect(try CompareCommand.setting(["init"], to: .word("zeros"), in: "linear", as: "init") == "linear(init: zeros)")
    }

    @Test func exactlyOneVariantAxisIsRequired() throws {
        #expect(throws: ValidationError.self) { try CompareCommand.parse([]).variantAxis() }
        do {
            _ = try CompareCommand.parse(["--batch-sizes", "1,32", "--learning-rates", "0.1"]).variantAxis()
            Issue.record("two axes were accepted")
        } catch let error as ValidationError {
            #expect(error.message.contains("--batch-sizes, --learning-rates"))
        }
        #expect(throws: ValidationError.self) { try CompareCommand.parse(["--learning-rates", "fast"]).variantAxis() }
    }

    @Test func textTableHasAHeaderAndARowPerVariant() throws {
        let (text, _, folder) = try compare(["--optimizers", "sgd(lr: 0.1)", "adam", "--epochs", "1"])
        let lines = text.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("optimizer") && lines[0].hasSuffix("diverged"))
        #expect(lines[1].hasPrefix("sgd(lr: 0.1)") && lines[2].hasPrefix("adam"))
        #expect(lines[3] == "wrote \(folder.path("out/compare.html"))")
    }

    /// Issue 20: a second comparison into the same folder replaced the report without a word.
    @Test func aSecondComparisonSaysItReplacedTheReport() throws {
        let (_, _, folder) = try compare(["--optimizers", "sgd(lr: 0.1)", "--epochs", "1"])
        let second = try CompareCommand.parse(["--optimizers", "adam", "--epochs", "1", "--output", folder.path("out")]).output()
        #expect(second.split(separator: "\n").last! == "wrote \(folder.path("out/compare.html")) (it replaced the report of an earlier comparison there; give --output another folder to keep both)")
        var notes: [String] = []
        _ = try CompareCommand.parse(["--optimizers", "adam", "--epochs", "1", "--format", "json", "--output", folder.path("out")]).output(notes: &notes)
        #expect(notes.count == 1 && notes[0].contains("replaced the report"))
    }
}

/// Issue 20: the time column read 0.00–0.01 seconds for short runs; it is in milliseconds.
@Suite struct CompareTimeColumnTests {
    @Test func shortRunsReadInMilliseconds() {
        #expect(CompareReport.milliseconds(0.00421) == "4.21" && CompareReport.milliseconds(0.0375) == "37.5")
        #expect(CompareReport.milliseconds(1.25) == "1250")
    }
}

/// Issue 20: the learning-rate comparison reused the captions written for batch sizes.
@Suite struct CompareCaptionTests {
    @Test func eachAxisHasItsOwnLesson() {
        #expect(CompareReport.lesson(for: "batch size").byStep.contains("Small batches"))
        #expect(CompareReport.lesson(for: "learning rate").byEpoch.contains("Too small a rate"))
        #expect(!CompareReport.lesson(for: "learning rate").byTime.contains("batch"))
        #expect(CompareReport.lesson(for: "optimizer") == ("", "", ""))
    }
}
