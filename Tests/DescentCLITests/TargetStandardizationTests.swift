import ArgumentParser
import Descent
import Foundation
import Testing
@testable import DescentCLI

/// Regression targets are standardised by default (issue 15, "defaults that learn"), and the
/// numbers a user reads stay in the target's units.
@Suite struct TargetStandardizationTests {
    /// scikit-learn's diabetes data and ordinary least squares' test MSE on it, written by
    /// `Fixtures/diabetes/make_diabetes.py` (scikit-learn's LinearRegression).
    static func diabetes(_ name: String) throws -> String {
        try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/diabetes")).path
    }
    static func expected() throws -> [String: Any] {
        try jsonObject(String(contentsOfFile: diabetes("expected.json"), encoding: .utf8))
    }

    @Test func defaultsReachLinearRegressionOnDiabetes() throws {
        let expected = try Self.expected()
        let linear = try #require(expected["linearRegressionTestMSE"] as? Double)
        let report = try jsonObject(TrainCommand.parse(["--data", Self.diabetes("train.csv"), "--target", "progression",
                                                        "--test", Self.diabetes("test.csv"), "--format", "json"]).output())
        let test = try #require(report["test"] as? [String: Double])
        let mse = try #require(test["mse"])
        #expect(mse <= 1.1 * linear, "test MSE \(mse) with the defaults; linear regression reaches \(linear)")
        // The loss is on the standardised target (about mse/σ², far below the mse in units).
        #expect(try #require(test["loss"]) < 1)
    }

    @Test func withoutStandardizationTheSameRunIsFarWorse() throws {
        // The failure the issue reports: the unscaled target (σ ≈ 77) leaves Adam at lr 0.001
        // far from the minimum after 20 epochs, worse than predicting the mean.
        let expected = try Self.expected()
        let mean = try #require(expected["meanPredictionTestMSE"] as? Double)
        let report = try jsonObject(TrainCommand.parse(["--data", Self.diabetes("train.csv"), "--target", "progression",
                                                        "--test", Self.diabetes("test.csv"), "--no-standardize-target",
                                                        "--format", "json"]).output())
        let mse = try #require((report["test"] as? [String: Double])?["mse"])
        #expect(mse > mean)
    }

    @Test func evaluateAndPredictUndoTheStandardization() throws {
        let folder = try TrainTestFolder()
        let run = folder.path("run")
        let train = try Self.diabetes("train.csv"), test = try Self.diabetes("test.csv")
        let report = try jsonObject(TrainCommand.parse(["--data", train, "--target", "progression", "--test", test, "--format", "json",
                                                        "--output", run]).output())
        let trained = try #require((report["test"] as? [String: Double])?["mse"])
        let preprocessing = try ModelFolder.preprocessing(in: URL(fileURLWithPath: run))
        let target = try #require(preprocessing.targetStandardizer)
        // μ and σ of the training targets (population σ, as Standardizer.fit), computed here from the file.
        let values = try String(contentsOfFile: train, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { try #require(Double($0.split(separator: ",").last.map(String.init) ?? "")) }
        let mu = values.reduce(0, +) / Double(values.count)
        let sigma = (values.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(values.count)).squareRoot()
        #expect(abs(target.mean[0] - mu) < 1e-9 * mu && abs(target.standardDeviation[0] - sigma) < 1e-9 * sigma)

        let evaluated = try jsonObject(EvaluateCommand.parse(["--model", run, "--data", test, "--format", "json"]).output())
        #expect(evaluated["mse"] as? Double == trained)

        // The predictions' MSE against the test file's targets is that same number, in units.
        let predictions = try PredictCommand.parse(["--model", run, "--data", test]).output().split(separator: "\n").dropFirst()
            .map { try #require(Double($0)) }
        let actual = try String(contentsOfFile: test, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { try #require(Double($0.split(separator: ",").last.map(String.init) ?? "")) }
        try #require(predictions.count == actual.count)
        let mse = zip(predictions, actual).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(actual.count)
        #expect(abs(mse - trained) < 1e-3 * trained, "predict's MSE \(mse), train's \(trained)")
    }
}
