import ArgumentParser
import Descent
import Foundation
import Testing
@testable import DescentCLI

/// `descent train` on data larger than its memory limit (issue 15, "any size, with any model").
@Suite struct StreamingTrainCommandTests {
    /// IDX images of 32-bit floats, `rows` × `width`, two classes, class-1 rows brighter (so there
    /// is something to learn), with their label file.
    static func floatImages(rows: Int, width: Int, in folder: TrainTestFolder) throws -> (images: String, labels: String) {
        let images = folder.path("big-idx2-float"), labels = folder.path("big-idx1-ubyte")
        _ = FileManager.default.createFile(atPath: images, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: images))
        var header: [UInt8] = [0, 0, 0x0D, 2]
        header += withUnsafeBytes(of: UInt32(rows).bigEndian, Array.init) + withUnsafeBytes(of: UInt32(width).bigEndian, Array.init)
        try handle.write(contentsOf: Data(header))
        let blockRows = 1_024
        var block = Data(capacity: blockRows * width * 4)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for row in 0..<blockRows {
            for _ in 0..<width {
                // xorshift64 noise in [0, 0.5); class = row % 2 adds 1.
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                let noise = Float(state >> 40) / Float(1 << 24) / 2
                let value = noise + Float(row % 2)
                block += withUnsafeBytes(of: value.bitPattern.bigEndian, Array.init)
            }
        }
        for _ in 0..<(rows / blockRows) { try handle.write(contentsOf: block) }
        try handle.close()
        var labelFile = Data([0, 0, 0x08, 1]) + withUnsafeBytes(of: UInt32(rows).bigEndian, Array.init)
        labelFile += Data((0..<rows).map { UInt8($0 % 2) })
        try labelFile.write(to: URL(fileURLWithPath: labels))
        return (images, labels)
    }

    /// A 256 MiB file trains an MLP under an 80 MB limit on the whole process's peak resident memory
    /// (VmHWM), in a child process: the test runner's own peak includes what other tests allocate.
    /// Loaded, the features alone would take 256 MiB. (`--no-standardize` skips the two fitting
    /// passes, which the debug build of the tests makes slow; they read chunks the same way.)
    @Test(.timeLimit(.minutes(3))) func aFileSeveralTimesTheLimitTrainsUnderIt() throws {
        let executable = try #require(descentExecutable(), "the descent executable is not next to the test bundle; run `swift build` first")
        let folder = try TrainTestFolder()
        let rows = 65_536, width = 1_024
        let files = try Self.floatImages(rows: rows, width: width, in: folder)
        let limit = 80_000_000
        let size = try #require(try FileManager.default.attributesOfItem(atPath: files.images)[.size] as? Int)
        #expect(size > 3 * limit)

        let process = Process()
        process.executableURL = executable
        process.arguments = ["train", "--data", files.images, "--labels", files.labels, "--memory-limit", "80MB", "--model", "mlp(16)",
                             "--epochs", "1", "--batch-size", "256", "--optimizer", "adam(lr: 0.01)", "--no-standardize", "--validation-split", "0.1",
                             "--format", "json", "--output", folder.path("run")]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let messages = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "descent train failed: \(messages)")
        #expect(messages.contains("streaming"), "the automatic switch is announced: \(messages)")
        let report = try jsonObject(text)
        let memory = try #require(report["memory"] as? [String: Any])
        #expect(memory["streamed"] as? Bool == true)
        let peak = try #require(memory["peakBytes"] as? Int)
        #expect(peak < limit, "peak resident memory \(peak) bytes; the limit is \(limit)")
        // It learnt: the classes differ by 1 in every feature.
        let accuracy = try #require((report["validation"] as? [String: Double])?["accuracy"])
        #expect(accuracy > 0.95, "validation accuracy \(accuracy): \(text)")
        #expect(FileManager.default.fileExists(atPath: folder.path("run/model.safetensors")))
    }

    /// A streamed run and the same run interrupted and resumed give the same model, bit for bit:
    /// the checkpoint records the stream's position (epoch and batch), and each epoch's order is
    /// a function of the seed and the epoch.
    @Test func aStreamedRunResumesExactly() throws {
        let folder = try TrainTestFolder()
        let files = try DataFormatCommandTests.files(in: folder)
        let common = ["--data", files.npy, "--labels", files.npyLabels, "--stream", "--model", "mlp(8)", "--batch-size", "16",
                      "--validation-split", "0.2", "--optimizer", "adam(lr: 0.01)", "--seed", "3", "--format", "json"]
        let whole = try jsonObject(TrainCommand.parse(common + ["--epochs", "4", "--output", folder.path("whole")]).output())
        // Two epochs, then two more from the checkpoint written at the end of the first run.
        _ = try TrainCommand.parse(common + ["--epochs", "2", "--output", folder.path("parts")]).output()
        let resumed = try jsonObject(TrainCommand.parse(common + ["--epochs", "4", "--output", folder.path("parts"), "--resume"]).output())
        #expect(whole["train"] as? [String: Double] == resumed["train"] as? [String: Double])
        #expect(whole["validation"] as? [String: Double] == resumed["validation"] as? [String: Double])
        let a = try Data(contentsOf: URL(fileURLWithPath: folder.path("whole/model.safetensors")))
        let b = try Data(contentsOf: URL(fileURLWithPath: folder.path("parts/model.safetensors")))
        #expect(a == b)
    }

    @Test func whatStreamingCannotDoIsRefusedWithTheReason() throws {
        let folder = try TrainTestFolder()
        let csv = try folder.write("c.csv", "colour,x,y\n" + (0..<50).map { "\($0 % 2 == 0 ? "red" : "blue"),\($0),\($0 % 2)\n" }.joined())
        for (options, words) in [(["--categorical", "colour"], "--categorical"), (["--missing", "mean", "--drop", "colour"], "--missing mean")] {
            do {
                _ = try TrainCommand.parse(["--data", csv, "--stream", "--epochs", "1"] + options).output()
                Issue.record("\(options) streamed")
            } catch {
                #expect("\(error)".contains(words), "\(error)")
            }
        }
        #expect(throws: ValidationError.self) { try TrainCommand.parse(["--data", "builtin:moons", "--stream"]).output() }
    }
}
