/// The linear scaling rule with gradual warm-up: when the batch grows k-fold, multiply the rate
/// by k, and reach the new rate by a linear ramp from the reference rate.
///
///     η(B) = η_ref · B / B_ref
///     η_i = η_ref + (η(B) − η_ref)·i/W   for warm-up step i < W, then η(B) (or the `then` schedule)
///
/// - Parameters:
///   - referenceBatchSize: B_ref, the batch size the reference rate was tuned for (e.g. `256`).
///   - referenceLearningRate: η_ref (e.g. `0.1`).
/// - PyTorch: no class; `LinearLR(start_factor = 1/k, total_iters = W)` then the main schedule in
///   `SequentialLR`. Reference: Goyal et al., 2017, *Accurate, Large Minibatch SGD: Training
///   ImageNet in 1 Hour*, §2.1–2.2 (warm-up over the first 5 epochs).
public struct LinearScalingRule: Sendable, Equatable {
    /// B_ref, the batch size the reference rate was tuned for.
    public var referenceBatchSize: Int
    /// η_ref, the rate at the reference batch size.
    public var referenceLearningRate: Double

    /// Creates the rule.
    public init(referenceBatchSize: Int, referenceLearningRate: Double) {
        self.referenceBatchSize = referenceBatchSize
        self.referenceLearningRate = referenceLearningRate
    }

    /// η_ref·B/B_ref, the rate for `batchSize`.
    public func learningRate(forBatchSize batchSize: Int) -> Double {
        referenceLearningRate * Double(batchSize) / Double(referenceBatchSize)
    }

    /// The gradual warm-up over `warmUpSteps` steps, as a schedule to use with initial rate
    /// ``learningRate(forBatchSize:)``; `then` (if given) runs after the warm-up from step 0.
    /// When the batch is not larger than the reference there is nothing to warm up.
    public func warmUpSchedule(batchSize: Int, warmUpSteps: Int, then: (any LearningRateSchedule)? = nil) -> any LearningRateSchedule {
        let k = Double(batchSize) / Double(referenceBatchSize)
        let warmUp = LinearSchedule(startFactor: k > 1 ? 1 / k : 1, endFactor: 1, totalSteps: Swift.max(warmUpSteps, 1))
        guard let then else { return warmUp }
        return SequentialSchedule([warmUp, then], milestones: [Swift.max(warmUpSteps, 1)])
    }
}
