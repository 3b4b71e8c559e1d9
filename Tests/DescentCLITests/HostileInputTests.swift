import ArgumentParser
import Descent
import Foundation
import Testing
@testable import DescentCLI

/// Hostile command lines and edited model folders (issue 18). Each test feeds the exact input the
/// issue lists (a trap, an endless run or a silent acceptance on main before it) and expects a
/// clear error naming the option or field; the expected words come from the messages the code
/// writes, and the numbers from the input itself.
@Suite struct HostileInputTests {
    /// The message the command line would print for `arguments`, or "" when the command succeeds.
    func failure<C: ParsableCommand>(_: C.Type, _ arguments: [String], _ body: (C) throws -> Void) -> String {
        do { try body(try C.parse(arguments)); return "" } catch { return C.message(for: error) }
    }

    func train(_ arguments: [String]) -> String {
        failure(TrainCommand.self, ["--data", "builtin:spirals(count: 60)", "--epochs", "1"] + arguments) { _ = try $0.output() }
    }

    @Test func modelsThatDoNotFitInMemoryAreRefusedWithTheSizeTheyWouldNeed() {
        let text = train(["--model", "mlp(200000, 200000)"])
        // 2·200000 + 200000 + 200000·200000 + 200000 + 200000·3 + 3 = 40,001,400,003 parameters (spirals: 2 inputs, 3 classes).
        #expect(text.contains("has 40001400003 parameters and would need 640.0 GB"), "\(text)")
        #expect(text.contains("--memory-limit"), "\(text)")
    }

    @Test func gradcheckRefusesInputCountsNoModelCanHave() {
        let text = failure(GradcheckCommand.self, ["--model", "linear", "--inputs", "9223372036854775807", "--outputs", "1"]) { _ = try $0.output() }
        #expect(text.contains("more parameters than a 64-bit count holds"), "\(text)")
        let batch = failure(GradcheckCommand.self, ["--model", "linear", "--inputs", "2", "--outputs", "1", "--batch-size", "9223372036854775807"]) { _ = try $0.output() }
        #expect(batch.contains("--batch-size must be from 1 to 100000"), "\(batch)")
    }

    @Test func aBatchSizeOfIntMaxTrainsAsTheFullBatch() throws {
        // 60 rows, 20% never held out (no validation split): one batch per epoch, one step.
        let command = try TrainCommand.parse(["--data", "builtin:spirals(count: 60)", "--epochs", "2", "--batch-size", "9223372036854775807", "--format", "json"])
        let outcome = try command.execute(progress: .quiet, handleInterrupts: false)
        #expect(outcome.result?.history.epochs.count == 2)
        #expect(outcome.result?.samples == 120)
    }

    @Test func seedsUpToUInt64MaxAreAccepted() throws {
        let configuration = try TrainCommand.parse(["--data", "builtin:spirals", "--seed", "9223372036854775808"]).options.configuration()
        #expect(configuration.seed == 9_223_372_036_854_775_808)
        // The largest seed survives the round trip through a JSON file, as a resumed run reads its config.json.
        let folder = try TrainTestFolder()
        let config = try folder.write("run.json", #"{"data": "builtin:spirals", "seed": 18446744073709551615}"#)
        #expect(try TrainCommand.parse(["--config", config]).options.configuration().seed == UInt64.max)
    }

    @Test func seedsOutsideTheirRangeInAConfigFileAreRefused() throws {
        let folder = try TrainTestFolder()
        let config = try folder.write("run.json", #"{"data": "builtin:spirals", "seed": -1}"#)
        let text = failure(TrainCommand.self, ["--config", config]) { _ = try $0.options.configuration() }
        #expect(text.contains("`seed` must be a whole number from 0 to 18446744073709551615"), "\(text)")
        let huge = try folder.write("huge.json", #"{"data": "builtin:spirals", "epochs": 1e300}"#)
        let epochs = failure(TrainCommand.self, ["--config", huge]) { _ = try $0.options.configuration() }
        #expect(epochs.contains("`epochs` has the wrong kind of value"), "\(epochs)")
    }

    @Test func stepCountsThatCannotFinishAreRefusedWithTheMaximum() {
        let schedule = failure(ScheduleCommand.self, ["--schedule", "exponential(gamma: 0.9)", "--steps", "9223372036854775807"]) { _ = try $0.output() }
        #expect(schedule.contains("--steps must be from 1 to 10000000"), "\(schedule)")
        let optimize = failure(OptimizeCommand.self, ["--function", "rosenbrock", "--steps", "9223372036854775807"]) { _ = try $0.output() }
        #expect(optimize.contains("--steps must be from 0 to 10000000"), "\(optimize)")
        let epochs = train(["--epochs", "9223372036854775807"])
        #expect(epochs.contains("--epochs must be at most 1000000000"), "\(epochs)")
    }

    @Test func rangesAreChecked() throws {
        let folder = try TrainTestFolder()
        let unused = folder.path("unused")
        #expect(train(["--max-time", "-5"]).contains("--max-time must be a time greater than 0, not `-5`"))
        #expect(train(["--max-time", "nan"]).contains("--max-time"))
        #expect(train(["--validation-split=-0.1"]).contains("--validation-split must be at least 0 and less than 1"))
        #expect(train(["--validation-split", "1"]).contains("--validation-split must be at least 0 and less than 1"))
        #expect(train(["--keep-checkpoints", "0", "--output", unused]).contains("--keep-checkpoints must be at least 1"))
        #expect(train(["--keep-checkpoints", "-1", "--output", unused]).contains("--keep-checkpoints must be at least 1"))
        #expect(!folder.exists("unused"))  // a refused command line creates no output folder
        #expect(train(["--clip-grad-norm=-1"]).contains("--clip-grad-norm must be > 0"))
    }

    @Test func notANumberEndsInAMessageNotAFoundationJSONError() {
        let split = train(["--validation-split", "nan"])
        #expect(split.contains("--validation-split must be a finite number, not nan"), "\(split)")
        let norm = train(["--clip-grad-norm", "nan"])
        #expect(norm.contains("--clip-grad-norm must be a finite number, not nan"), "\(norm)")
        #expect(!split.contains("JSON write") && !norm.contains("JSON write"))
    }

    @Test func checkpointOptionsNeedAnOutputFolder() {
        #expect(train(["--checkpoint-every", "2"]).contains("--checkpoint-every needs --output DIR"))
        #expect(train(["--keep-checkpoints", "2"]).contains("--keep-checkpoints needs --output DIR"))
        #expect(train(["--output", ""]).contains("--output is empty"))
    }

    @Test func negativeDecayFactorsAreRefused() {
        let text = failure(ScheduleCommand.self, ["--schedule", "exponential(gamma: -1)"]) { _ = try $0.output() }
        #expect(text.contains("`gamma` must be a number > 0"), "\(text)")
        #expect(failure(ScheduleCommand.self, ["--schedule", "step(stepSize: 2, gamma: 0)"]) { _ = try $0.output() }.contains("`gamma` must be a number > 0"))
    }

    @Test func anOutputPathThatIsAFileIsRefused() throws {
        let folder = try TrainTestFolder()
        let file = try folder.write("taken", "x")
        let text = train(["--output", file])
        #expect(text.contains("is a file, not a folder"), "\(text)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["taken"])
    }

    @Test func configJSONIsWrittenBeforeTrainingStarts() throws {
        let folder = try TrainTestFolder()
        let run = folder.path("run")
        let command = try TrainCommand.parse(["--data", "builtin:spirals(count: 60)", "--epochs", "3", "--output", run, "--seed", "5"])
        var seenDuringTraining = false
        // Read config.json from inside the run, after its first step: the file is there already.
        let watch = ClosureCallback(batchDidEnd: { _ in
            if !seenDuringTraining, let text = try? folder.read("run/config.json") { seenDuringTraining = text.contains("\"seed\" : 5") }
        })
        _ = try command.execute(progress: .quiet, handleInterrupts: false, callbacks: [watch])
        #expect(seenDuringTraining)
    }

    @Test func aSecondRunIntoTheSameFolderIsRefusedNamingTheFirst() throws {
        let folder = try TrainTestFolder()
        let run = folder.path("run")
        do {
            let first = try OutputLock.acquire(URL(fileURLWithPath: run), holder: "descent train --output run (the first)")
            let text = train(["--output", run])
            #expect(text.contains("is in use by another run (process \(getpid()): descent train --output run (the first))"), "\(text)")
            withExtendedLifetime(first) {}
        }
        #expect(train(["--output", run]).isEmpty)  // free again once the first lets go
    }
}

/// Faults in a child process (issue 18): the file-size limit is process-wide, so it is set in a
/// child `descent` only, never beside other tests.
@Suite struct OutputFaultTests {
    /// Every file under `url`, as paths relative to it.
    func files(under url: URL) -> [String] {
        (FileManager.default.enumerator(atPath: url.path)?.allObjects as? [String]) ?? []
    }

    @Test func aFullDiskEndsInAMessageAndLeavesNoTemporaryFiles() throws {
        guard let executable = descentExecutable() else {
            Issue.record("the descent executable is not built next to the tests; run `swift build` first")
            return
        }
        let folder = try TrainTestFolder()
        let run = folder.path("run")
        // `ulimit -f 4` (KiB) makes write() fail with EFBIG once a file passes 4 KiB, as a full disk
        // fails with ENOSPC; SIGXFSZ is ignored so that the write returns the error instead of
        // killing the process. config.json (about 400 bytes) fits; the first checkpoint of an
        // mlp(64, 64) (4,547 parameters, 18 kB) does not.
        let (status, text) = try runDescent(URL(fileURLWithPath: "/bin/bash"), [
            "-c", "trap '' XFSZ; ulimit -f 4; exec \"$0\" train --data 'builtin:spirals(count: 200)' --epochs 2 --model 'mlp(64, 64)' --output \"$1\" --quiet",
            executable.path, run])
        #expect(status == 1, "\(text)")
        #expect(text.contains("cannot write") && text.contains("File too large; free some space"), "\(text)")
        let left = files(under: URL(fileURLWithPath: run))
        #expect(!left.contains { $0.contains(".tmp-") }, "\(left)")
        #expect(left.contains("config.json"))  // written before training, so --resume can find the run
    }

    @Test func aReadOnlyFolderEndsInAMessageAndLeavesNothing() throws {
        guard let executable = descentExecutable() else {
            Issue.record("the descent executable is not built next to the tests; run `swift build` first")
            return
        }
        let folder = try TrainTestFolder()
        let parent = folder.path("read-only")
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: false)
        chmod(parent, 0o555)
        defer { chmod(parent, 0o755) }
        // Root writes into any folder, so as root (CI) the child runs as `nobody` (uid 65534)
        // through util-linux's setpriv: the permission check is then the kernel's, as for a user.
        let runAsUser = getuid() == 0
        if runAsUser && !FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") {
            if ProcessInfo.processInfo.environment["CI"] != nil { Issue.record("CI runs as root and needs /usr/bin/setpriv (util-linux) for this test") }
            else { print("skipped: running as root without /usr/bin/setpriv, a read-only folder cannot be tested") }
            return
        }
        let arguments = ["train", "--data", "builtin:spirals(count: 60)", "--epochs", "1", "--output", parent + "/run", "--quiet"]
        let (status, text) = runAsUser
            ? try runDescent(URL(fileURLWithPath: "/usr/bin/setpriv"), ["--reuid=65534", "--regid=65534", "--clear-groups", executable.path] + arguments)
            : try runDescent(executable, arguments)
        #expect(status == 1, "\(text)")
        #expect(text.contains("cannot create the output folder"), "\(text)")
        #expect(files(under: URL(fileURLWithPath: parent)).isEmpty)
    }
}
