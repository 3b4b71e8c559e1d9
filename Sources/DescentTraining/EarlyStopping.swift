import DescentCore

/// Stops training when a monitored value has not improved for `patience` epochs, and optionally
/// puts back the weights of the best epoch (Keras' `EarlyStopping`, the "stop when the validation
/// metric starts getting worse" rule).
///
///     improved  ⇔  value < best − minDelta   (mode min)      value > best + minDelta   (mode max)
///     wait ← improved ? 0 : wait + 1;   stop when wait ≥ patience
///
/// Spec: `early-stopping(monitor: validation.loss, patience: 5, minDelta: 0, mode: min, restoreBestWeights: true)`.
/// The monitor names a value of an ``EpochRecord``: `validation.loss`, `validation.accuracy`,
/// `train.loss` (full training loss), `train.batchLoss`, `train.accuracy`, …
///
/// - Keras: `keras.callbacks.EarlyStopping(monitor, min_delta, patience, mode, restore_best_weights)`.
///   Reference: Prechelt, *Early Stopping — But When?*, 1998.
public struct EarlyStopping: Codable, Equatable, Sendable {
    /// Whether smaller or larger is better.
    public enum Mode: String, Codable, Sendable, CaseIterable {
        /// Smaller is better (losses, errors).
        case min
        /// Larger is better (accuracy, R²).
        case max
    }

    /// The value watched, such as `validation.loss`.
    public var monitor: String
    /// Epochs without improvement before stopping.
    public var patience: Int
    /// The smallest change that counts as an improvement.
    public var minDelta: Double
    /// Whether smaller or larger is better.
    public var mode: Mode
    /// Whether to put back the best epoch's weights when stopping.
    public var restoreBestWeights: Bool

    /// The best value so far.
    public private(set) var best: Double?
    /// The epoch (from 1) of the best value.
    public private(set) var bestEpoch: Int?
    /// Epochs since the last improvement.
    public private(set) var wait = 0

    /// An early-stopping rule.
    /// - Parameters:
    ///   - monitor: The default value is `"validation.loss"`.
    ///   - patience: The default value is `5`.
    ///   - minDelta: The default value is `0`.
    ///   - mode: The default value is `nil`: `max` for accuracies, F1, precision, recall and R², `min` otherwise.
    ///   - restoreBestWeights: The default value is `true`.
    public init(monitor: String = "validation.loss", patience: Int = 5, minDelta: Double = 0, mode: Mode? = nil,
                restoreBestWeights: Bool = true) {
        self.monitor = monitor
        self.patience = patience
        self.minDelta = minDelta
        self.mode = mode ?? EarlyStopping.defaultMode(for: monitor)
        self.restoreBestWeights = restoreBestWeights
    }

    /// `max` for monitors that grow as the model gets better, `min` for the others.
    public static func defaultMode(for monitor: String) -> Mode {
        let name = monitor.split(separator: ".").last.map(String.init)?.lowercased() ?? monitor.lowercased()
        return ["accuracy", "f1", "precision", "recall", "r2"].contains { name.hasSuffix($0) } ? .max : .min
    }

    /// Reads a spec such as `early-stopping(monitor: validation.loss, patience: 5)`.
    /// - Throws: `SpecError` for an unknown name or key, or an invalid value.
    public init(spec text: String) throws {
        let spec = try Spec(parsing: text)
        let names = ["early-stopping", "early_stopping", "earlystopping"]
        guard names.contains(spec.name.lowercased()) else {
            throw SpecError("unknown early-stopping rule `\(spec.name)`; write `early-stopping(monitor: validation.loss, patience: 5)`")
        }
        var arguments = try SpecArguments(spec, component: "early-stopping",
                                          validKeys: ["monitor", "patience", "minDelta", "mode", "restoreBestWeights"])
        var monitor = "validation.loss"
        if let argument = spec.arguments.first(where: { $0.label == "monitor" }) {
            guard case .word(let word) = argument.value, word.contains(".") else {
                throw SpecError("early-stopping: `monitor` must name a value such as validation.loss, validation.accuracy or train.loss, not `\(argument.value)`")
            }
            monitor = word
        }
        _ = try arguments.word("monitor", allowed: [monitor], default: monitor)
        let patience = try arguments.int("patience", default: 5)
        guard patience >= 1 else { throw SpecError("early-stopping: `patience` must be ≥ 1, not \(patience)") }
        let minDelta = try arguments.double("minDelta", aliases: ["min_delta"], default: 0)
        guard minDelta >= 0 else { throw SpecError("early-stopping: `minDelta` must be ≥ 0, not \(minDelta)") }
        let mode = try arguments.word("mode", allowed: ["min", "max", "auto"], default: "auto")
        let restore = try arguments.bool("restoreBestWeights", aliases: ["restore_best_weights", "restore"], default: true)
        try arguments.finish()
        self.init(monitor: monitor, patience: patience, minDelta: minDelta, mode: Mode(rawValue: mode), restoreBestWeights: restore)
    }

    /// What one epoch's value means.
    public enum Decision: Equatable, Sendable {
        /// A new best value.
        case improved
        /// No improvement yet, still within patience.
        case waiting
        /// No improvement for `patience` epochs: stop.
        case stop
    }

    /// Records the monitored `value` of `epoch` (from 1) and says what to do.
    public mutating func record(_ value: Double, epoch: Int) -> Decision {
        let improved: Bool
        if let best {
            improved = mode == .min ? value < best - minDelta : value > best + minDelta
        } else {
            improved = !value.isNaN
        }
        if improved {
            best = value
            bestEpoch = epoch
            wait = 0
            return .improved
        }
        wait += 1
        return wait >= patience ? .stop : .waiting
    }
}

/// Detects a diverging run: a NaN or infinite loss at any step, or an epoch whose mean batch loss
/// is more than `growthFactor` times the first epoch's.
///
/// Both are the signature of a learning rate that is too big: each step overshoots the minimum
/// by more than the last, the loss oscillates and grows, and finally overflows.
public struct DivergenceDetector: Codable, Equatable, Sendable {
    /// How many times the first epoch's mean batch loss an epoch's may reach before the run counts
    /// as diverged. The default value is `10`.
    public var growthFactor: Double
    /// The first epoch's mean batch loss, once known.
    public private(set) var reference: Double?

    /// A detector with the given factor.
    public init(growthFactor: Double = 10) { self.growthFactor = growthFactor }

    /// Whether a step's loss is a sign of divergence (NaN or infinite).
    public func stepDiverged(loss: Double) -> Bool { !loss.isFinite }

    /// Records an epoch's mean batch loss; returns `true` if it is not finite or has grown past the factor.
    public mutating func epochDiverged(meanBatchLoss: Double) -> Bool {
        guard meanBatchLoss.isFinite else { return true }
        guard let reference else {
            reference = meanBatchLoss
            return false
        }
        return reference > 0 && meanBatchLoss > growthFactor * reference
    }
}

/// Where and how a run diverged, with the advice the user needs.
public struct Divergence: Codable, Equatable, Sendable, CustomStringConvertible {
    /// The epoch (from 1).
    public var epoch: Int
    /// The optimizer step (from 1) whose loss diverged, or the epoch's last step.
    public var step: Int
    /// The loss that diverged (NaN, infinite, or the grown mean batch loss).
    public var loss: Double
    /// The loss it was compared with (the first epoch's mean batch loss), for growth.
    public var reference: Double?
    /// The learning rate in use.
    public var learningRate: Double

    /// A divergence record.
    public init(epoch: Int, step: Int, loss: Double, reference: Double?, learningRate: Double) {
        self.epoch = epoch; self.step = step; self.loss = loss; self.reference = reference; self.learningRate = learningRate
    }

    /// What happened and what to try next.
    public var description: String {
        let what = loss.isFinite
            ? "the mean batch loss grew to \(formatted(loss)), more than the allowed factor times the first epoch's \(formatted(reference ?? .nan))"
            : "the loss became \(loss.isNaN ? "NaN" : "infinite")"
        return "training diverged at epoch \(epoch), step \(step): \(what). "
            + "The learning rate (\(formatted(learningRate))) is probably too big: try a smaller one, for example \(formatted(learningRate / 10)) (a tenth), "
            + "or run `descent lr-find` with the same data and model options to choose one."
    }
}

/// A short number for messages: up to 6 significant digits.
func formatted(_ x: Double) -> String {
    if x.isNaN { return "NaN" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == x.rounded() && Swift.abs(x) < 1e15 { return String(Int64(x)) }
    var text = String(format: "%.6g", x)
    if let e = text.firstIndex(of: "e") {  // 1e-05 → 1e-5
        let exponent = Int(text[text.index(after: e)...]) ?? 0
        return String(text[..<e]) + "e\(exponent)"
    }
    if text.contains(".") { while text.hasSuffix("0") { text.removeLast() }; if text.hasSuffix(".") { text.removeLast() } }
    return text
}
