import ArgumentParser
import Descent
import Foundation

/// This process's part in a data-parallel `descent train`: the launch read from the environment
/// (`OMPI_COMM_WORLD_SIZE`, `PMI_SIZE`, …) and, with more than one process, MPI loaded at run time.
///
/// A plain run (no launcher, or a world of one) never loads MPI. Rank 0 owns the output (the
/// folder, checkpoints, history, report, model, and everything printed); the other ranks train
/// and stay silent.
struct DistributedRun {
    /// The launch as the environment gives it.
    var launch: LaunchEnvironment
    /// The MPI communicator, when more than one process was launched.
    var communicator: MPICommunicator?

    /// A plain single-process run.
    static let single = DistributedRun(launch: .single, communicator: nil)

    /// The process count.
    var size: Int { launch.worldSize }
    /// This process's rank.
    var rank: Int { launch.rank }
    /// Whether this process writes and prints (rank 0).
    var isRoot: Bool { launch.rank == 0 }
    /// Whether the run has more than one process.
    var isDistributed: Bool { communicator != nil }

    /// Seconds a collective may wait, from `DESCENT_COLLECTIVE_TIMEOUT` (default 120).
    static func collectiveTimeout(_ environment: [String: String]) throws -> Double {
        guard let text = environment["DESCENT_COLLECTIVE_TIMEOUT"] else { return MPICommunicator.defaultCollectiveTimeout }
        guard let seconds = Double(text.trimmingCharacters(in: .whitespaces)), seconds.isFinite, (1...86_400).contains(seconds) else {
            throw ValidationError("DESCENT_COLLECTIVE_TIMEOUT=\(text) must be a number of seconds from 1 to 86400 (how long a rank waits for the others before the run is aborted)")
        }
        return seconds
    }

    /// Reads the launch from the environment and, for more than one process, initialises MPI.
    /// - Throws: `ValidationError` when the launcher's variables are garbled or no MPI library loads.
    static func start(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DistributedRun {
        do {
            let launch = try LaunchEnvironment.detect(environment)
            guard launch.isDistributed else { return .single }
            let communicator = try MPICommunicator(launch: launch, collectiveTimeout: try collectiveTimeout(environment))
            return DistributedRun(launch: launch, communicator: communicator)
        } catch let error as DistributedError {
            throw ValidationError(error.message)
        }
    }

    /// This process's share of the training data, or `nil` for a plain run.
    var sampler: DistributedSampler? {
        guard isDistributed else { return nil }
        return try? DistributedSampler(worldSize: size, rank: rank)  // size and rank are checked by LaunchEnvironment.detect
    }

    /// Checks that every rank has the same build, configuration, data and checkpoint.
    /// - Throws: `ValidationError` naming the ranks and what differs.
    func checkAgreement(configuration: TrainConfiguration, checkpoint: URL?) throws {
        guard let communicator else { return }
        do {
            let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
            let build = (try? RankAgreement.fileDigest(executable)) ?? RankAgreement.textDigest(CommandLine.arguments.first ?? "")
            let files = [configuration.data, configuration.labels, configuration.validation, configuration.validationLabels,
                         configuration.test, configuration.testLabels].compactMap { $0 }
            let data = try RankAgreement.combine(files.map { path in
                BuiltinDataset.isBuiltin(path) ? RankAgreement.textDigest(path) : try RankAgreement.fileDigest(path)
            })
            let checkpointDigest = try checkpoint.map { try RankAgreement.fileDigest($0.path) } ?? 0
            try RankAgreement(build: build, configuration: RankAgreement.textDigest(configuration.jsonText()), data: data,
                              checkpoint: checkpointDigest).check(over: communicator)
        } catch let error as DistributedError {
            throw ValidationError(error.message)
        }
    }

    /// Makes `trainer` data-parallel: rank 0's parameters and buffers to every rank, then the
    /// all-reducing step around the trainer's own, and the agreed stop in place of each rank's
    /// own time limit and Ctrl-C. Returns the step.
    func attach<Scalar: TensorScalar>(to trainer: Trainer<Scalar>) throws -> DistributedTrainingStep<Scalar>? {
        guard let communicator else { return nil }
        try broadcastParameters(of: trainer.model, from: 0, over: communicator)
        try broadcastBuffers(of: trainer.model, from: 0, over: communicator)
        guard let inner = trainer.step as? any GradientComputingStep<Scalar> else {
            throw ValidationError("the training step \(trainer.step) cannot stop after the backward pass, so its gradients cannot be all-reduced")
        }
        let step = DistributedTrainingStep(inner: inner, model: trainer.model, communicator: communicator)
        trainer.step = step
        trainer.callbacks.append(DistributedStopCallback(step: step, timeLimit: trainer.timeLimit))
        trainer.timeLimit = nil  // the ranks agree on the stop instead (DistributedStopCallback)
        return step
    }

    /// Ends this rank after `error` in a data-parallel run: the message (with the rank) on standard
    /// error, then `MPI_Abort`, so the other ranks end at once instead of waiting for this one.
    func abort(after error: any Error) -> Never {
        let message = "\(error)".isEmpty ? "\(type(of: error))" : "\(error)"
        let code: Int32 = (error as? ExitCode)?.rawValue ?? 1
        communicator?.abort("descent: rank \(rank) of \(size): " + message, code: code == 0 ? 1 : code)
        exit(code)
    }
}
