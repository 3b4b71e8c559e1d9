import ArgumentParser
import Descent
import Foundation

/// `descent train`: trains a model on a CSV file or a built-in dataset.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model by gradient descent on a CSV file or a built-in dataset.",
        usage: "descent train [<options>]",
        discussion: """
            Examples:
              descent train --data builtin:spirals --model "mlp(64, 64)" --epochs 50 \\
                --output run
              descent train --data train.csv --target price \\
                --optimizer "sgd(lr: 0.01, momentum: 0.9)" --output run
              descent train --config run.json --output run --resume

            --output DIR receives report.html (one self-contained page: configuration, metrics, \
            loss curves, learning rate, confusion matrix or predicted vs actual, decision regions for \
            2-D data), model.safetensors, preprocessing.json, config.json, history.json, \
            history-epochs.csv, history-steps.csv and checkpoints/.

            Ctrl-C finishes the current step, writes a checkpoint and exits; add --resume to the same \
            command to continue exactly.

            Data-parallel: `mpirun -np N descent train …` (or `srun --mpi=pmix -n N`) trains on N \
            processes with Open MPI or MPICH, loaded at run time; --batch-size is per process, rank 0 \
            writes --output and prints. See README, "More than one machine".

            Exit status: 0 when training stopped normally (completed, early stopping, time limit), 1 \
            when the loss diverged, 130 when interrupted.
            """)

    @OptionGroup var options: TrainOptions<TrainDefaults>

    @OptionGroup var trainOnly: TrainOnlyOptions

    @Option(name: .customLong("output"), help: "The folder for the model, preprocessing, configuration, history and checkpoints.")
    var outputDirectory: String?

    @Flag(help: "Continue from the newest good checkpoint in --output (the saved config.json fills options not given).")
    var resume = false

    @Option(help: "Checkpoint every so much training time (`60s`, `5m`), N epochs (`2 epochs`) or N steps (`50 steps`), and at the end. Default: 60s (needs --output).")
    var checkpointEvery: String?

    @Option(parsing: .unconditional, help: "How many periodic checkpoints to keep (at least 1). Default: \(TrainConfiguration.standard.keepCheckpoints).")
    var keepCheckpoints: Int?

    @Option(parsing: .unconditional, help: "Stop after this much time (after the current step), e.g. 90s, 10m, 1h30m.")
    var maxTime: String?

    @Option(help: "With several processes (mpirun): `linear` multiplies the learning rate by the number of processes, as the global batch grows (Goyal et al., 2017).")
    var scaleLr: String?

    @Option(parsing: .unconditional, help: "With --scale-lr: reach the scaled rate by a per-step linear ramp from the unscaled one over this many epochs (Goyal et al. use 5). Default: 0.")
    var warmupEpochs: Int?

    @OptionGroup var formatOption: FormatOption<OutputFormat>

    @OptionGroup var progressOption: ProgressOption

    @Flag(help: "Also print how each step runs: the compiled step, or the plain loop and why.")
    var verbose = false

    /// What a run produced: the report for standard output, messages for standard error, the exit status.
    struct Outcome {
        var text: String
        var messages: [String] = []
        var exitCode: Int32 = 0
        var result: FitResult?
        /// Whether nothing is printed (a data-parallel rank other than 0).
        var silent = false
        /// The batch loss per step as a compact terminal chart, shown before the text in text mode (not with --quiet).
        var lossCurve: String?
    }

    /// The report (tests call this).
    func output() throws -> String { try execute(progress: .quiet, handleInterrupts: false).text }

    func run() throws {
        let distributed = try DistributedRun.start()
        let outcome: Outcome
        do {
            outcome = try execute(progress: progressOption.style, handleInterrupts: true, distributed: distributed)
        } catch {
            // One rank failing alone would leave the others waiting in a collective: end them all.
            if distributed.isDistributed { distributed.abort(after: error) }
            throw error
        }
        distributed.communicator?.finalize()
        if outcome.silent {
            if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
            return
        }
        for message in outcome.messages { FileHandle.standardError.write(Data((message + "\n").utf8)) }
        if formatOption.format == .text, !progressOption.quiet, let curve = outcome.lossCurve { print(curve) }
        print(outcome.text)
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }

    /// Resolves the configuration and trains with the configured element type.
    /// - Parameter callbacks: added to the trainer's (tests watch the run with them).
    /// - Parameter distributed: this process's part in a data-parallel run. The default value is a plain run.
    func execute(progress: ProgressReporter.Style, handleInterrupts: Bool, callbacks: [any TrainingCallback] = [],
                 distributed: DistributedRun = .single) throws -> Outcome {
        if resume && outputDirectory == nil { throw ValidationError("--resume needs --output DIR, the folder of the run to continue") }
        if let outputDirectory, outputDirectory.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--output is empty; give the folder to write the model into, for example --output run")
        }
        if outputDirectory == nil {
            if checkpointEvery != nil { throw ValidationError("--checkpoint-every needs --output DIR, the folder the checkpoints are written into") }
            if keepCheckpoints != nil { throw ValidationError("--keep-checkpoints needs --output DIR, the folder the checkpoints are written into") }
        }
        var extra: [String: Any] = trainOnly.values
        extra["checkpointEvery"] = checkpointEvery; extra["keepCheckpoints"] = keepCheckpoints; extra["maxTime"] = maxTime
        extra["scaleLr"] = scaleLr; extra["warmupEpochs"] = warmupEpochs
        let saved = resume ? outputDirectory.flatMap { ModelFolder.savedConfiguration(in: URL(fileURLWithPath: $0)) } : nil
        var configuration = try options.configuration(extra: extra, saved: saved)
        configuration.processes = distributed.isDistributed ? distributed.size : nil  // the launch decides, not a saved file
        if configuration.precision == "double" {
            return try train(configuration, as: Double.self, progress: progress, handleInterrupts: handleInterrupts, callbacks: callbacks,
                             distributed: distributed)
        }
        return try train(configuration, as: Float.self, progress: progress, handleInterrupts: handleInterrupts, callbacks: callbacks,
                         distributed: distributed)
    }

    private func train<Scalar: TensorScalar>(_ configuration: TrainConfiguration, as _: Scalar.Type, progress: ProgressReporter.Style,
                                             handleInterrupts: Bool, callbacks: [any TrainingCallback],
                                             distributed: DistributedRun) throws -> Outcome {
        let setup = try TrainingSetup<Scalar>(configuration, sampler: distributed.sampler)
        let trainer = setup.trainer
        var messages: [String] = setup.notes + setup.data.warnings.map { "warning: \($0)" }
        let directory = outputDirectory.map { URL(fileURLWithPath: $0) }
        // Rank 0 alone writes the folder; the other ranks only read a checkpoint to resume from.
        let writes = distributed.isRoot
        // One writer per output folder, from before its first write until the run ends (taken once
        // the options and the data are known to be good, so that a refused run creates no folder).
        let lock = try directory.map { writes ? try OutputLock.acquire($0) : nil }
        defer { withExtendedLifetime(lock) {} }
        var resumedFrom: URL?
        if let directory {
            let schedule = try configuration.checkpointSchedule
            let store = CheckpointStore(directory: directory.appendingPathComponent(ModelFolder.checkpointFolder), keep: configuration.keepCheckpoints)
            if writes { trainer.checkpointing = CheckpointPolicy(store: store, everySeconds: schedule.seconds, everyEpochs: schedule.epochs, everySteps: schedule.steps,
                                                     bestMonitor: setup.validationLoader != nil ? "validation.loss" : nil) }
            if resume {
                if let latest = store.latest(as: Scalar.self) {
                    messages += latest.problems
                    if let text = latest.checkpoint.configuration,
                       let saved = try? JSONDecoder().decode(TrainConfiguration.self, from: Data(text.utf8)) {
                        let differences = configuration.differences(from: saved)
                        if differences.contains("processes") {
                            throw ValidationError("cannot resume: the checkpoint was written by a run of \(saved.processes ?? 1) process\((saved.processes ?? 1) == 1 ? "" : "es"), "
                                                  + "this one has \(configuration.processes ?? 1); the per-process batches and the data shares depend on it, "
                                                  + "so resume with the same number (mpirun -np \(saved.processes ?? 1)), or start a new run without --resume")
                        }
                        guard differences.isEmpty else {
                            throw ValidationError("cannot resume: \(differences.joined(separator: ", ")) differ from the checkpointed run's; "
                                                  + "use the same options, or start a new run without --resume")
                        }
                    }
                    let sample = trainer.trainingLossSample  // what this setup measures the full loss on
                    defer { trainer.trainingLossSample = sample }
                    do { try trainer.restore(from: latest.checkpoint) } catch {
                        throw ValidationError("cannot resume from \(latest.url.path): \(error)")
                    }
                    resumedFrom = latest.url
                    let position = latest.checkpoint.trainer.position
                    messages.append("resuming from \(latest.url.lastPathComponent): epoch \(position.epoch + 1), batch \(position.batchIndex), step \(latest.checkpoint.trainer.step)")
                } else {
                    messages += store.checkpointFiles().isEmpty ? [] : ["no readable checkpoint in \(store.directory.path)"]
                    messages.append("no checkpoint to resume from in \(store.directory.path); starting from the beginning")
                }
            } else if writes {
                for old in store.checkpointFiles() + [store.bestFile] { try? FileManager.default.removeItem(at: old) }
            }
        }
        // Every rank the same run, then the same weights, then the all-reducing step.
        try distributed.checkAgreement(configuration: configuration, checkpoint: resumedFrom)
        let distributedStep = try distributed.attach(to: trainer)
        if distributed.isDistributed, let library = distributed.communicator?.libraryDescription {
            messages.append("data-parallel: \(distributed.size) processes (\(library)); batch size \(configuration.batchSize) per process, "
                            + "global batch \((Int(configuration.batchSize) ?? 0) * distributed.size)")
        }
        if let directory, writes {
            // Written before training, so that `--resume --output DIR` alone works whenever the run stops.
            try ModelFolder.writeConfiguration(configuration, to: directory)
        }
        if verbose { messages.append("training step: \(trainer.step)") }
        let reporter = ProgressReporter(style: writes ? progress : .quiet)
        trainer.callbacks.append(reporter)
        trainer.callbacks += callbacks
        // Messages so far go out before the progress starts.
        if !writes { messages = [] }
        if progress != .quiet { for message in messages { FileHandle.standardError.write(Data((message + "\n").utf8)) }; messages = [] }

        // In a data-parallel run Ctrl-C is a vote sent with the next step (every rank stops after the same step).
        let interrupts = handleInterrupts ? InterruptHandler(distributedStep?.localStop ?? trainer.stopSignal) : nil
        let result = try trainer.fit(epochs: configuration.epochs, training: setup.trainLoader, validation: setup.validationLoader,
                                     trainingEvaluation: setup.trainEvaluationLoader)
        withExtendedLifetime(interrupts) {}

        if verbose, let step = distributedStep, step.stepCount > 0 {
            messages.append(String(format: "all-reduce: %.3f ms per step of %.3f ms (%.1f%%, waiting for the other ranks included), %d steps on rank %d",
                                   1000 * step.reductionSeconds / Double(step.stepCount), 1000 * step.stepSeconds / Double(step.stepCount),
                                   100 * step.reductionSeconds / max(step.stepSeconds, 1e-12), step.stepCount, distributed.rank))
        }
        var outcome = Outcome(text: "", messages: messages, exitCode: 0, result: result)
        let diverged = result.stopReason == .diverged
        guard writes else {
            // The same model as rank 0's: rank 0 evaluates, writes and prints it.
            outcome.silent = true
            outcome.exitCode = diverged ? 1 : result.stopReason == .interrupted ? 130 : 0
            return outcome
        }
        var train: [String: Double]? = nil, validation: [String: Double]? = nil, test: [String: Double]? = nil
        if diverged {
            train = result.history.epochs.last?.train
            validation = result.history.epochs.last?.validation
        } else {
            train = try evaluate(setup.model, loss: trainer.loss, metrics: trainer.metrics, on: setup.exactTrainLoader).values
            validation = try setup.validationLoader.map { try evaluate(setup.model, loss: trainer.loss, metrics: trainer.metrics, on: $0).values }
            test = try setup.testLoader.map { try evaluate(setup.model, loss: trainer.loss, metrics: trainer.metrics, on: $0).values }
        }
        if let directory {
            try ModelFolder.write(model: setup.model, preprocessing: setup.preprocessing, configuration: configuration,
                                  history: result.history, to: directory, includeModel: !diverged)
        }
        // Global: every process trained as many samples as this one in the same steps.
        let samplesPerSecond = result.seconds > 0 ? Double(result.samples * distributed.size) / result.seconds : 0
        if let directory {
            try TrainingReport(setup: setup, result: result, train: train, validation: validation, test: test, steps: trainer.state.step,
                               samplesPerSecond: samplesPerSecond).write(to: directory)
        }
        outcome.lossCurve = TrainingCharts(history: result.history).terminalChart()
        switch result.stopReason {
        case .diverged:
            outcome.exitCode = 1
            outcome.messages.append(result.divergence?.description ?? "training diverged")
            if let last = trainer.writtenCheckpoints.last ?? trainer.checkpointing?.store.checkpointFiles().first {
                outcome.messages.append("the last good checkpoint is kept: \(last.path)")
            }
        case .interrupted:
            outcome.exitCode = 130
            outcome.messages.append(resumeHint(checkpointed: directory != nil))
        case .timeLimit:
            outcome.messages.append("stopped at the time limit. " + resumeHint(checkpointed: directory != nil))
        case .completed, .earlyStopping:
            break
        }
        switch formatOption.format {
        case .json:
            outcome.text = "{\"stoppedBecause\": \"\(result.stopReason.rawValue)\", \"epochs\": \(result.epochs), "
                + "\"train\": \(jsonObject(train)), \"validation\": \(jsonObject(validation)), \"test\": \(jsonObject(test)), \"processes\": \(distributed.size), "
                + "\"timing\": {\"loadSeconds\": \(jsonNumber(setup.loadSeconds)), \"trainSeconds\": \(jsonNumber(result.seconds)), "
                + "\"fullLossSeconds\": \(jsonNumber(result.evaluationSeconds)), \"checkpointSeconds\": \(jsonNumber(result.checkpointSeconds)), "
                + "\"samplesPerSecond\": \(jsonNumber(samplesPerSecond))}, "
                + "\"memory\": {\"peakBytes\": \(ProcessMemory.current().peakKilobytes * 1024), \"limitBytes\": \(try configuration.memoryLimitBytes), "
                + "\"streamed\": \(setup.streamed != nil)}}"
        case .text:
            var lines = ["stopped: \(result.stopReason.rawValue) after \(result.epochs) epoch\(result.epochs == 1 ? "" : "s") (\(trainer.state.step) steps)"]
            if let train { lines.append("train       " + textValues(train)) }
            if let validation { lines.append("validation  " + textValues(validation)) }
            if let test { lines.append("test        " + textValues(test)) }
            lines.append(String(format: "time: %.2fs loading, %.2fs training (%.2fs of it the full loss), %.2fs checkpoints, %.0f samples/s",
                                setup.loadSeconds, result.seconds, result.evaluationSeconds, result.checkpointSeconds, samplesPerSecond)
                         + (distributed.isDistributed ? " over \(distributed.size) processes" : ""))
            lines.append("memory: \(formattedBytes(ProcessMemory.current().peakKilobytes * 1024)) at the peak"
                         + (setup.streamed != nil ? ", data streamed from disk" : "") + " (limit \(formattedBytes(try configuration.memoryLimitBytes)))")
            if let directory {
                lines.append("wrote \(directory.path)/: " + (diverged ? "" : "\(ModelFolder.modelFile), ")
                             + "\(TrainingReport.fileName), \(ModelFolder.preprocessingFile), \(ModelFolder.configFile), history.json, history-epochs.csv, "
                             + "history-steps.csv, \(ModelFolder.checkpointFolder)/")
            }
            outcome.text = lines.joined(separator: "\n")
        }
        return outcome
    }

    /// How to continue this run.
    private func resumeHint(checkpointed: Bool) -> String {
        guard checkpointed else { return "no checkpoint was written (no --output); give --output DIR to be able to resume" }
        let arguments = CommandLine.arguments.dropFirst().filter { $0 != "--resume" }.map(shellQuoted)
        let command = arguments.first == "train" ? "descent " + arguments.joined(separator: " ") : "descent train --output \(shellQuoted(outputDirectory ?? "DIR"))"
        return "a checkpoint was written; to continue exactly where it stopped, run:\n  \(command) --resume"
    }
}

/// `text` quoted for a POSIX shell when it needs to be.
func shellQuoted(_ text: String) -> String {
    let safe = text.allSatisfy { $0.isLetter || $0.isNumber || "-_./:=@,+".contains($0) }
    return safe && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
