import ArgumentParser
import Descent
import Foundation
import Testing
@testable import DescentCLI

@Suite struct LRFindDemoCommandTests {
    @Test func lrFindPrintsTheSuggestionsAndReturnsTheSweep() throws {
        let arguments = ["--data", "builtin:moons(count: 200)", "--model", "mlp(16)", "--optimizer", "sgd", "--iterations", "60"]
        let sweep = try LRFindCommand.parse(arguments).sweep()
        #expect(sweep.learningRates.first == 1e-7 && sweep.learningRates.count <= 60 && sweep.learningRates.count == sweep.losses.count)
        let valley = try #require(sweep.valley)
        #expect(valley > 1e-7 && valley < 10)
        let text = try LRFindCommand.parse(arguments).output()
        #expect(text.contains("valley") && text.contains("steep") && text.contains("minimum") && text.contains("--optimizer \"sgd(lr: "))
        let json = try jsonObject(LRFindCommand.parse(arguments + ["--format", "json"]).output())
        // (JSONSerialization may round the last bit when it parses.)
        #expect(abs((json["valley"] as? Double ?? 0) - valley) <= 1e-12 * valley)
        #expect((json["learningRates"] as? [Double])?.count == sweep.learningRates.count)
    }

    @Test func demoTrainsOnSpiralsAndWritesTheFolder() throws {
        let folder = try TrainTestFolder()
        let text = try DemoCommand.parse(["--output", folder.path("demo"), "--epochs", "2"]).output()
        #expect(text.contains("w = 2.2500") && text.contains("stopped: completed after 2 epochs"))
        #expect(text.contains("validation  loss") && text.contains("accuracy"))
        #expect(folder.exists("demo/model.safetensors") && folder.exists("demo/history-epochs.csv") && folder.exists("demo/checkpoints"))
    }
}
