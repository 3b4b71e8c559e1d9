import ArgumentParser
import Descent
import Foundation
import Testing
@testable import DescentCLI

/// The data-reading options of `descent train` (issue 15): target, delimiter, header, dropped and
/// categorical columns, missing values.
@Suite struct DataOptionsTests {
    /// `y = 2·a − b` with a text column and an id column; rows given by hand.
    static let table = """
        id,a,b,colour,y
        1,0.5,1.0,red,0.0
        2,1.0,0.5,blue,1.5
        3,1.5,0.0,red,3.0
        4,2.0,1.5,green,2.5
        5,2.5,1.0,blue,4.0
        6,3.0,0.5,red,5.5
        """ + "\n"

    @Test func targetMinusOneIsTheLastColumnAsTheHelpSays() throws {
        let folder = try TrainTestFolder()
        let file = try folder.write("t.csv", "a,b,y\n1,2,3\n2,3,5\n3,4,7\n4,5,9\n5,6,11\n6,7,13\n")
        let report = try jsonObject(TrainCommand.parse(["--data", file, "--target", "-1", "--task", "regression", "--epochs", "1",
                                                        "--format", "json"]).output())
        #expect(report["train"] as? [String: Double] != nil)
    }

    @Test func aSemicolonFileIsDetectedAndAWrongDelimiterNamesTheRightOne() throws {
        let folder = try TrainTestFolder()
        let file = try folder.write("s.csv", Self.table.replacingOccurrences(of: ",", with: ";"))
        let detected = try jsonObject(TrainCommand.parse(["--data", file, "--drop", "id", "--categorical", "colour", "--task", "regression",
                                                          "--epochs", "1", "--format", "json"]).output())
        #expect(detected["train"] is [String: Double])
        do {
            _ = try TrainCommand.parse(["--data", file, "--delimiter", ",", "--epochs", "1"]).output()
            Issue.record("a semicolon file read with commas trained")
        } catch {
            // Every row is one field: no feature column, and the message names the delimiter to give.
            #expect("\(error)".contains("--delimiter ';'"), "\(error)")
        }
    }

    @Test func dropCategoricalAndTheirSavedEncodingServeEvaluateAndPredict() throws {
        let folder = try TrainTestFolder()
        let file = try folder.write("t.csv", Self.table)
        let run = folder.path("run")
        let report = try jsonObject(TrainCommand.parse(["--data", file, "--drop", "id", "--categorical", "colour", "--task", "regression",
                                                        "--epochs", "2", "--format", "json", "--output", run]).output())
        let preprocessing = try ModelFolder.preprocessing(in: URL(fileURLWithPath: run))
        // a, b, then colour one-hot in sorted order; no id.
        #expect(preprocessing.featureNames == ["a", "b", "colour=blue", "colour=green", "colour=red"])
        #expect(preprocessing.reading?.drop == ["id"] && preprocessing.encoder?.columns.first?.categories == ["blue", "green", "red"])
        let evaluated = try jsonObject(EvaluateCommand.parse(["--model", run, "--data", file, "--format", "json"]).output())
        #expect(evaluated["mse"] as? Double == (report["train"] as? [String: Double])?["mse"])
        // Predicting on the features alone (no target column), read with the saved options.
        let features = try folder.write("new.csv", "id,a,b,colour\n7,0.5,0.5,green\n8,1,1,red\n")
        let predictions = try PredictCommand.parse(["--model", run, "--data", features]).output().split(separator: "\n")
        #expect(predictions.count == 3 && predictions.dropFirst().allSatisfy { Double($0) != nil })
    }

    @Test func missingValuesAreAnErrorOrDroppedOrFilledWithTheTrainingMean() throws {
        let folder = try TrainTestFolder()
        // Row 3 lacks b; the training mean of b over the other five rows is (1 + 0.5 + 1.5 + 1 + 0.5) / 5 = 0.9.
        let file = try folder.write("m.csv", "a,b,y\n0.5,1.0,0.0\n1.0,0.5,1.5\n1.5,,3.0\n2.0,1.5,2.5\n2.5,1.0,4.0\n3.0,0.5,5.5\n")
        let base = ["--data", file, "--task", "regression", "--epochs", "1", "--format", "json"]
        #expect(throws: ValidationError.self) { try TrainCommand.parse(base).output() }
        _ = try TrainCommand.parse(base + ["--missing", "drop"]).output()
        let run = folder.path("run")
        _ = try TrainCommand.parse(base + ["--missing", "mean", "--output", run]).output()
        let fill = try #require(try ModelFolder.preprocessing(in: URL(fileURLWithPath: run)).fillValues?["b"])
        #expect(abs(fill - 0.9) < 1e-12)
        // Prediction fills a missing b with the training mean, not the new file's.
        let new = try folder.write("p.csv", "a,b\n1.0,\n1.0,0.9\n")
        let predictions = try PredictCommand.parse(["--model", run, "--data", new]).output().split(separator: "\n")
        #expect(predictions.count == 3 && predictions[1] == predictions[2])
    }

    @Test func anIDColumnIsWarnedAboutAndAHeaderlessFileIsRead() throws {
        let folder = try TrainTestFolder()
        let file = try folder.write("t.csv", Self.table)
        let outcome = try TrainCommand.parse(["--data", file, "--categorical", "colour", "--task", "regression", "--epochs", "1"])
            .execute(progress: .quiet, handleInterrupts: false)
        #expect(outcome.messages.contains { $0.contains("\"id\"") && $0.contains("--drop id") }, "\(outcome.messages)")
        let headerless = try folder.write("h.csv", "1,2,3\n2,3,5\n3,4,7\n4,5,9\n")
        let report = try jsonObject(TrainCommand.parse(["--data", headerless, "--no-header", "--task", "regression", "--epochs", "1",
                                                        "--format", "json", "--test", headerless]).output())
        #expect(report["test"] is [String: Double])
    }

    @Test func inspectExitsNonZeroWhenTrainingWouldStop() throws {
        let folder = try TrainTestFolder()
        let bad = try folder.write("s.csv", "a;b;y\n1;2;3\n2;3;4\n")
        let report = try DataInspectCommand.parse([bad, "--delimiter", ","]).report()
        #expect(report.stopsTraining)
        #expect(throws: ExitCode.self) { try DataInspectCommand.parse([bad, "--delimiter", ","]).run() }
        // Detected, the same file is fine.
        #expect(try !DataInspectCommand.parse([bad]).report().stopsTraining)
    }
}
