import DescentCore
import DescentKernels

/// Lion: the sign of an interpolated momentum, found by program search.
///
///     θ ← θ·(1 − η·λ)                     (decoupled decay first)
///     c = β₁·m + (1 − β₁)·g
///     θ ← θ − η·sign(c)                   (sign(0) = 0)
///     m ← β₂·m + (1 − β₂)·g               (β₂ for the state, β₁ for the update)
///
/// Because every coordinate moves by ±η, Lion wants a rate 3–10× smaller than AdamW's.
///
/// - PyTorch: none built in; matches lucidrains' `lion_pytorch.Lion` (and Optax `lion` with the
///   same λ). Reference: Chen et al., 2023, *Symbolic Discovery of Optimization Algorithms*.
public final class Lion<Scalar: TensorScalar>: GradientOptimizer<Scalar, LionOptions>, @unchecked Sendable {
    /// Lion's hyperparameters.
    public typealias Options = LionOptions

    /// Creates Lion; every argument defaults to lucidrains' value.
    /// - Parameters:
    ///   - learningRate: η. The default value is `1e-4`.
    ///   - beta1: β₁, interpolation for the update. The default value is `0.9`.
    ///   - beta2: β₂, decay of the momentum state. The default value is `0.99`.
    ///   - weightDecay: λ, decoupled. The default value is `0`.
    ///   - maximize: ascend instead of descend. The default value is `false`.
    public init(learningRate: Double = 1e-4, beta1: Double = 0.9, beta2: Double = 0.99, weightDecay: Double = 0,
                maximize: Bool = false) throws {
        let options = LionOptions(learningRate: learningRate, beta1: beta1, beta2: beta2, weightDecay: weightDecay, maximize: maximize)
        try checkNonNegative(["learningRate": learningRate, "weightDecay": weightDecay], optimizer: "lion")
        try checkBeta(beta1, "beta1", optimizer: "lion")
        try checkBeta(beta2, "beta2", optimizer: "lion")
        super.init(name: "lion", options: options, bufferNames: ["exp_avg"])
    }

    override func apply(_ o: LionOptions, _ storage: ParameterStorage<Scalar>, _ p: UnsafeMutablePointer<Scalar>, _ g: UnsafePointer<Scalar>, count: Int) {
        run(LionRule(options: o), p, g, StatePointers(storage.buffer(0)), count: count)
    }
}

/// The hyperparameters of ``Lion``.
public struct LionOptions: OptimizerOptions {
    /// η. The default value is `1e-4`.
    public var learningRate: Double
    /// β₁. The default value is `0.9`.
    public var beta1: Double
    /// β₂. The default value is `0.99`.
    public var beta2: Double
    /// λ (decoupled). The default value is `0`.
    public var weightDecay: Double
    /// Ascend instead of descend (negates the gradient). The default value is `false`.
    public var maximize: Bool

    /// Creates Lion options.
    public init(learningRate: Double = 1e-4, beta1: Double = 0.9, beta2: Double = 0.99, weightDecay: Double = 0, maximize: Bool = false) {
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2; self.weightDecay = weightDecay
        self.maximize = maximize
    }

    public var cycledMomentum: Double? { get { beta1 } set { beta1 = newValue ?? beta1 } }

    public var hyperparameters: [(key: String, value: Spec.Value)] {
        [("learningRate", .number(learningRate)), ("beta1", .number(beta1)), ("beta2", .number(beta2)),
         ("weightDecay", .number(weightDecay)), ("maximize", .boolean(maximize))]
    }
}

struct LionRule: ElementRule {
    let options: LionOptions

    @inline(__always)
    func apply<T: KernelScalar>(_ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ state: StatePointers<T>, count: Int) {
        let m = state.first!
        let decayFactor = T(1 - options.learningRate * options.weightDecay)
        let beta1 = T(options.beta1), w1 = T(1 - options.beta1), beta2 = T(options.beta2), w2 = T(1 - options.beta2)
        let negativeRate = T(-options.learningRate), maximize = options.maximize
        for i in 0..<count {
            let gi = maximize ? -g[i] : g[i]
            p[i] = decoupledDecay(p[i], factor: decayFactor)
            let c = m[i] * beta1 + w1 * gi
            let direction: T = c > 0 ? 1 : (c < 0 ? -1 : 0)
            p[i] = p[i] + negativeRate * direction
            m[i] = m[i] * beta2 + w2 * gi
        }
    }
}
