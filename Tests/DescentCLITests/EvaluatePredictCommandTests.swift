import ArgumentParser
import Descent
import Foundation
import Testing
@testable import DescentCLI

@Suite struct EvaluatePredictCommandTests {
    /// Three classes with text labels, separable by the two features; the test file lacks one
    /// class's rows at the start, so its labels would be numbered differently on their own.
    static func table(rows: Range<Int>, labels: Bool = true) -> String {
        let names = ["setosa", "versicolor", "virginica"]
        var lines = [labels ? "width,length,species" : "width,length"]
        for i in rows {
            let c = i % 3
            let x = Double(c) * 2 + Double(i % 5) * 0.1, y = Double(c) - Double(i % 7) * 0.05
            lines.append(labels ? "\(x),\(y),\(names[c])" : "\(x),\(y)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func evaluateGivesTheTrainReportsTestNumbers() throws {
        let folder = try TrainTestFolder()
        let train = try folder.write("train.csv", Self.table(rows: 0..<90))
        let test = try folder.write("test.csv", Self.table(rows: 91..<120))
        let report = try jsonObject(TrainCommand.parse(["--data", train, "--test", test, "--epochs", "5", "--model", "mlp(8)",
                                                        "--format", "json", "--output", folder.path("run")]).output())
        let expected = try #require(report["test"] as? [String: Double])
        let evaluated = try jsonObject(EvaluateCommand.parse(["--model", folder.path("run"), "--data", test, "--format", "json"]).output())
        #expect(evaluated["samples"] as? Int == 29)
        // The same numbers (to the last bit the JSON parser keeps).
        #expect(abs((evaluated["loss"] as? Double ?? 0) - expected["loss"]!) <= 1e-12 && evaluated["accuracy"] as? Double == expected["accuracy"])
        let text = try EvaluateCommand.parse(["--model", folder.path("run"), "--data", test]).output()
        #expect(text.hasPrefix("29 samples  loss ") && text.contains("accuracy"))
    }

    @Test func predictWritesTheOriginalLabelsAndProbabilities() throws {
        let folder = try TrainTestFolder()
        let train = try folder.write("train.csv", Self.table(rows: 0..<90))
        _ = try TrainCommand.parse(["--data", train, "--epochs", "30", "--model", "mlp(8)", "--optimizer", "adam(lr: 0.05)",
                                    "--output", folder.path("run")]).output()
        // New data without the target column.
        let new = try folder.write("new.csv", Self.table(rows: 90..<99, labels: false))
        let lines = try PredictCommand.parse(["--model", folder.path("run"), "--data", new, "--probabilities"]).output().split(separator: "\n")
        #expect(lines[0] == "prediction,probability_setosa,probability_versicolor,probability_virginica")
        #expect(lines.count == 10)
        let truth = ["setosa", "versicolor", "virginica"]
        var correct = 0
        for (row, line) in lines.dropFirst().enumerated() {
            let cells = line.split(separator: ",").map(String.init)
            let p = cells.dropFirst().compactMap(Double.init)
            #expect(p.count == 3 && abs(p.reduce(0, +) - 1) < 1e-9)
            #expect(truth.contains(cells[0]) && cells[0] == truth[p.indices.max { p[$0] < p[$1] }!])
            if cells[0] == truth[(90 + row) % 3] { correct += 1 }
        }
        #expect(correct >= 8, "the classes are separable; \(correct) of 9 right")
        // --output writes the same CSV to a file.
        let message = try PredictCommand.parse(["--model", folder.path("run"), "--data", new, "--output", folder.path("p.csv")]).output()
        #expect(message == "wrote 9 predictions to \(folder.path("p.csv"))")
        #expect(try folder.read("p.csv").split(separator: "\n").first == "prediction")
    }

    @Test func predictRegressionValuesMatchTheModel() throws {
        let folder = try TrainTestFolder()
        _ = try TrainCommand.parse(["--data", "builtin:linear(count: 100)", "--epochs", "2", "--model", "linear", "--output", folder.path("run")]).output()
        let lines = try PredictCommand.parse(["--model", folder.path("run"), "--data", "builtin:linear(count: 100)"]).output().split(separator: "\n")
        #expect(lines[0] == "prediction" && lines.count == 101 && lines.dropFirst().allSatisfy { Double($0) != nil })
    }

    @Test func missingFolderOrColumnsAreExplained() throws {
        let folder = try TrainTestFolder()
        let missing = try #require(throws: ValidationError.self) {
            try EvaluateCommand.parse(["--model", folder.path("nothing"), "--data", "builtin:moons"]).output()
        }
        #expect(missing.message.hasPrefix("--model: there is no folder `\(folder.path("nothing"))`;"))
        let train = try folder.write("train.csv", Self.table(rows: 0..<30))
        _ = try TrainCommand.parse(["--data", train, "--epochs", "1", "--output", folder.path("run")]).output()
        let other = try folder.write("other.csv", "a,b\n1,2\n")
        let error = try #require(throws: ValidationError.self) { try PredictCommand.parse(["--model", folder.path("run"), "--data", other]).output() }
        #expect(error.message.contains("width"))
    }

    /// Issue 20: `predict --model no_such_run` said the folder "has no preprocessing.json".
    /// Expected: the folder named as missing, and a close name beside it offered.
    @Test func aMissingModelFolderIsNamedWithTheClosestOne() throws {
        let folder = try TrainTestFolder()
        _ = try TrainCommand.parse(["--data", "builtin:moons(count: 40)", "--epochs", "1", "--quiet", "--output", folder.path("run1")]).output()
        let error = try #require(throws: ValidationError.self) {
            try PredictCommand.parse(["--model", folder.path("rnu1"), "--data", "builtin:moons"]).output()
        }
        #expect(error.message == "--model: there is no folder `\(folder.path("rnu1"))` (did you mean `\(folder.path("run1"))`?); give the --output folder of `descent train`")
        let file = try folder.write("model.txt", "x")
        let notFolder = try #require(throws: ValidationError.self) { try EvaluateCommand.parse(["--model", file, "--data", "builtin:moons"]).output() }
        #expect(notFolder.message.contains("is a file"))
    }
}
