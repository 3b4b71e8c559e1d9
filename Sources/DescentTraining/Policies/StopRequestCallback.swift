/// The stop request as a policy: after every step and every epoch it turns a pending
/// ``Trainer/requestStop(_:)`` (Ctrl-C in the CLI, another thread, an observing callback) into a
/// stop of the run with the request's reason. It comes after divergence detection (a diverged
/// step is reported as a divergence, not as the interruption) and before the checkpoints (which
/// then save the run where it stopped).
final class StopRequestCallback: TrainingCallback {
    let signal: StopSignal

    /// The policy that reads `signal` (``Trainer/stopSignal``).
    init(signal: StopSignal) { self.signal = signal }

    func batchDidEnd(_ run: TrainingRun) { stopIfRequested(run) }

    func epochDidEnd(_ run: TrainingRun) { stopIfRequested(run) }

    private func stopIfRequested(_ run: TrainingRun) {
        if let reason = signal.reason { run.requestStop(reason) }
    }
}
