import Foundation
import Testing
@testable import DescentCLI
import Descent

@Suite struct GradcheckCommandTests {
    @Test func tableListsEveryParameterWithItsVerdict() throws {
        let text = try GradcheckCommand.parse([
            "--model", "mlp(5, 4, activation: relu)", "--inputs", "4", "--outputs", "3", "--loss", "cross-entropy", "--seed", "0",
        ]).output()
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("loss: "))
        #expect(lines.contains { $0.hasPrefix("parameter") && $0.contains("max relative error") && $0.contains("verdict") })
        for (name, shape) in [("0.weight", "[5, 4]"), ("0.bias", "[5]"), ("2.weight", "[4, 5]"), ("4.weight", "[3, 4]"), ("4.bias", "[3]")] {
            let row = try #require(lines.first { $0.hasPrefix(name + " ") }, "\(name) missing in\n\(text)")
            #expect(row.contains(shape) && row.hasSuffix(" ok"), "\(row)")
        }
    }

    struct Report: Decodable {
        struct Parameter: Decodable {
            var name: String
            var shape: [Int]
            var maxRelativeError: Double
        }
        var loss: Double
        var parameters: [Parameter]
    }

    @Test func jsonHasTheShapeFromTheIssue() throws {
        let text = try GradcheckCommand.parse([
            "--model", "mlp(5, 4, activation: relu)", "--inputs", "4", "--outputs", "3", "--loss", "cross-entropy",
            "--seed", "0", "--format", "json",
        ]).output()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["loss", "parameters"])
        let parameters = try #require(object["parameters"] as? [[String: Any]])
        #expect(parameters.map { $0["name"] as? String } == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"])
        #expect(Set(parameters[0].keys) == ["name", "shape", "analytic", "numeric", "maxRelativeError"])
        // Weights are nested by shape ([5, 4] → 5 rows of 4); biases are flat lists.
        let analytic = try #require(parameters[0]["analytic"] as? [[Double]])
        #expect(analytic.count == 5 && analytic.allSatisfy { $0.count == 4 })
        #expect((parameters[1]["numeric"] as? [Double])?.count == 5)
        let report = try JSONDecoder().decode(Report.self, from: Data(text.utf8))
        #expect(report.parameters.allSatisfy { $0.maxRelativeError < 1e-7 })
        // The same seed gives the same loss (fresh model and batch from the seed).
        let again = try GradcheckCommand.parse(["--model", "mlp(5, 4, activation: relu)", "--inputs", "4", "--outputs", "3",
                                                "--loss", "cross-entropy", "--seed", "0", "--format", "json"]).output()
        #expect(again == text)
    }

    @Test func usesGivenWeights() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gradcheck-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var generator = RandomGenerator(seed: 5)
        let model = Sequential<Double>.linearRegression(inputs: 3, outputs: 2, generator: &generator)
        model.parameters()[0].updateInPlace { for i in 0..<$0.count { $0[i] = 0 } }
        model.parameters()[1].updateInPlace { $0[0] = 1; $0[1] = -1 }
        let url = directory.appendingPathComponent("w.safetensors")
        try model.saveState(to: url)
        // Zero weights and bias [1, −1]: predictions are the bias; the default loss of `linear` is mse.
        let text = try GradcheckCommand.parse(["--model", "linear", "--inputs", "3", "--outputs", "2", "--weights", url.path,
                                               "--format", "json"]).output()
        let report = try JSONDecoder().decode(Report.self, from: Data(text.utf8))
        let bias = try #require(report.parameters.first { $0.name == "0.bias" })
        #expect(bias.maxRelativeError < 1e-7)
        // Wrong shapes are reported by name.
        #expect { try GradcheckCommand.parse(["--model", "linear", "--inputs", "4", "--outputs", "2", "--weights", url.path]).output() } throws: {
            "\($0)".contains("wrong shape for 0.weight")
        }
    }

    @Test func readsABatchFromCSVAndInfersSizes() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gradcheck-\(UUID()).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        try "a,b,label\n0.5,1.0,0\n-1.0,2.0,2\n0.3,-0.7,1\n1.5,0.2,2\n".write(to: url, atomically: true, encoding: .utf8)
        let text = try GradcheckCommand.parse(["--model", "softmax", "--data", url.path, "--target", "label", "--format", "json"]).output()
        let report = try JSONDecoder().decode(Report.self, from: Data(text.utf8))
        #expect(report.parameters.map(\.shape) == [[3, 2], [3]])  // 2 features, labels 0…2 ⇒ 3 classes
        #expect { try GradcheckCommand.parse(["--model", "softmax", "--data", url.path, "--target", "y"]).output() } throws: {
            "\($0)".contains("no column named \"y\"; the columns are: a, b, label")
        }
    }

    @Test func invalidArgumentsAreClearErrors() throws {
        #expect { try GradcheckCommand.parse(["--model", "mlp(4)", "--inputs", "2"]) } throws: { "\($0)".contains("--outputs") || "\(GradcheckCommand.message(for: $0))".contains("--outputs") }
        #expect { try GradcheckCommand.parse(["--model", "mlp(4)", "--inputs", "2", "--outputs", "2"]).output() } throws: {
            "\($0)".contains("--loss is needed")
        }
        #expect { try GradcheckCommand.parse(["--model", "mlp(4)", "--inputs", "2", "--outputs", "2", "--loss", "hinge"]).output() } throws: {
            "\($0)".contains("valid losses")
        }
        #expect { try GradcheckCommand.parse(["--model", "resnet", "--inputs", "2", "--outputs", "2"]).output() } throws: {
            "\($0)".contains("valid models")
        }
    }
}
