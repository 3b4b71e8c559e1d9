import Foundation

/// The network runs the server knows: at most ``maximumActive`` training at once (starting
/// another stops the oldest), and the events of the last ``maximumKept`` runs kept for streams
/// that come late.
final class RunRegistry: @unchecked Sendable {
    /// Runs training at the same time; the page trains one and overlays up to two comparisons.
    let maximumActive: Int
    /// Runs whose events are kept, finished or not.
    let maximumKept: Int
    private var runs: [NetworkRun] = []
    private var counter = 0
    private let lock = NSLock()

    /// A registry with the given bounds. The default values are 3 active and 8 kept.
    init(maximumActive: Int = 3, maximumKept: Int = 8) {
        self.maximumActive = Swift.max(1, maximumActive)
        self.maximumKept = Swift.max(self.maximumActive, maximumKept)
    }

    /// Builds a run from `request` and starts it, stopping the oldest active runs beyond the
    /// bound and forgetting the oldest runs beyond ``maximumKept``.
    /// - Throws: ``RequestError`` for a bad request (no run is created, none is stopped).
    func start(_ request: TrainRequest, uploads: UploadStore) throws -> NetworkRun {
        let id = lock.withLock { () -> String in
            counter += 1
            return "r\(counter)"
        }
        let run = try NetworkRun(id: id, request: request, uploads: uploads)
        let stopped = lock.withLock { () -> [NetworkRun] in
            let active = runs.filter { !$0.log.snapshot.isFinished && !$0.stopRequested }
            let excess = Array(active.prefix(Swift.max(0, active.count - (maximumActive - 1))))
            runs.append(run)
            let forgotten = runs.count > maximumKept ? Array(runs.prefix(runs.count - maximumKept)) : []
            runs.removeFirst(forgotten.count)
            return excess + forgotten
        }
        for old in stopped { old.stop() }
        run.start()
        return run
    }

    /// The run with `id`.
    /// - Throws: ``RequestError`` (404) when there is none.
    func run(_ id: String) throws -> NetworkRun {
        guard let run = lock.withLock({ runs.first { $0.id == id } }) else {
            throw RequestError("there is no run `\(id)` (the server keeps the last \(maximumKept)); start one with POST /api/train", status: 404)
        }
        return run
    }

    /// Runs still training.
    var activeCount: Int { lock.withLock { runs.filter { !$0.log.snapshot.isFinished }.count } }

    /// Stops every run (when the server shuts down).
    func stopAll() {
        for run in lock.withLock({ runs }) { run.stop() }
    }
}
