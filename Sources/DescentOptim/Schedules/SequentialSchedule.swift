/// Schedules run one after another: `schedules[0]` until `milestones[0]`, then `schedules[1]`
/// restarted from its own step 0, and so on (warm-up then decay).
///
///     η_t = schedules[i](t − milestones[i−1])   where i = number of milestones ≤ t
///
/// Written in spec strings as `linear(startFactor: 0.1, totalSteps: 5) then cosine(tMax: 45)`
/// (the milestone is the first schedule's length) or `… then(at: 5) …`.
///
/// - PyTorch: `torch.optim.lr_scheduler.SequentialLR(optimizer, schedulers, milestones)`.
public struct SequentialSchedule: LearningRateSchedule {
    /// The schedules, in order.
    public var schedules: [any LearningRateSchedule]
    /// The steps at which the rate changes.
    public var milestones: [Int]

    /// Creates the sequence; `milestones` has one entry fewer than `schedules`, increasing.
    public init(_ schedules: [any LearningRateSchedule], milestones: [Int]) {
        precondition(schedules.count == milestones.count + 1, "SequentialSchedule: \(schedules.count) schedules need \(schedules.count - 1) milestones")
        self.schedules = schedules
        self.milestones = milestones
    }

    public var name: String { "sequential" }
    public var hyperparameters: [(key: String, value: Double)] {
        var result: [(key: String, value: Double)] = []
        for (index, schedule) in schedules.enumerated() {
            if index > 0 { result.append(("milestones[\(index - 1)]", Double(milestones[index - 1]))) }
            result += schedule.hyperparameters.map { ("\(index).\(schedule.name).\($0.key)", $0.value) }
        }
        return result
    }

    private func locate(_ step: Int) -> (index: Int, local: Int) {
        let index = milestones.filter { $0 <= step }.count
        return (index, index == 0 ? step : step - milestones[index - 1])
    }

    public func learningRate(at step: Int, initialLearningRate: Double) -> Double {
        let (index, local) = locate(step)
        return schedules[index].learningRate(at: local, initialLearningRate: initialLearningRate)
    }

    public func momentum(at step: Int) -> Double? {
        let (index, local) = locate(step)
        return schedules[index].momentum(at: local)
    }

    public func chainedLearningRate(at step: Int, previous: Double, initialLearningRate: Double) -> Double {
        let (index, local) = locate(step)
        // At a milestone PyTorch calls `next.step(0)`, the closed form at the next schedule's step 0.
        if local == 0 { return schedules[index].learningRate(at: 0, initialLearningRate: initialLearningRate) }
        return schedules[index].chainedLearningRate(at: local, previous: previous, initialLearningRate: initialLearningRate)
    }

    public var naturalLength: Int? {
        guard let last = schedules.last?.naturalLength else { return nil }
        return (milestones.last ?? 0) + last
    }
}
