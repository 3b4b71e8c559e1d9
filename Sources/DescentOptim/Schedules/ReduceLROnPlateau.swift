/// Reduce the rate when a metric stops improving (stateful: driven by the metric, not the step).
///
///     better(a) = min/rel: a < best·(1 − threshold)   min/abs: a < best − threshold
///                 max/rel: a > best·(1 + threshold)   max/abs: a > best + threshold
///     after each metric: better → best = a, bad = 0; else bad += 1
///                        in cooldown → cooldown −= 1, bad = 0
///                        bad > patience → η ← max(η·factor, minLearningRate) if that lowers η by
///                        more than epsilon; cooldown = cooldown length; bad = 0
///
/// So with patience p the rate drops on the (p+1)-th consecutive metric that does not improve.
///
/// - Parameters:
///   - mode: `.min` (loss) or `.max` (accuracy). The default value is `.min`.
///   - factor: the multiplier on a drop, < 1. The default value is `0.1`.
///   - patience: metrics without improvement tolerated. The default value is `10`.
///   - threshold: the least change that counts as improvement. The default value is `1e-4`.
///   - thresholdMode: `.relative` or `.absolute`. The default value is `.relative`.
///   - cooldown: metrics ignored after a drop. The default value is `0`.
///   - minLearningRate: the floor. The default value is `0`.
///   - epsilon: drops smaller than this are skipped. The default value is `1e-8`.
/// - PyTorch: `torch.optim.lr_scheduler.ReduceLROnPlateau`.
public struct ReduceLROnPlateau: Codable, Sendable, Equatable {
    /// Whether smaller or larger metrics are better.
    public enum Mode: String, Codable, Sendable { case min, max }
    /// How `threshold` is applied.
    public enum ThresholdMode: String, Codable, Sendable { case relative = "rel", absolute = "abs" }

    /// Whether smaller (`.min`) or larger (`.max`) metrics are better.
    public var mode: Mode
    /// The multiplier (see the type's parameters for its default).
    public var factor: Double
    /// Metrics without improvement tolerated before a drop.
    public var patience: Int
    /// The least change that counts as improvement.
    public var threshold: Double
    /// Whether `threshold` is relative or absolute.
    public var thresholdMode: ThresholdMode
    /// Metrics ignored after a drop.
    public var cooldown: Int
    /// The lowest rate.
    public var minLearningRate: Double
    /// Drops smaller than this are skipped.
    public var epsilon: Double

    /// The best metric so far (±∞ before the first).
    public private(set) var best: Double
    /// Consecutive metrics without improvement.
    public private(set) var badCount = 0
    /// Metrics left in the cooldown.
    public private(set) var cooldownCounter = 0

    /// Creates the schedule; every argument defaults to PyTorch's value.
    public init(mode: Mode = .min, factor: Double = 0.1, patience: Int = 10, threshold: Double = 1e-4,
                thresholdMode: ThresholdMode = .relative, cooldown: Int = 0, minLearningRate: Double = 0, epsilon: Double = 1e-8) {
        self.mode = mode; self.factor = factor; self.patience = patience; self.threshold = threshold
        self.thresholdMode = thresholdMode; self.cooldown = cooldown; self.minLearningRate = minLearningRate; self.epsilon = epsilon
        best = mode == .min ? .infinity : -.infinity
    }

    /// Every hyperparameter by spec key.
    public var hyperparameters: [(key: String, value: Double)] {
        [("mode", mode == .min ? 0 : 1), ("factor", factor), ("patience", Double(patience)), ("threshold", threshold),
         ("thresholdMode", thresholdMode == .relative ? 0 : 1), ("cooldown", Double(cooldown)),
         ("minLearningRate", minLearningRate), ("epsilon", epsilon)]
    }

    func isBetter(_ a: Double) -> Bool {
        switch (mode, thresholdMode) {
        case (.min, .relative): return a < best * (1.0 - threshold)
        case (.min, .absolute): return a < best - threshold
        case (.max, .relative): return a > best * (threshold + 1.0)
        case (.max, .absolute): return a > best + threshold
        }
    }

    /// Records `metric` and returns the new rates for the given current rates (PyTorch's `step(metric)`).
    public mutating func record(_ metric: Double, learningRates: [Double]) -> [Double] {
        if isBetter(metric) { best = metric; badCount = 0 } else { badCount += 1 }
        if cooldownCounter > 0 { cooldownCounter -= 1; badCount = 0 }
        guard badCount > patience else { return learningRates }
        cooldownCounter = cooldown
        badCount = 0
        return learningRates.map { old in
            let new = Swift.max(old * factor, minLearningRate)
            return old - new > epsilon ? new : old
        }
    }
}
