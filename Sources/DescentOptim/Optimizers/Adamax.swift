import DescentCore
import DescentKernels

/// Adamax: Adam with the infinity norm in place of the second moment.
///
///     t ← t + 1;   g ← (maximize ? −∇ : ∇) + λ·θ
///     m ← β₁·m + (1 − β₁)·g               (ATen's lerp)
///     u ← max(β₂·u, |g| + ε)
///     θ ← θ − (η / (1 − β₁ᵗ)) · m / u
///
/// - PyTorch: `torch.optim.Adamax` (single-tensor path). Reference: Kingma & Ba, 2015, §7.
public final class Adamax<Scalar: TensorScalar>: GradientOptimizer<Scalar, AdamaxOptions>, @unchecked Sendable {
    /// Adamax's hyperparameters.
    public typealias Options = AdamaxOptions

    /// Creates Adamax; every argument defaults to PyTorch's value.
    /// - Parameters:
    ///   - learningRate: η. The default value is `2e-3`.
    ///   - beta1: β₁. The default value is `0.9`.
    ///   - beta2: β₂. The default value is `0.999`.
    ///   - epsilon: ε. The default value is `1e-8`.
    ///   - weightDecay: λ (L2). The default value is `0`.
    ///   - maximize: ascend instead of descend. The default value is `false`.
    public init(learningRate: Double = 2e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 0, maximize: Bool = false) throws {
        let options = AdamaxOptions(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                                    weightDecay: weightDecay, maximize: maximize)
        try checkNonNegative(["learningRate": learningRate, "epsilon": epsilon, "weightDecay": weightDecay], optimizer: "adamax")
        try checkBeta(beta1, "beta1", optimizer: "adamax")
        try checkBeta(beta2, "beta2", optimizer: "adamax")
        super.init(name: "adamax", options: options, bufferNames: ["exp_avg", "exp_inf"])
    }

    override func apply(_ o: AdamaxOptions, _ storage: ParameterStorage<Scalar>, _ p: UnsafeMutablePointer<Scalar>, _ g: UnsafePointer<Scalar>, count: Int) {
        let rate = o.learningRate / biasCorrection(o.beta1, step: storage.step)
        run(AdamaxRule(options: o, rate: rate), p, g, StatePointers(storage.buffer(0), storage.buffer(1)), count: count)
    }
}

/// The hyperparameters of ``Adamax``.
public struct AdamaxOptions: OptimizerOptions {
    /// η. The default value is `2e-3`.
    public var learningRate: Double
    /// β₁. The default value is `0.9`.
    public var beta1: Double
    /// β₂. The default value is `0.999`.
    public var beta2: Double
    /// ε. The default value is `1e-8`.
    public var epsilon: Double
    /// λ (L2). The default value is `0`.
    public var weightDecay: Double
    /// Ascend instead of descend. The default value is `false`.
    public var maximize: Bool

    /// Creates Adamax options.
    public init(learningRate: Double = 2e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 0, maximize: Bool = false) {
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        self.weightDecay = weightDecay; self.maximize = maximize
    }

    public var cycledMomentum: Double? { get { beta1 } set { beta1 = newValue ?? beta1 } }

    public var hyperparameters: [(key: String, value: Spec.Value)] {
        [("learningRate", .number(learningRate)), ("beta1", .number(beta1)), ("beta2", .number(beta2)),
         ("epsilon", .number(epsilon)), ("weightDecay", .number(weightDecay)), ("maximize", .boolean(maximize))]
    }
}

struct AdamaxRule: ElementRule {
    let options: AdamaxOptions
    let rate: Double

    @inline(__always)
    func apply<T: KernelScalar>(_ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ state: StatePointers<T>, count: Int) {
        let m = state.first!, u = state.second!
        let w1 = T(1 - options.beta1), beta2 = T(options.beta2), epsilon = T(options.epsilon)
        let weightDecay = T(options.weightDecay), negativeRate = T(-rate)
        let maximize = options.maximize
        for i in 0..<count {
            let gi = decayedGradient(g[i], p[i], maximize: maximize, weightDecay: weightDecay)
            m[i] = lerp(m[i], gi, w1)
            u[i] = Swift.max(u[i] * beta2, Swift.abs(gi) + epsilon)
            p[i] = p[i] + negativeRate * m[i] / u[i]
        }
    }
}
