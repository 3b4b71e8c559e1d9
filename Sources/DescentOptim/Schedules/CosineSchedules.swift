#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Cosine annealing from η₀ to η_min over `tMax` steps.
///
///     η_t = η_min + (η₀ − η_min)·(1 + cos(π·t / tMax)) / 2
///
/// Not clamped: past `tMax` the rate rises again (period `2·tMax`), as in PyTorch. The
/// ``LearningRateScheduler`` uses PyTorch's chainable recursion
/// (`η_t = η_min + (η_{t−1} − η_min)·(1 + cos(πt/T)) / (1 + cos(π(t−1)/T))`), which is what
/// `scheduler.step()` computes.
///
/// - Parameters:
///   - tMax: T, the half period (required).
///   - etaMin: η_min. The default value is `0`.
/// - PyTorch: `torch.optim.lr_scheduler.CosineAnnealingLR`. Reference: Loshchilov & Hutter, 2017, *SGDR*.
public struct CosineSchedule: LearningRateSchedule {
    /// T, the half period of the cosine.
    public var tMax: Int
    /// η_min, the lowest rate.
    public var etaMin: Double
    /// Creates the schedule.
    public init(tMax: Int, etaMin: Double = 0) { self.tMax = tMax; self.etaMin = etaMin }
    public var name: String { "cosine" }
    public var hyperparameters: [(key: String, value: Double)] { [("tMax", Double(tMax)), ("etaMin", etaMin)] }
    public func learningRate(at step: Int, initialLearningRate: Double) -> Double {
        etaMin + (initialLearningRate - etaMin) * (1 + cos(Double.pi * Double(step) / Double(tMax))) / 2
    }
    public func chainedLearningRate(at step: Int, previous: Double, initialLearningRate: Double) -> Double {
        let t = Double(step), T = Double(tMax)
        if step == 0 { return previous }
        if (step - 1 - tMax) % (2 * tMax) == 0 {
            return previous + (initialLearningRate - etaMin) * (1 - cos(Double.pi / T)) / 2
        }
        return (1 + cos(Double.pi * t / T)) / (1 + cos(Double.pi * (t - 1) / T)) * (previous - etaMin) + etaMin
    }
    public var naturalLength: Int? { tMax }
}

/// Cosine annealing with warm restarts: cycles of length t0, t0·tMult, t0·tMult², …
///
///     η_t = η_min + (η₀ − η_min)·(1 + cos(π·T_cur / T_i)) / 2
///
/// where T_cur counts steps since the last restart and T_i is the current cycle's length.
///
/// - Parameters:
///   - t0: the first cycle's length (required).
///   - tMult: growth of the cycle length. The default value is `1`.
///   - etaMin: η_min. The default value is `0`.
/// - PyTorch: `torch.optim.lr_scheduler.CosineAnnealingWarmRestarts`. Reference: Loshchilov & Hutter, 2017, *SGDR*.
public struct CosineRestartsSchedule: LearningRateSchedule {
    /// The length of the first cycle.
    public var t0: Int
    /// The growth of each cycle's length.
    public var tMult: Int
    /// η_min, the lowest rate.
    public var etaMin: Double
    /// Creates the schedule.
    public init(t0: Int, tMult: Int = 1, etaMin: Double = 0) { self.t0 = t0; self.tMult = tMult; self.etaMin = etaMin }
    public var name: String { "cosine-restarts" }
    public var hyperparameters: [(key: String, value: Double)] { [("t0", Double(t0)), ("tMult", Double(tMult)), ("etaMin", etaMin)] }
    public func learningRate(at step: Int, initialLearningRate: Double) -> Double {
        var current = step, length = t0
        while current >= length { current -= length; length *= tMult }  // PyTorch's T_cur / T_i update
        return etaMin + (initialLearningRate - etaMin) * (1 + cos(Double.pi * Double(current) / Double(length))) / 2
    }
}
