import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash tests with the real `descent` binary: a checkpointing run is killed with SIGKILL at a
/// random moment, resumed with `--resume`, and must end with exactly the bytes of the same run
/// left alone (`model.safetensors` holds every parameter, so equal files mean equal parameters).
@Suite(.serialized) struct TrainKillResumeTests {
    /// A small run: 300 two-moons points in 19 batches of 16 per epoch, 8 epochs, dropout (so
    /// the dropout generators must be restored too), a one-cycle schedule over the 152 steps, and
    /// a checkpoint every 3 steps, so most kills land mid-epoch.
    static func arguments(output: String, epochs: Int = 8) -> [String] {
        ["train", "--data", "builtin:moons(count: 300)", "--model", "mlp(32, dropout: 0.1)", "--epochs", "\(epochs)", "--batch-size", "16",
         "--schedule", "one-cycle(maxLearningRate: 0.05, totalSteps: \(19 * epochs))", "--checkpoint-every", "3 steps", "--quiet", "--output", output]
    }

    @Test func killedAtRandomMomentsAndResumedEndsBitIdentical() throws {
        let executable = try #require(descentExecutable(), "the descent executable is not next to the test bundle; run `swift build` first")
        let folder = try TrainTestFolder()
        let start = Date()
        let whole = try runDescent(executable, Self.arguments(output: folder.path("whole")))
        let duration = Date().timeIntervalSince(start)
        #expect(whole.status == 0, "\(whole.standardError)")
        let expected = try Data(contentsOf: URL(fileURLWithPath: folder.path("whole/model.safetensors")))
        let expectedSteps = try folder.read("whole/history-steps.csv")

        var generator = SystemRandomNumberGenerator()
        var resumedMidRun = 0
        // Ten kills, and more (up to twenty) until three have landed mid-run: on a busy machine the
        // process start takes a larger share of the run, and fewer random moments fall after a checkpoint.
        for trial in 0..<20 where trial < 10 || resumedMidRun < 3 {
            let output = folder.path("trial\(trial)")
            let delay = Double.random(in: 0.02...max(duration, 0.05), using: &generator)
            let process = Process()
            process.executableURL = executable
            process.arguments = Self.arguments(output: output)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(useconds_t(delay * 1_000_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()

            let resumed = try runDescent(executable, Self.arguments(output: output) + ["--resume"])
            #expect(resumed.status == 0, "trial \(trial) (killed after \(delay)s): \(resumed.standardError)")
            if resumed.standardError.contains("resuming from") { resumedMidRun += 1 }
            let result = try Data(contentsOf: URL(fileURLWithPath: output + "/model.safetensors"))
            #expect(result == expected, "trial \(trial): killed after \(String(format: "%.3f", delay))s, resumed: \(resumed.standardError)")
            #expect(try String(contentsOfFile: output + "/history-steps.csv", encoding: .utf8) == expectedSteps, "trial \(trial)")
        }
        // Most kills land mid-run (the rest before the first checkpoint or after the end).
        #expect(resumedMidRun >= 3, "only \(resumedMidRun) of 20 kills left a checkpoint to resume from")
    }

    @Test func ctrlCWritesACheckpointAndPrintsHowToResume() throws {
        let executable = try #require(descentExecutable(), "the descent executable is not next to the test bundle; run `swift build` first")
        let folder = try TrainTestFolder()
        // 40 epochs, a checkpoint only when interrupted, progress lines on standard error.
        func arguments(_ output: String) -> [String] {
            Self.arguments(output: folder.path(output), epochs: 40).filter { $0 != "--quiet" }.map { $0 == "3 steps" ? "100000 steps" : $0 }
        }
        _ = try runDescent(executable, arguments("whole"))
        let expected = try Data(contentsOf: URL(fileURLWithPath: folder.path("whole/model.safetensors")))

        let process = Process()
        process.executableURL = executable
        process.arguments = arguments("run")
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        // Interrupt once the second epoch has ended (its progress line has appeared).
        var text = ""
        while !text.contains("epoch 2/40") {
            let data = errors.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        kill(process.processIdentifier, SIGINT)
        text += String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130, "\(text)")
        #expect(text.contains("interrupted: finishing the current step") && text.contains("--resume") && text.contains("descent train"), "\(text)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path("run/checkpoints")).contains { $0.hasPrefix("checkpoint-") })
        let resumed = try runDescent(executable, arguments("run") + ["--resume"])
        #expect(resumed.status == 0 && resumed.standardError.contains("resuming from"), "\(resumed.standardError)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder.path("run/model.safetensors"))) == expected)
    }
}
