import FlyingFox
import FlyingSocks

/// A run's events as a server-sent event stream (`text/event-stream`), for a response body that
/// FlyingFox sends chunk by chunk as the events arrive.
///
/// Each event is one message, `id: N` (its index in the log) and `data: JSON`, so a browser's
/// `EventSource` that reconnects sends `Last-Event-ID` and gets only what it missed. The
/// stream ends after the run's last event; the page closes its `EventSource` on the `end` event
/// so it does not reconnect.
struct EventStreamBody: AsyncBufferedSequence, Sendable {
    typealias Element = UInt8

    /// The run's events.
    let log: EventLog
    /// The index of the first event to send.
    let start: Int

    func makeAsyncIterator() -> Iterator { Iterator(log: log, next: start) }

    /// Hands out every event that has arrived since the last call, waiting for one if none has.
    struct Iterator: AsyncBufferedIteratorProtocol {
        let log: EventLog
        var next: Int
        var pending: [UInt8] = []

        mutating func next() async throws -> UInt8? {
            if pending.isEmpty { pending = await nextBuffer(suggested: 4096) ?? [] }
            return pending.isEmpty ? nil : pending.removeFirst()
        }

        mutating func nextBuffer(suggested count: Int) async -> [UInt8]? {
            guard let events = await log.events(from: next) else { return nil }
            var bytes: [UInt8] = []
            for (offset, event) in events.enumerated() {
                bytes += Array("id: \(next + offset)\ndata: \(event)\n\n".utf8)
            }
            next += events.count
            return bytes
        }
    }
}
