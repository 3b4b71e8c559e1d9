import Descent
import Foundation

/// One network run of the playground: trains on its own thread (so a long run never holds one
/// of the few threads Swift concurrency's pool has) and writes its events to ``log``.
///
/// The events, each a JSON object with a `type`:
/// - `start`: the data (points before standardisation), classes, the drawn rectangle, the run's
///   length (``NetworkSession/startEvent(id:)``);
/// - `step`: after every optimizer step `step`, `epoch`, `batchLoss` (the batch's loss before
///   the step) and `learningRate` (the rate the step used); on measured steps (step 0, every
///   `measureEvery` steps and every epoch's last) also `fullLoss`, `trainAccuracy`,
///   `validationLoss`, `validationAccuracy` and `regions`, all after the step;
/// - `end`: `stopReason` (`completed`, `interrupted`, `diverged`), `steps`, `seconds`, and
///   `divergence` when it diverged; or `error` with a `message` if training failed.
final class NetworkRun: @unchecked Sendable {
    /// The run's id in the API's paths.
    let id: String
    /// The run's events.
    let log = EventLog()
    /// When the run was created (the oldest is stopped first).
    let created = Date()
    /// Trains the session, reporting to this run (the session's element type hidden inside).
    private let body: (NetworkRun) -> Void

    private let condition = NSCondition()
    private var isPaused = false
    private var isStopped = false

    /// Builds the run (data, model, trainer) at once, so a bad request fails before it has an id.
    /// - Throws: ``RequestError`` for any bad setting.
    init(id: String, request: TrainRequest, uploads: UploadStore) throws {
        self.id = id
        if request.usesDouble {
            let session = try NetworkSession<Double>(request, uploads: uploads)
            body = { $0.train(session) }
        } else {
            let session = try NetworkSession<Float>(request, uploads: uploads)
            body = { $0.train(session) }
        }
    }

    /// Starts training on a new thread.
    func start() {
        let thread = Thread { [self] in body(self) }
        thread.name = "descent-playground-\(id)"
        thread.start()
    }

    /// Holds the run after its current step, until ``resume()`` or ``stop()``.
    func pause() { condition.withLock { isPaused = true } }

    /// Lets a paused run go on.
    func resume() {
        condition.withLock { isPaused = false }
        condition.broadcast()
    }

    /// Stops the run after its current step (a paused run stops at once).
    func stop() {
        condition.withLock { isStopped = true }
        condition.broadcast()
    }

    /// Whether the run has been asked to stop.
    var stopRequested: Bool { condition.withLock { isStopped } }

    /// Whether the run is paused.
    var paused: Bool { condition.withLock { isPaused } }

    /// Waits while paused; returns the seconds spent waiting (the pace's clock skips them).
    fileprivate func waitWhilePaused() -> Double {
        let start = Date()
        condition.lock()
        while isPaused && !isStopped { condition.wait() }
        condition.unlock()
        return Date().timeIntervalSince(start)
    }

    /// Sleeps until `date`, or less if the run is stopped or paused meanwhile.
    fileprivate func sleep(until date: Date) {
        condition.lock()
        while !isStopped && !isPaused && Date() < date { _ = condition.wait(until: date) }
        condition.unlock()
    }

    /// The thread's work: the start event, step 0's measurement, the fit, the end event.
    private func train<Scalar>(_ session: NetworkSession<Scalar>) {
        defer { log.finish() }
        do {
            log.append(session.startEvent(id: id))
            log.append(.object([("type", .string("step")), ("step", .number(0)), ("epoch", .number(0)),
                                ("learningRate", .number(session.trainer.optimizer.learningRate))] + (try session.measurement())))
            let reporter = StepReporter(run: self, session: session)
            session.trainer.callbacks = [reporter]
            let result = try session.trainer.fit(epochs: session.request.epochs, training: session.trainLoader,
                                                 trainingEvaluation: session.trainEvaluationLoader)
            var fields: [(String, JSONValue)] = [("type", .string("end")), ("stopReason", .string(result.stopReason.rawValue)),
                                                 ("steps", .number(Double(session.trainer.state.step))), ("seconds", .number(result.seconds))]
            if let divergence = result.divergence { fields.append(("divergence", .string(divergence.description))) }
            log.append(.object(fields))
        } catch {
            log.append(.object([("type", .string("error")), ("message", .string("\(error)"))]))
        }
    }

    /// Writes a step event after every optimizer step, measures when due, keeps the pace, holds
    /// while paused and stops the fit when asked.
    private final class StepReporter<Scalar: TensorScalar>: TrainingCallback {
        let run: NetworkRun
        let session: NetworkSession<Scalar>
        /// The pace's clock: step k is due `k / stepsPerSecond` seconds after this.
        var clockStart = Date()

        init(run: NetworkRun, session: NetworkSession<Scalar>) {
            self.run = run
            self.session = session
        }

        func batchDidEnd(_ training: TrainingRun) throws {
            let progress = training.progress
            var fields: [(String, JSONValue)] = [("type", .string("step")), ("step", .number(Double(progress.step))),
                                                 ("epoch", .number(Double(progress.epoch))), ("batchLoss", .number(progress.batchLoss ?? .nan)),
                                                 ("learningRate", .number(progress.learningRate))]
            if progress.step % session.measureEvery == 0 || progress.batch == progress.batchesPerEpoch {
                fields += try session.measurement()
            }
            run.log.append(.object(fields))
            if let rate = session.request.stepsPerSecond {
                run.sleep(until: clockStart.addingTimeInterval(Double(progress.step) / rate))
            }
            clockStart = clockStart.addingTimeInterval(run.waitWhilePaused())
            if run.stopRequested { training.requestStop(.interrupted) }
        }
    }
}
