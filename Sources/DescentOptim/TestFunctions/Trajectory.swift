import DescentCore

/// One point of an optimizer's path on a ``TestFunction``.
public struct TrajectoryPoint: Sendable, Equatable {
    /// k: 0 is the start, k is the point after k optimizer steps.
    public var step: Int
    /// p_k.
    public var parameters: [Double]
    /// f(p_k).
    public var loss: Double
    /// ∇f(p_k), the gradient optimizer step k+1 uses.
    public var gradient: [Double]
    /// The learning rate step k+1 uses (η_k), or `nil` for the last point.
    public var learningRate: Double?
}

/// An optimizer's path on a test function: the data behind `descent optimize` and its plots.
public struct Trajectory: Sendable {
    /// The function.
    public var function: TestFunction
    /// The optimizer's spec name.
    public var optimizer: String
    /// The optimizer's hyperparameters as used.
    public var hyperparameters: [(key: String, value: Spec.Value)]
    /// The points p_0 … p_n (fewer if the run diverged).
    public var points: [TrajectoryPoint]
    /// Why the run stopped early, naming the step, if it diverged to a non-finite value.
    public var divergence: String?
}

extension TestFunction {
    /// Runs `optimizer` for `steps` steps from `start`, with `schedule` (if any) setting the rate
    /// before every step (a plateau schedule is fed the loss), in the optimizer's precision.
    ///
    /// Stops early, with ``Trajectory/divergence`` naming the step, when the parameters, loss or
    /// gradient stop being finite.
    /// - Throws: ``OptimizerError`` when `start` has the wrong number of coordinates or the schedule
    ///   cannot drive this optimizer.
    public func trajectory<Scalar: TensorScalar>(
        optimizer: any Optimizer<Scalar>, start: [Double], steps: Int, schedule: LearningRateScheduler.Kind? = nil
    ) throws -> Trajectory {
        guard start.count == dimension else {
            throw OptimizerError("\(rawValue) takes \(dimension) coordinate\(dimension == 1 ? "" : "s"), got \(start.count) in the start point \(start)")
        }
        var scheduler = schedule.map { LearningRateScheduler($0, initialLearningRates: optimizer.initialLearningRates) }
        var p = start.map { Scalar($0) }
        var points: [TrajectoryPoint] = []
        var divergence: String? = nil
        for k in 0...steps {
            let loss = value(p), g = gradient(p)
            let finite = loss.isFinite && p.allSatisfy(\.isFinite) && g.allSatisfy(\.isFinite)
            guard finite else {
                divergence = "\(optimizer.name) diverged at step \(k): " + (p.allSatisfy(\.isFinite)
                    ? "the loss or gradient is \(loss.isNaN || g.contains(where: \.isNaN) ? "NaN" : "infinite")"
                    : "the parameters are \(p.map { "\($0)" }.joined(separator: ", "))")
                    + "; try a smaller learning rate"
                break
            }
            var point = TrajectoryPoint(step: k, parameters: p.map(Double.init), loss: Double(loss), gradient: g.map(Double.init))
            if k == steps { points.append(point); break }
            if let scheduler { try scheduler.apply(to: optimizer) }
            point.learningRate = optimizer.learningRate
            points.append(point)
            try p.withUnsafeMutableBufferPointer { value in
                try g.withUnsafeBufferPointer { try optimizer.update(name: "p", value: value, gradient: $0) }
            }
            if scheduler != nil { try scheduler!.advance(metric: Double(loss)) }
        }
        return Trajectory(function: self, optimizer: optimizer.name, hyperparameters: optimizer.hyperparameters,
                          points: points, divergence: divergence)
    }
}
