import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Data-parallel `descent train` under the real `mpirun` (Open MPI): exactness against one
/// process, repeatability, a killed rank, resume, a mismatch between ranks, rank-0-only output.
///
/// Without `mpirun` on the PATH these tests are skipped with a message; when `CI` is set they run
/// and fail instead (`.ci/run` installs Open MPI).
@Suite(.serialized, .enabled(if: MPILauncher.path != nil || ProcessInfo.processInfo.environment["CI"] != nil,
                             "mpirun is not installed (apt-get install openmpi-bin libopenmpi3); the MPI tests are skipped"))
struct MPITrainTests {
    /// 300 spiral points; at global batch 60 an epoch is 5 steps, so 10 epochs are 50 steps.
    static func arguments(batchSize: Int, precision: String, optimizer: String, output: String, epochs: Int = 10) -> [String] {
        ["train", "--data", "builtin:spirals", "--model", "mlp(16, 16)", "--epochs", "\(epochs)", "--batch-size", "\(batchSize)",
         "--precision", precision, "--optimizer", optimizer, "--output", output, "--quiet", "--format", "json"]
    }

    /// Two ranks at batch 30 against one process at batch 60, 50 steps: the same global batches
    /// (the sampler interleaves them), so the parameters differ only by the order of the sums.
    /// The expected values are the one-process run's; the tolerance is the (1e-12
    /// relative in Double, 1e-5 in Float), on every parameter element.
    @Test(arguments: [("double", 1e-12), ("float", 1e-5)])
    func twoRanksAtHalfTheBatchMatchOneProcess(precision: String, tolerance: Double) throws {
        let (executable, mpirun) = try MPILauncher.require()
        let folder = try TrainTestFolder()
        for (index, optimizer) in ["sgd(lr: 0.1)", "sgd(lr: 0.1, momentum: 0.9)", "adam(lr: 0.01)"].enumerated() {
            let one = folder.path("one\(index)"), two = folder.path("two\(index)")
            let single = try MPILauncher.run(executable.path, Self.arguments(batchSize: 60, precision: precision, optimizer: optimizer, output: one))
            #expect(single.status == 0, "\(single.standardError)")
            let pair = try MPILauncher.run(mpirun, MPILauncher.flags(2) + [executable.path]
                                           + Self.arguments(batchSize: 30, precision: precision, optimizer: optimizer, output: two))
            #expect(pair.status == 0, "\(pair.standardError)")
            // The parallel part ran: two processes, and the step says it is data-parallel.
            #expect(try jsonObject(pair.standardOutput)["processes"] as? Int == 2, "\(pair.standardOutput)")
            #expect(pair.standardError.contains("data-parallel: 2 processes"))
            let steps = try String(contentsOfFile: two + "/history-steps.csv", encoding: .utf8).split(separator: "\n").count - 1
            #expect(steps == 50)
            let expected = try SafeTensorsValues.read(one + "/model.safetensors")
            let got = try SafeTensorsValues.read(two + "/model.safetensors")
            #expect(expected.keys.sorted() == got.keys.sorted())
            var worst = 0.0
            for (name, values) in expected {
                for (a, b) in zip(values, got[name] ?? []) { worst = max(worst, abs(a - b) / max(abs(a), 1e-30)) }
            }
            #expect(worst <= tolerance, "\(precision) \(optimizer): largest relative difference \(worst)")
            #expect(worst > 0 || precision == "float", "\(optimizer): bit-identical in Double is unexpected (the sums are ordered differently)")
        }
    }

    /// The same two-rank run twice gives the same bytes.
    @Test func aTwoRankRunIsRepeatable() throws {
        let (executable, mpirun) = try MPILauncher.require()
        let folder = try TrainTestFolder()
        var models: [Data] = []
        for run in 0..<2 {
            let output = folder.path("run\(run)")
            let result = try MPILauncher.run(mpirun, MPILauncher.flags(2) + [executable.path]
                                             + Self.arguments(batchSize: 30, precision: "double", optimizer: "adam(lr: 0.01)", output: output))
            #expect(result.status == 0, "\(result.standardError)")
            models.append(try Data(contentsOf: URL(fileURLWithPath: output + "/model.safetensors")))
        }
        #expect(models[0] == models[1])
    }

    /// Only rank 0 prints: one JSON object on standard output, one set of progress lines.
    @Test func onlyRankZeroPrintsAndWrites() throws {
        let (executable, mpirun) = try MPILauncher.require()
        let folder = try TrainTestFolder()
        let arguments = Self.arguments(batchSize: 30, precision: "float", optimizer: "adam(lr: 0.01)", output: folder.path("run"), epochs: 3)
            .filter { $0 != "--quiet" }
        let result = try MPILauncher.run(mpirun, MPILauncher.flags(2) + [executable.path] + arguments)
        #expect(result.status == 0, "\(result.standardError)")
        let report = try jsonObject(result.standardOutput)  // throws unless standard output is exactly one object
        #expect(report["processes"] as? Int == 2)
        let timing = try #require(report["timing"] as? [String: Double])
        #expect((timing["samplesPerSecond"] ?? 0) > 0)
        #expect(result.standardError.components(separatedBy: "epoch 3/3").count - 1 == 1, "\(result.standardError)")
        #expect(result.standardError.components(separatedBy: "data-parallel:").count - 1 == 1)
    }

    /// A rank killed with SIGKILL mid-run: the job ends within seconds, non-zero, naming the rank;
    /// the newest checkpoint is intact and the run resumes with the same number of processes.
    /// A different number is refused with a message.
    @Test func aKilledRankEndsTheJobAndTheRunResumes() throws {
        let (executable, mpirun) = try MPILauncher.require()
        let folder = try TrainTestFolder()
        let output = folder.path("run")
        let arguments = ["train", "--data", "builtin:spirals", "--model", "mlp(32)", "--epochs", "100000", "--batch-size", "8",
                         "--checkpoint-every", "20 steps", "--quiet", "--output", output]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: mpirun)
        process.arguments = MPILauncher.flags(2) + [executable.path] + arguments
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        // Wait for a checkpoint, then kill rank 1 (the second child of mpirun).
        let checkpoints = output + "/checkpoints"
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, ((try? FileManager.default.contentsOfDirectory(atPath: checkpoints)) ?? []).filter({ $0.hasSuffix(".ckpt") }).isEmpty {
            usleep(100_000)
        }
        let ranks = MPILauncher.children(of: process.processIdentifier)
        #expect(ranks.count == 2, "mpirun's children: \(ranks)")
        let killedAt = Date()
        if let last = ranks.last { kill(last, SIGKILL) }
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(killedAt)
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus != 0)
        #expect(seconds < 10, "the other rank took \(seconds) s to end")
        #expect(message.contains("rank 1"), "\(message)")

        let resumed = try MPILauncher.run(mpirun, MPILauncher.flags(2) + [executable.path]
                                          + arguments.map { $0 == "100000" ? "2000" : $0 } + ["--resume", "--max-time", "3s"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardError.contains("resuming from checkpoint-"), "\(resumed.standardError)")

        let alone = try MPILauncher.run(executable.path, arguments + ["--resume"])
        #expect(alone.status != 0)
        #expect(alone.standardError.contains("written by a run of 2 processes, this one has 1"), "\(alone.standardError)")
    }

    /// Resuming a two-rank run ends with the bytes of the same run left alone (the expected
    /// values are the uninterrupted run's).
    @Test func aResumedTwoRankRunEndsBitIdentical() throws {
        let (executable, mpirun) = try MPILauncher.require()
        let folder = try TrainTestFolder()
        let whole = folder.path("whole"), parts = folder.path("parts")
        func run(_ output: String, epochs: Int, resume: Bool) throws {
            let result = try MPILauncher.run(mpirun, MPILauncher.flags(2) + [executable.path]
                                             + Self.arguments(batchSize: 30, precision: "double", optimizer: "sgd(lr: 0.1, momentum: 0.9)",
                                                              output: output, epochs: epochs) + (resume ? ["--resume"] : []))
            #expect(result.status == 0, "\(result.standardError)")
        }
        try run(whole, epochs: 6, resume: false)
        try run(parts, epochs: 3, resume: false)
        try run(parts, epochs: 6, resume: true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: whole + "/model.safetensors"))
                == Data(contentsOf: URL(fileURLWithPath: parts + "/model.safetensors")))
    }

    /// `--scale-lr linear --warmup-epochs 1` on two ranks: the rate ramps per step from the given
    /// 0.1 to 2 × 0.1 over the first epoch's 5 steps (300 rows / (2 × 30)), then stays (Goyal et al.'s
    /// rule; the expected rates are 0.1 + 0.1·i/5).
    @Test func scaleLrLinearWarmsUpToNTimesTheRate() throws {
        let (executable, mpirun) = try MPILauncher.require()
        let folder = try TrainTestFolder()
        let output = folder.path("run")
        let result = try MPILauncher.run(mpirun, MPILauncher.flags(2) + [executable.path]
                                         + Self.arguments(batchSize: 30, precision: "double", optimizer: "sgd(lr: 0.1)", output: output, epochs: 2)
                                         + ["--scale-lr", "linear", "--warmup-epochs", "1"])
        #expect(result.status == 0, "\(result.standardError)")
        let rates = try String(contentsOfFile: output + "/history-steps.csv", encoding: .utf8).split(separator: "\n").dropFirst()
            .compactMap { $0.split(separator: ",").last.flatMap { Double($0) } }
        #expect(rates.count == 10)
        for (step, rate) in rates.enumerated() {
            #expect(abs(rate - (0.1 + 0.1 * Double(min(step, 5)) / 5)) < 1e-12, "step \(step + 1): \(rate)")
        }
    }

    /// Two ranks given different options stop at start-up with a message naming what differs.
    @Test func aMismatchBetweenRanksIsFoundAtStartUp() throws {
        let (executable, mpirun) = try MPILauncher.require()
        let common = ["train", "--data", "builtin:spirals", "--epochs", "1", "--quiet"]
        let start = Date()
        // MPMD: one rank with seed 1, the other with seed 2.
        let result = try MPILauncher.run(mpirun, MPILauncher.flags(1) + [executable.path] + common + ["--seed", "1", ":", "-np", "1",
                                                                                                      executable.path] + common + ["--seed", "2"])
        #expect(result.status != 0)
        #expect(result.standardError.contains("rank 1's configuration differs from rank 0's"), "\(result.standardError)")
        #expect(Date().timeIntervalSince(start) < 30)
    }
}

/// Finding and running `mpirun`.
enum MPILauncher {
    /// `mpirun` on the PATH, or `nil`.
    static let path: String? = {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let candidate = "\(folder)/mpirun"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    /// The flags every launch uses: root allowed (CI runs as root), more ranks than cores, no
    /// binding (the ranks share a 2-core machine with its other work).
    static func flags(_ processes: Int) -> [String] {
        ["--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np", "\(processes)"]
    }

    /// The descent executable and mpirun, or a failure saying which is missing.
    static func require() throws -> (executable: URL, mpirun: String) {
        let executable = try #require(descentExecutable(), "the descent executable is not next to the test bundle; run `swift build` first")
        let mpirun = try #require(path, "CI is set but mpirun is not installed: .ci/run must install openmpi-bin and libopenmpi3")
        return (executable, mpirun)
    }

    /// Runs `executable` with `arguments`; returns the status, standard output and standard error.
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, standardOutput: String, standardError: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read both pipes while the process runs (a full pipe would block it).
        nonisolated(unsafe) var errorData = Data()
        let reader = Thread { errorData = errors.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !reader.isFinished { usleep(1000) }
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }

    /// The process ids whose parent is `parent`, in ascending order (mpirun starts rank 0 first).
    static func children(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = text.lastIndex(of: ")") else { return false }
            let fields = text[text.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == parent
        }.sorted()
    }
}

/// The tensors of a safetensors file as Doubles (F32 or F64), by name.
enum SafeTensorsValues {
    static func read(_ path: String) throws -> [String: [Double]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let headerLength = Int(Array(data.prefix(8)).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
        let header = try jsonObject(String(decoding: data[8..<(8 + headerLength)], as: UTF8.self))
        let body = data[(8 + headerLength)...]
        var result: [String: [Double]] = [:]
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any], let type = entry["dtype"] as? String, let offsets = entry["data_offsets"] as? [Int] else { continue }
            let bytes = Array(body[(body.startIndex + offsets[0])..<(body.startIndex + offsets[1])])
            switch type {
            case "F64":
                result[name] = bytes.withUnsafeBytes { raw in (0..<(raw.count / 8)).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) } }
            case "F32":
                result[name] = bytes.withUnsafeBytes { raw in (0..<(raw.count / 4)).map { Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))) } }
            default: continue
            }
        }
        return result
    }
}
