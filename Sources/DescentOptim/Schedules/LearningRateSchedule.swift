/// A learning-rate schedule: the rate that optimizer step `t` uses, as a function of `t`.
///
/// Follows PyTorch's stepping convention: `learningRate(at: t, …)` is the rate known *before*
/// step `t` (t = 0, 1, …), i.e. the value `scheduler.get_last_lr()` returns after `t` calls of
/// `scheduler.step()`. Whether `t` counts optimizer steps or epochs is up to the caller (see
/// ``LearningRateScheduler/unit``).
public protocol LearningRateSchedule: Sendable {
    /// The spec name (`"cosine"`).
    var name: String { get }
    /// Every hyperparameter by spec key, in a stable order (for reports and JSON).
    var hyperparameters: [(key: String, value: Double)] { get }
    /// η_t: the rate for scheduler step `t`, given the optimizer's starting rate η₀ (`initial_lr`).
    func learningRate(at step: Int, initialLearningRate: Double) -> Double
    /// The momentum (or β₁) for step `t`, for schedules that cycle it (one-cycle); `nil` otherwise.
    func momentum(at step: Int) -> Double?
    /// The rate PyTorch's chainable (recursive) `get_lr()` computes for step `t ≥ 1` from the rate
    /// of step `t − 1`. Equal to ``learningRate(at:initialLearningRate:)`` in exact arithmetic;
    /// differs in the last bits for some schedules. The default is the closed form.
    func chainedLearningRate(at step: Int, previous: Double, initialLearningRate: Double) -> Double
    /// How many steps the schedule lasts when it is followed by another one (`then`), if it has a natural length.
    var naturalLength: Int? { get }
}

extension LearningRateSchedule {
    public func momentum(at step: Int) -> Double? { nil }
    public func chainedLearningRate(at step: Int, previous: Double, initialLearningRate: Double) -> Double {
        learningRate(at: step, initialLearningRate: initialLearningRate)
    }
    public var naturalLength: Int? { nil }
}
