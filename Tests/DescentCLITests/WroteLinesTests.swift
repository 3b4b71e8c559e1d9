import Foundation
import Testing
@testable import DescentCLI

/// Every command that writes files says so (issue 20, "wrote FILE" for every file written).
@Suite struct WroteLinesTests {
    @Test func trainNamesTheFolderAndTheFilesItWrote() throws {
        let folder = try TrainTestFolder()
        let run = folder.path("run")
        let text = try TrainCommand.parse(["--data", "builtin:moons(count: 100)", "--epochs", "1", "--model", "mlp(4)", "--output", run]).output()
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("wrote ") })
        #expect(line.hasPrefix("wrote \(run)/: model.safetensors, report.html"))
        for file in ["model.safetensors", "report.html", "preprocessing.json", "config.json", "history.json"] {
            #expect(line.contains(file) && folder.exists("run/\(file)"), "\(file): \(line)")
        }
    }
}
