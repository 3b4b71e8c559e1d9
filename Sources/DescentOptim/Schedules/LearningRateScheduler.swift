/// Drives an optimizer's learning rate (and momentum) through a schedule, as a PyTorch
/// `LRScheduler` does: create it, and after each optimizer step (or epoch) call ``advance(metric:)``.
///
///     var scheduler = LearningRateScheduler(.function(CosineSchedule(tMax: 100)), initialLearningRates: optimizer.initialLearningRates)
///     for step in 0..<100 {
///         scheduler.apply(to: optimizer)      // η_step, known before the step
///         try optimizer.step(parameters)
///         try scheduler.advance()
///     }
///
/// Rates are computed with PyTorch's chainable recursion (each from the previous one), which is
/// what `scheduler.step()` does, so they match PyTorch to the last bits; ``LearningRateSchedule``'s
/// closed form agrees to rounding. The plateau schedule is driven by the metric given to
/// ``advance(metric:)``. The state is `Codable` for checkpoints.
public struct LearningRateScheduler: Sendable {
    /// A schedule that is a function of the step, or the metric-driven plateau schedule.
    public enum Kind: Sendable {
        case function(any LearningRateSchedule)
        case plateau(ReduceLROnPlateau)
    }
    /// What one scheduler step counts.
    public enum Unit: String, Sendable, Codable { case step, epoch }

    /// The schedule.
    public private(set) var kind: Kind
    /// Whether ``advance(metric:)`` is meant to be called per optimizer step or per epoch. The default value is `.step`.
    public var unit: Unit
    /// Calls of ``advance(metric:)`` so far (PyTorch's `last_epoch`).
    public private(set) var step = 0
    /// η₀ of each parameter group.
    public let initialLearningRates: [Double]
    /// The rate of each group for the next optimizer step (`get_last_lr()`).
    public private(set) var learningRates: [Double]

    /// Starts `kind` at step 0 for groups with the given starting rates.
    public init(_ kind: Kind, initialLearningRates: [Double], unit: Unit = .step) {
        self.kind = kind
        self.unit = unit
        self.initialLearningRates = initialLearningRates
        switch kind {
        case .function(let schedule): learningRates = initialLearningRates.map { schedule.learningRate(at: 0, initialLearningRate: $0) }
        case .plateau: learningRates = initialLearningRates
        }
    }

    /// Starts `kind` for a single rate η₀.
    public init(_ kind: Kind, initialLearningRate: Double, unit: Unit = .step) {
        self.init(kind, initialLearningRates: [initialLearningRate], unit: unit)
    }

    /// The rate of the first group for the next optimizer step.
    public var learningRate: Double { learningRates[0] }

    /// The momentum (or β₁) for the next step, if the schedule sets it.
    public var momentum: Double? {
        if case .function(let schedule) = kind { return schedule.momentum(at: step) }
        return nil
    }

    /// Whether ``advance(metric:)`` needs a metric.
    public var needsMetric: Bool { if case .plateau = kind { return true } else { return false } }

    /// Moves to the next step (PyTorch's `scheduler.step()` / `scheduler.step(metric)`).
    /// - Throws: ``OptimizerError`` if the plateau schedule gets no metric.
    public mutating func advance(metric: Double? = nil) throws {
        step += 1
        switch kind {
        case .function(let schedule):
            for index in learningRates.indices {
                learningRates[index] = schedule.chainedLearningRate(at: step, previous: learningRates[index],
                                                                    initialLearningRate: initialLearningRates[index])
            }
        case .plateau(var plateau):
            guard let metric else { throw OptimizerError("the plateau schedule needs a metric (such as the validation loss) at every step") }
            learningRates = plateau.record(metric, learningRates: learningRates)
            kind = .plateau(plateau)
        }
    }

    /// Sets the optimizer's rates (and momentum/β₁ when the schedule cycles it) for its next step.
    /// - Throws: ``OptimizerError`` if the schedule cycles momentum and the optimizer has none
    ///   (PyTorch: `ValueError` for `cycle_momentum` with such an optimizer), or if the number of groups changed.
    public func apply<Scalar>(to optimizer: any Optimizer<Scalar>) throws {
        guard optimizer.groupCount == learningRates.count else {
            throw OptimizerError("the scheduler was made for \(learningRates.count) parameter groups; the optimizer has \(optimizer.groupCount)")
        }
        optimizer.setLearningRates(learningRates)
        if let momentum {
            guard optimizer.momenta != nil else {
                throw OptimizerError("\(optimizer.name) has no momentum or beta1 for the schedule to cycle; use cycleMomentum: false")
            }
            optimizer.setMomenta(Array(repeating: momentum, count: optimizer.groupCount))
        }
    }

    /// The state to save in a checkpoint.
    public var state: State {
        var plateau: ReduceLROnPlateau? = nil
        if case .plateau(let p) = kind { plateau = p }
        return State(step: step, learningRates: learningRates, plateau: plateau)
    }

    /// Restores a saved state (the schedule itself must be the same).
    public mutating func restore(_ state: State) throws {
        guard state.learningRates.count == learningRates.count else {
            throw OptimizerError("the saved scheduler state has \(state.learningRates.count) groups, this scheduler \(learningRates.count)")
        }
        step = state.step
        learningRates = state.learningRates
        if let plateau = state.plateau {
            guard case .plateau = kind else { throw OptimizerError("the saved scheduler state is a plateau schedule's; this schedule is not") }
            kind = .plateau(plateau)
        }
    }

    /// A scheduler's saved state.
    public struct State: Codable, Sendable, Equatable {
        /// Steps taken.
        public var step: Int
        /// The rates for the next step.
        public var learningRates: [Double]
        /// The plateau schedule's state (best metric, counters), if it is one.
        public var plateau: ReduceLROnPlateau?
    }
}
