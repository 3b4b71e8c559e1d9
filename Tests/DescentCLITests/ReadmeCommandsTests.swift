import Descent
import Foundation
import Testing
@testable import DescentCLI

/// Every `descent` command of README.md's shell blocks, run as pasted (issue 20: the README pasted
/// line by line from a fresh clone), by the built `descent` executable in a folder that holds the
/// files the commands name, one after the other as a reader runs them (the resume line continues
/// the run the lines before it wrote). The Swift blocks are compiled and run by DescentDocsTests;
/// the build, install, test and documentation lines (`swift …`, `mkdir`, `cp`, `export`, `python3`)
/// are what a fresh clone checks by hand, and the playground's server has its own tests.
@Suite(.serialized) struct ReadmeCommandsTests {
    static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("README.md")

    /// Commands not run here, and why.
    static let skipped = ["descent playground": "a server that runs until stopped; PlaygroundBrowserTests drives it"]

    /// The README's shell commands, in order: each `sh` block's lines with `\` continuations
    /// joined, split into words as the shell does (quotes, comments).
    static func commands() throws -> [[String]] {
        let text = try String(contentsOf: readme, encoding: .utf8)
        var commands: [[String]] = []
        for block in text.components(separatedBy: "```sh\n").dropFirst() {
            guard let body = block.components(separatedBy: "```").first else { continue }
            let joined = body.replacingOccurrences(of: "\\\n", with: " ")
            for line in joined.split(separator: "\n") {
                let words = try shellWords(String(line))
                if !words.isEmpty { commands.append(words) }
            }
        }
        return commands
    }

    struct ShellSyntaxError: Error, CustomStringConvertible { var description: String }

    /// `line` split into words as a POSIX shell does for the README's commands: whitespace
    /// separates words, double and single quotes group, and `#` at the start of a word begins a
    /// comment. (No variables, globs or escapes inside quotes: the README uses none in `descent` lines.)
    static func shellWords(_ line: String) throws -> [String] {
        var words: [String] = [], current = "", inWord = false
        var quote: Character?
        for character in line {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
                continue
            }
            switch character {
            case "\"", "'": quote = character; inWord = true
            case " ", "\t":
                if inWord { words.append(current); current = ""; inWord = false }
            case "#" where !inWord: return words
            default: current.append(character); inWord = true
            }
        }
        if quote != nil { throw ShellSyntaxError(description: "unclosed quote in: \(line)") }
        if inWord { words.append(current) }
        return words
    }

    /// The files the README's commands name, small but of the shape the commands expect.
    static func writeFiles(in folder: TrainTestFolder) throws {
        // Houses: price = 3·size + 10·rooms + noise; `label` a class from the size (for `data convert --target label`).
        func houses(_ range: Range<Int>, price: Bool) -> String {
            var rows = [price ? "size,rooms,label,price" : "size,rooms,label"]
            for i in range {
                let size = 50 + (i * 37) % 150, rooms = 1 + i % 5, label = size / 70
                rows.append("\(size),\(rooms),\(label)" + (price ? ",\(3 * size + 10 * rooms + (i * 13) % 7)" : ""))
            }
            return rows.joined(separator: "\n") + "\n"
        }
        try folder.write("train.csv", houses(0..<300, price: true))
        try folder.write("test.csv", houses(300..<400, price: true))
        try folder.write("new.csv", houses(400..<420, price: false))
        var withCity = ["id,size,city,rooms,price"]
        for i in 0..<200 {
            let size = 50 + (i * 37) % 150, rooms = 1 + i % 5
            withCity.append("\(i),\(size),\(["north", "south", "east"][i % 3]),\(i % 17 == 0 ? "" : String(rooms)),\(3 * size + 10 * rooms)")
        }
        try folder.write("houses.csv", withCity.joined(separator: "\n") + "\n")
        try folder.write("plain.tsv", (0..<200).map { "\(Double($0) / 10)\t\($0 % 7)\t\(Double($0) / 5 + Double($0 % 7))" }.joined(separator: "\n") + "\n")
        try folder.write("huge.csv", "x1,x2,y\n" + (0..<2000).map { "\($0 % 100),\($0 % 7),\(2 * ($0 % 100) - 3 * ($0 % 7))\n" }.joined())
        // MNIST-shaped IDX files, gzip-compressed as downloaded: 28×28 images (LeNet-5's size) whose brightness gives the class.
        func idx(_ name: String, _ shape: [Int], _ bytes: [UInt8]) throws {
            var data = Data([0, 0, 0x08, UInt8(shape.count)])
            for size in shape { data += withUnsafeBytes(of: UInt32(size).bigEndian, Array.init) }
            try (data + Data(bytes)).write(to: URL(fileURLWithPath: folder.path(name)))
            let gzip = Process()
            gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
            gzip.arguments = ["-f", folder.path(name)]
            try gzip.run()
            gzip.waitUntilExit()
        }
        for (prefix, rows) in [("train", 120), ("t10k", 40)] {
            let labels = (0..<rows).map { UInt8($0 % 3) }
            try idx("\(prefix)-images-idx3-ubyte", [rows, 28, 28], (0..<(rows * 784)).map { UInt8(($0 &* 37) % 60) + 80 * labels[$0 / 784] })
            try idx("\(prefix)-labels-idx1-ubyte", [rows], labels)
        }
        // Pixel columns of 28×28 images in a CSV (`--input-shape 1x28x28`), with a `label` column.
        let header = (["label"] + (0..<784).map { "p\($0)" }).joined(separator: ",")
        let pixelRows = (0..<60).map { row in ([String(row % 3)] + (0..<784).map { String((row * 784 + $0) &* 37 % 60 + 80 * (row % 3)) }).joined(separator: ",") }
        try folder.write("pixels.csv", ([header] + pixelRows).joined(separator: "\n") + "\n")
        let labels = (0..<150).map { $0 % 3 }
        let features: [Float] = (0..<600).map { index in Float(labels[index / 4]) + Float((index * 7) % 10) / 20 }
        try NPYWriter.write(Tensor<Float>(shape: [150, 4], scalars: features), to: folder.path("X.npy"))
        try NPYWriter.write(labels: labels, to: folder.path("y.npy"))
    }

    /// Runs `descent arguments` in `folder` and returns its exit status and output.
    static func run(_ executable: URL, _ arguments: [String], in folder: TrainTestFolder) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = folder.url
        let log = folder.url.appendingPathComponent(".readme-command.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        // A file, not a pipe: a long table would fill a pipe and block the command.
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    @Test func everyDescentCommandOfTheReadmeRunsAsPasted() throws {
        let executable = try #require(descentExecutable(), "the descent executable is not built next to the tests; run `swift build` first")
        let folder = try TrainTestFolder()
        try Self.writeFiles(in: folder)
        let commands = try Self.commands()
        let descentCommands = commands.filter { $0.first == "descent" }
        // The README's blocks as written when this test was: a change that drops commands shows here.
        #expect(descentCommands.count >= 19, "only \(descentCommands.count) descent commands found in README.md: \(descentCommands.map { $0.joined(separator: " ") })")
        // Every other line is a build, install, test or documentation step, not a command of the tool.
        let others = Set(commands.filter { $0.first != "descent" }.compactMap(\.first))
        // `mpirun … descent train` and its hostfile (`printf`) are run by MPITrainTests under mpirun.
        #expect(others.isSubset(of: ["swift", "mkdir", "export", "python3", "mpirun", "printf"]), "\(others)")
        var ran = 0, skips = 0
        for words in descentCommands {
            let line = words.joined(separator: " ")
            if Self.skipped.keys.contains(where: { line.hasPrefix($0) }) { skips += 1; continue }
            let (status, output) = try Self.run(executable, Array(words.dropFirst()), in: folder)
            #expect(status == 0, "`\(line)` exited with \(status):\n\(output.suffix(1500))")
            ran += 1
        }
        #expect(ran == descentCommands.count - skips && ran >= 19)
        // What the commands say they write is there.
        for file in ["run/model.safetensors", "run/report.html", "predictions.csv", "mnist/model.safetensors", "train.features.npy",
                     "train.labels.npy", "race.svg", "descent-compare/compare.html"] {
            #expect(folder.exists(file), "\(file) was not written")
        }
    }

    @Test func shellWordsFollowTheShellsQuotingAndComments() throws {
        #expect(try Self.shellWords(#"descent train --model "mlp(64, 64)" --optimizer 'adam(lr: 0.01)'   # a comment"#)
                == ["descent", "train", "--model", "mlp(64, 64)", "--optimizer", "adam(lr: 0.01)"])
        #expect(try Self.shellWords("descent data convert train.csv#x") == ["descent", "data", "convert", "train.csv#x"])
        #expect(throws: ShellSyntaxError.self) { try Self.shellWords(#"descent "open"#) }
    }
}
