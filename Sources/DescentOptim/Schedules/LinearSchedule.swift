/// Linear change of the rate's factor from `startFactor` to `endFactor` over `totalSteps`, then
/// constant: the usual warm-up.
///
///     η_t = η₀·(s + (e − s)·min(t, T)/T)
///
/// - Parameters:
///   - startFactor: s, in (0, 1]. The default value is `1/3`.
///   - endFactor: e. The default value is `1`.
///   - totalSteps: T. The default value is `5`.
/// - PyTorch: `torch.optim.lr_scheduler.LinearLR(start_factor, end_factor, total_iters)`.
public struct LinearSchedule: LearningRateSchedule {
    /// s, the factor at step 0.
    public var startFactor: Double
    /// e, the factor from step T on.
    public var endFactor: Double
    /// T, the length in steps.
    public var totalSteps: Int
    /// Creates the schedule.
    public init(startFactor: Double = 1.0 / 3, endFactor: Double = 1, totalSteps: Int = 5) {
        self.startFactor = startFactor; self.endFactor = endFactor; self.totalSteps = totalSteps
    }
    public var name: String { "linear" }
    public var hyperparameters: [(key: String, value: Double)] {
        [("startFactor", startFactor), ("endFactor", endFactor), ("totalSteps", Double(totalSteps))]
    }
    public func learningRate(at step: Int, initialLearningRate: Double) -> Double {
        initialLearningRate * (startFactor + (endFactor - startFactor) * Double(min(totalSteps, step)) / Double(totalSteps))
    }
    public func chainedLearningRate(at step: Int, previous: Double, initialLearningRate: Double) -> Double {
        // PyTorch's recursive form: lr·(1 + (e − s)/(T·s + (t − 1)(e − s))) for 1 ≤ t ≤ T.
        if step == 0 || step > totalSteps { return step == 0 ? initialLearningRate * startFactor : previous }
        let t = Double(step), T = Double(totalSteps)
        return previous * (1.0 + (endFactor - startFactor) / (T * startFactor + (t - 1) * (endFactor - startFactor)))
    }
    public var naturalLength: Int? { totalSteps }
}
