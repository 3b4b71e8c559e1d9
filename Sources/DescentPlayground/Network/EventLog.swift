import Foundation

/// The events of one run, in order, as JSON text: appended by the training thread, read by any
/// number of event streams, each from its own position (a stream that connects late, or
/// reconnects with `Last-Event-ID`, gets what it missed).
///
/// A run's events are bounded by its step limit (``TrainRequest/Limits/steps``), so the log keeps
/// them all. Readers wait without polling: ``events(from:)`` suspends until an event arrives or
/// the log is finished.
final class EventLog: @unchecked Sendable {
    private var events: [String] = []
    private var isFinished = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private let lock = NSLock()

    /// Adds an event and wakes the waiting readers. Ignored once the log is finished.
    func append(_ event: JSONValue) {
        let text = event.text
        let woken = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            guard !isFinished else { return [] }
            events.append(text)
            defer { waiters = [] }
            return waiters
        }
        for waiter in woken { waiter.resume() }
    }

    /// Ends the log: readers get what is left, then the end of the stream.
    func finish() {
        let woken = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            isFinished = true
            defer { waiters = [] }
            return waiters
        }
        for waiter in woken { waiter.resume() }
    }

    /// Every event so far, and whether the log is finished.
    var snapshot: (events: [String], isFinished: Bool) { lock.withLock { (events, isFinished) } }

    /// The events from index `start` on, waiting until there is at least one; `nil` once the log
    /// is finished and has none from `start`. (A reader whose client has gone stays suspended
    /// until the next event or the end of the run, then finds its connection closed.)
    func events(from start: Int) async -> ArraySlice<String>? {
        while true {
            let available = lock.withLock { () -> ArraySlice<String>?? in
                if start < events.count { return .some(events[start...]) }
                return isFinished ? .some(nil) : nil
            }
            if let available { return available }
            await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                let ready = lock.withLock { () -> Bool in
                    if start < events.count || isFinished { return true }
                    waiters.append(waiter)
                    return false
                }
                if ready { waiter.resume() }
            }
        }
    }
}
