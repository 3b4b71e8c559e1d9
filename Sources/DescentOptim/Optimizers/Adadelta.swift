import DescentCore
import DescentKernels

/// Adadelta: steps sized by the ratio of running RMS of past updates and of gradients.
///
///     g ← (maximize ? −∇ : ∇) + λ·θ
///     v ← ρ·v + (1 − ρ)·g²
///     Δ = √(u + ε) / √(v + ε) · g          (ε inside both square roots)
///     u ← ρ·u + (1 − ρ)·Δ²
///     θ ← θ − η·Δ
///
/// - PyTorch: `torch.optim.Adadelta` (single-tensor path). Reference: Zeiler, 2012,
///   *ADADELTA: An Adaptive Learning Rate Method*.
public final class Adadelta<Scalar: TensorScalar>: GradientOptimizer<Scalar, AdadeltaOptions>, @unchecked Sendable {
    /// Adadelta's hyperparameters.
    public typealias Options = AdadeltaOptions

    /// Creates Adadelta; every argument defaults to PyTorch's value.
    /// - Parameters:
    ///   - learningRate: η, scales Δ. The default value is `1.0`.
    ///   - rho: ρ, decay of both averages. The default value is `0.9`.
    ///   - epsilon: ε. The default value is `1e-6`.
    ///   - weightDecay: λ (L2). The default value is `0`.
    ///   - maximize: ascend instead of descend. The default value is `false`.
    public init(learningRate: Double = 1.0, rho: Double = 0.9, epsilon: Double = 1e-6, weightDecay: Double = 0,
                maximize: Bool = false) throws {
        let options = AdadeltaOptions(learningRate: learningRate, rho: rho, epsilon: epsilon, weightDecay: weightDecay, maximize: maximize)
        try checkNonNegative(["learningRate": learningRate, "epsilon": epsilon, "weightDecay": weightDecay], optimizer: "adadelta")
        guard rho >= 0 && rho <= 1 else { throw OptimizerError("adadelta: rho must be in [0, 1], got \(rho)") }
        super.init(name: "adadelta", options: options, bufferNames: ["square_avg", "acc_delta"])
    }

    override func apply(_ o: AdadeltaOptions, _ storage: ParameterStorage<Scalar>, _ p: UnsafeMutablePointer<Scalar>, _ g: UnsafePointer<Scalar>, count: Int) {
        run(AdadeltaRule(options: o), p, g, StatePointers(storage.buffer(0), storage.buffer(1)), count: count)
    }
}

/// The hyperparameters of ``Adadelta``.
public struct AdadeltaOptions: OptimizerOptions {
    /// η. The default value is `1.0`.
    public var learningRate: Double
    /// ρ. The default value is `0.9`.
    public var rho: Double
    /// ε. The default value is `1e-6`.
    public var epsilon: Double
    /// λ (L2). The default value is `0`.
    public var weightDecay: Double
    /// Ascend instead of descend. The default value is `false`.
    public var maximize: Bool

    /// Creates Adadelta options.
    public init(learningRate: Double = 1.0, rho: Double = 0.9, epsilon: Double = 1e-6, weightDecay: Double = 0, maximize: Bool = false) {
        self.learningRate = learningRate; self.rho = rho; self.epsilon = epsilon; self.weightDecay = weightDecay
        self.maximize = maximize
    }

    public var hyperparameters: [(key: String, value: Spec.Value)] {
        [("learningRate", .number(learningRate)), ("rho", .number(rho)), ("epsilon", .number(epsilon)),
         ("weightDecay", .number(weightDecay)), ("maximize", .boolean(maximize))]
    }
}

struct AdadeltaRule: ElementRule {
    let options: AdadeltaOptions

    @inline(__always)
    func apply<T: KernelScalar>(_ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ state: StatePointers<T>, count: Int) {
        let v = state.first!, u = state.second!
        let rho = T(options.rho), w = T(1 - options.rho), epsilon = T(options.epsilon)
        let weightDecay = T(options.weightDecay), negativeRate = T(-options.learningRate)
        let maximize = options.maximize
        for i in 0..<count {
            let gi = decayedGradient(g[i], p[i], maximize: maximize, weightDecay: weightDecay)
            v[i] = squaredAverage(v[i], gi, beta: rho, oneMinusBeta: w)
            let standardDeviation = T.sqrt(v[i] + epsilon)
            let delta = T.sqrt(u[i] + epsilon) / standardDeviation * gi
            u[i] = squaredAverage(u[i], delta, beta: rho, oneMinusBeta: w)
            p[i] = p[i] + negativeRate * delta
        }
    }
}
