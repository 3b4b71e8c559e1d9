import ArgumentParser
import Foundation
import Testing
@testable import DescentCLI

/// The commands of the DocC article "Training from a CSV file with the command line", run as
/// the article writes them on the file its Swift snippet writes (issue 20: every documentation
/// snippet checked by a test).
@Suite struct DocumentationCommandsTests {
    static let article = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Descent/Descent.docc/TrainingFromACSV.md")

    /// The article's `sh` block, each command without its comment.
    static func articleCommands() throws -> [String] {
        let text = try String(contentsOf: article, encoding: .utf8)
        let block = try #require(text.components(separatedBy: "```sh\n").dropFirst().first?.components(separatedBy: "```").first)
        return block.split(separator: "\n").map { line in
            String(line.split(separator: "#", maxSplits: 1).first ?? "").trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
    }

    @Test func theArticlesCommandsRunOnItsFile() throws {
        let folder = try TrainTestFolder()
        // The article's snippet: 200 houses, price = 3·size + 10·rooms.
        var rows = ["size,rooms,price"]
        for i in 0..<200 { rows.append("\(50 + i),\(1 + i % 5),\(3 * (50 + i) + 10 * (1 + i % 5))") }
        try folder.write("houses.csv", rows.joined(separator: "\n"))
        let commands = try Self.articleCommands()
        #expect(commands.count == 4 && commands.allSatisfy { $0.hasPrefix("descent ") }, "\(commands)")
        // The article's relative file names, in the test's folder (the working directory is
        // process-wide state that other tests read, so it is not changed).
        let files = ["houses.csv", "run", "predictions.csv"]
        var outputs: [String] = []
        for command in commands {
            let words = command.split(separator: " ").dropFirst().map { files.contains(String($0)) ? folder.path(String($0)) : String($0) }
            var parsed = try DescentCommand.parseAsRoot(words)
            if let inspect = parsed as? DataInspectCommand { outputs.append(try inspect.output()); continue }
            if let train = parsed as? TrainCommand { outputs.append(try train.output()); continue }
            if let evaluate = parsed as? EvaluateCommand { outputs.append(try evaluate.output()); continue }
            if let predict = parsed as? PredictCommand { outputs.append(try predict.output()); continue }
            try parsed.run()
        }
        #expect(folder.exists("run/model.safetensors") && folder.exists("run/report.html") && folder.exists("predictions.csv"))
        #expect(outputs.count == 4 && outputs[2].contains("mse"), "\(outputs)")
    }
}
