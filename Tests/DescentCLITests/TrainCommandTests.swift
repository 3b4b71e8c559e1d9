import ArgumentParser
import Descent
import Foundation
import Testing
@testable import DescentCLI

@Suite struct TrainCommandTests {
    @Test func jsonReportHasExactlyTheKeysOfTheIssue() throws {
        let text = try TrainCommand.parse([
            "--data", "builtin:moons(count: 200)", "--test", "builtin:moons(count: 100)", "--model", "mlp(8)",
            "--epochs", "3", "--validation-split", "0.2", "--format", "json",
        ]).output()
        let report = try jsonObject(text)
        #expect(Array(report.keys).sorted() == ["epochs", "memory", "processes", "stoppedBecause", "test", "timing", "train", "validation"])
        #expect(report["processes"] as? Int == 1)
        #expect(report["stoppedBecause"] as? String == "completed" && report["epochs"] as? Int == 3)
        for part in ["train", "validation", "test"] {
            let values = try #require(report[part] as? [String: Double], "\(part) in \(text)")
            #expect(Array(values.keys).sorted() == ["accuracy", "loss"])
            #expect(values["accuracy"]! >= 0 && values["accuracy"]! <= 1 && values["loss"]! > 0)
        }
        let timing = try #require(report["timing"] as? [String: Double])
        #expect(Array(timing.keys).sorted() == ["checkpointSeconds", "fullLossSeconds", "loadSeconds", "samplesPerSecond", "trainSeconds"])
        let memory = try #require(report["memory"] as? [String: Any])
        #expect(Array(memory.keys).sorted() == ["limitBytes", "peakBytes", "streamed"] && memory["streamed"] as? Bool == false)
        #expect(timing["samplesPerSecond"]! > 0)
        // The keys come in the issue's order.
        #expect(text.hasPrefix("{\"stoppedBecause\": \"completed\", \"epochs\": 3, \"train\": {\"loss\": "))
    }

    @Test func regressionReportsMSEAndNoValidationByDefault() throws {
        let report = try jsonObject(TrainCommand.parse(["--data", "builtin:linear(count: 200)", "--epochs", "2", "--format", "json"]).output())
        #expect(Array((report["train"] as? [String: Double] ?? [:]).keys).sorted() == ["loss", "mse"])
        #expect(report["validation"] is NSNull && report["test"] is NSNull)
    }

    @Test func outputFolderHoldsModelPreprocessingConfigHistoryAndCheckpoints() throws {
        let folder = try TrainTestFolder()
        let run = folder.path("run")
        _ = try TrainCommand.parse(["--data", "builtin:spirals(count: 150)", "--epochs", "4", "--model", "mlp(8)", "--output", run,
                                    "--validation-split", "0.2", "--checkpoint-every", "2"]).output()
        for file in ["model.safetensors", "preprocessing.json", "config.json", "history.json", "history-epochs.csv", "history-steps.csv",
                     "checkpoints/best.ckpt", "checkpoints/checkpoint-000000016.ckpt", "checkpoints/checkpoint-000000008.ckpt"] {
            #expect(folder.exists("run/" + file), "\(file) missing")
        }
        // 120 training rows (80% of 150) in batches of 32 → 4 steps per epoch; checkpoints after epochs 2 and 4.
        let epochs = try folder.read("run/history-epochs.csv").split(separator: "\n")
        #expect(epochs.count == 5 && epochs[0].hasPrefix("epoch,steps,learning_rate,train.batchLoss,train.loss,train.accuracy,validation.loss,validation.accuracy"))
        #expect(try folder.read("run/history-steps.csv").split(separator: "\n").count == 17)
        let preprocessing = try jsonObject(folder.read("run/preprocessing.json"))
        #expect(preprocessing["task"] as? String == "classification" && preprocessing["classNames"] as? [String] == ["0", "1", "2"])
        #expect(preprocessing["standardizer"] is [String: Any] && preprocessing["loss"] as? String == "cross-entropy")
        let model = try SafeTensorsArchive(contentsOf: URL(fileURLWithPath: folder.path("run/model.safetensors")))
        #expect(model.names == ["0.bias", "0.weight", "2.bias", "2.weight"] && model.tensors["2.weight"]?.shape == [3, 8])
    }

    @Test func configFileFillsOptionsAndTheCommandLineWins() throws {
        let folder = try TrainTestFolder()
        let config = try folder.write("run.json", """
            {"data": "builtin:moons(count: 100)", "epochs": 2, "model": "mlp(4)", "batch-size": 10, "optimizer": "sgd(lr: 0.1)"}
            """)
        _ = try TrainCommand.parse(["--config", config, "--epochs", "3", "--output", folder.path("run")]).output()
        let history = try TrainingHistory(jsonData: Data(contentsOf: URL(fileURLWithPath: folder.path("run/history.json"))))
        #expect(history.epochs.count == 3 && history.steps.count == 30)   // 100 rows / 10 per batch × 3 epochs
        #expect(history.steps.allSatisfy { $0.learningRate == 0.1 })
        let saved = try jsonObject(folder.read("run/config.json"))
        #expect(saved["model"] as? String == "mlp(4)" && saved["batchSize"] as? String == "10" && saved["epochs"] as? Int == 3)
        let bad = try folder.write("bad.json", "{\"data\": \"builtin:moons\", \"epoch\": 3}")
        let error = try #require(throws: ValidationError.self) { try TrainCommand.parse(["--config", bad]).output() }
        #expect(error.message.contains("unknown key `epoch`") && error.message.contains("epochs"))
    }

    @Test func nanInTheDataIsRejectedBeforeTrainingWithRowAndColumn() throws {
        let folder = try TrainTestFolder()
        let file = try folder.write("data.csv", "a,b,label\n1,2,0\n3,4,1\n5,nan,0\n7,8,1\n")
        let error = try #require(throws: ValidationError.self) { try TrainCommand.parse(["--data", file, "--output", folder.path("run")]).output() }
        // Line 4 of the file (the third data row), column 2, named b.
        #expect(error.message.contains("data.csv:4:2") && error.message.contains("column \"b\"") && error.message.contains("NaN"))
        #expect(!folder.exists("run"))
    }

    @Test func theTaskIsInferredFromTheTarget() throws {
        let folder = try TrainTestFolder()
        func task(_ name: String, _ csv: String) throws -> (String?, [String]?) {
            let file = try folder.write(name + ".csv", csv)
            _ = try TrainCommand.parse(["--data", file, "--epochs", "1", "--output", folder.path(name)]).output()
            let preprocessing = try jsonObject(folder.read(name + "/preprocessing.json"))
            return (preprocessing["task"] as? String, preprocessing["classNames"] as? [String])
        }
        // Whole numbers with few distinct values: classes, labelled as written.
        let integers = try task("integers", "x,y\n" + (0..<30).map { "\(Double($0) / 10),\($0 % 3)" }.joined(separator: "\n"))
        #expect(integers.0 == "classification" && integers.1 == ["0", "1", "2"])
        // Text labels: classes in sorted order.
        let text = try task("text", "x,y\n" + (0..<30).map { "\($0),\(["cat", "dog"][$0 % 2])" }.joined(separator: "\n"))
        #expect(text.0 == "classification" && text.1 == ["cat", "dog"])
        // Fractions: regression.
        let real = try task("real", "x,y\n" + (0..<30).map { "\($0),\(Double($0) * 0.37)" }.joined(separator: "\n"))
        #expect(real.0 == "regression" && real.1 == nil)
    }

    @Test func aDivergingLearningRateStopsWithTheAdviceAndANonZeroExit() throws {
        let folder = try TrainTestFolder()
        let command = try TrainCommand.parse(["--data", "builtin:linear(count: 200)", "--optimizer", "sgd(lr: 1000000)", "--epochs", "10",
                                              "--format", "json", "--output", folder.path("run")])
        let outcome = try command.execute(progress: .quiet, handleInterrupts: false)
        #expect(outcome.exitCode != 0)
        #expect(try jsonObject(outcome.text)["stoppedBecause"] as? String == "diverged")
        let message = outcome.messages.joined(separator: "\n")
        #expect(message.contains("training diverged at epoch 1, step "))
        #expect(message.contains("(1000000) is probably too big") && message.contains("100000 (a tenth)") && message.contains("descent lr-find"))
        #expect(!folder.exists("run/model.safetensors"))
    }

    @Test func theSameSeedAndConfigurationGiveTheSameResults() throws {
        let folder = try TrainTestFolder()
        func run(_ name: String) throws -> (Data, [String: Any]) {
            let text = try TrainCommand.parse(["--data", "builtin:spirals(count: 120)", "--model", "mlp(8, dropout: 0.2)", "--epochs", "3",
                                               "--seed", "7", "--validation-split", "0.25", "--format", "json", "--output", folder.path(name)]).output()
            var report = try jsonObject(text)
            report.removeValue(forKey: "timing")
            report.removeValue(forKey: "memory")
            return (try Data(contentsOf: URL(fileURLWithPath: folder.path(name + "/model.safetensors"))), report)
        }
        let (a, reportA) = try run("a"), (b, reportB) = try run("b")
        #expect(a == b)
        #expect(NSDictionary(dictionary: reportA).isEqual(to: reportB))
    }

    @Test func resumeRefusesAChangedConfiguration() throws {
        let folder = try TrainTestFolder()
        let run = folder.path("run")
        _ = try TrainCommand.parse(["--data", "builtin:moons(count: 80)", "--epochs", "2", "--output", run]).output()
        let error = try #require(throws: ValidationError.self) {
            try TrainCommand.parse(["--data", "builtin:moons(count: 80)", "--epochs", "3", "--optimizer", "sgd", "--output", run, "--resume"]).output()
        }
        #expect(error.message.contains("optimizer") && error.message.contains("cannot resume"))
        // More epochs with the same settings continue the run (the saved config.json fills the rest).
        _ = try TrainCommand.parse(["--epochs", "3", "--output", run, "--resume"]).output()
        let history = try TrainingHistory(jsonData: Data(contentsOf: URL(fileURLWithPath: folder.path("run/history.json"))))
        #expect(history.epochs.map(\.epoch) == [1, 2, 3])
    }
}

/// `--verbose` says how each step runs, and the report records it: the compiled step for an
/// MLP, the plain loop with the compiled step's own refusal for a model it cannot run (here a
/// BatchNorm1d, which has no compiled form). The expected texts come from `TrainingStepPath`.
@Suite struct TrainingStepVisibilityTests {
    @Test func verboseOutputAndReportNameTheStep() throws {
        let folder = try TrainTestFolder()
        let compiled = try TrainCommand.parse(["--data", "builtin:moons(count: 60)", "--model", "mlp(4)", "--epochs", "1",
                                               "--verbose", "--quiet", "--output", folder.path("a")])
            .execute(progress: .quiet, handleInterrupts: false)
        #expect(compiled.messages.contains("training step: compiled step"), "\(compiled.messages)")
        let report = try String(contentsOfFile: folder.path("a") + "/report.html", encoding: .utf8)
        #expect(report.contains("training step") && report.contains("compiled step"))

        let plain = try TrainCommand.parse(["--data", "builtin:moons(count: 60)", "--model", "mlp(4, batchNorm: true)",
                                            "--epochs", "1", "--verbose", "--quiet"])
            .execute(progress: .quiet, handleInterrupts: false)
        let line = try #require(plain.messages.first { $0.hasPrefix("training step: ") }, "\(plain.messages)")
        #expect(line.hasPrefix("training step: plain loop (autodiff): CompiledStep: layer 1 (BatchNorm1d"), "\(line)")
    }
}
