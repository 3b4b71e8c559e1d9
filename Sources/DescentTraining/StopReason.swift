import Foundation

/// Why ``Trainer/fit(epochs:training:validation:trainingEvaluation:)`` returned.
public enum StopReason: String, Codable, Sendable, Equatable {
    /// Every epoch ran.
    case completed
    /// ``EarlyStopping`` saw no improvement for `patience` epochs.
    case earlyStopping = "early-stopping"
    /// The loss became NaN or infinite, or grew past the ``DivergenceDetector``'s factor.
    case diverged
    /// ``Trainer/timeLimit`` passed.
    case timeLimit = "time-limit"
    /// ``Trainer/requestStop(_:)`` was called (Ctrl-C in the CLI, or a callback).
    case interrupted
}

/// A thread-safe stop request: a signal handler or a callback sets it, the trainer reads it
/// after each step.
public final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var requested: StopReason?

    /// A signal that is not set.
    public init() {}

    /// Asks the trainer to stop after the current step, for `reason`. The first request wins.
    public func request(_ reason: StopReason = .interrupted) {
        lock.lock(); defer { lock.unlock() }
        if requested == nil { requested = reason }
    }

    /// The pending request, if any.
    public var reason: StopReason? {
        lock.lock(); defer { lock.unlock() }
        return requested
    }

    /// Clears the request.
    public func reset() {
        lock.lock(); defer { lock.unlock() }
        requested = nil
    }
}

/// Training that cannot go on: a misconfiguration, a diverged loss, data that does not fit.
public struct TrainingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What was wrong and what to do about it.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
