import DescentCore
import DescentKernels

/// NAdam: Adam with Nesterov momentum and Dozat's momentum schedule.
///
///     t ← t + 1;   g ← (maximize ? −∇ : ∇),  then L2 (g ← g + λθ) or decoupled (θ ← θ(1 − ηλ)) decay
///     μ_t = β₁·(1 − ½·0.96^(t·ψ)),   μ_{t+1} = β₁·(1 − ½·0.96^((t+1)·ψ)),   Π ← Π·μ_t
///     m ← β₁·m + (1 − β₁)·g;   v ← β₂·v + (1 − β₂)·g²
///     d = √(v / (1 − β₂ᵗ)) + ε
///     θ ← θ − η·(1 − μ_t)/(1 − Π) · g/d − η·μ_{t+1}/(1 − Π·μ_{t+1}) · m/d
///
/// Π (PyTorch's `mu_product`) is kept in the parameter's precision, as PyTorch keeps it in a
/// tensor of the default dtype.
///
/// - PyTorch: `torch.optim.NAdam` (single-tensor path). Reference: Dozat, 2016, *Incorporating
///   Nesterov Momentum into Adam*.
public final class NAdam<Scalar: TensorScalar>: GradientOptimizer<Scalar, NAdamOptions>, @unchecked Sendable {
    /// NAdam's hyperparameters.
    public typealias Options = NAdamOptions

    /// Creates NAdam; every argument defaults to PyTorch's value.
    /// - Parameters:
    ///   - learningRate: η. The default value is `2e-3`.
    ///   - beta1: β₁. The default value is `0.9`.
    ///   - beta2: β₂. The default value is `0.999`.
    ///   - epsilon: ε. The default value is `1e-8`.
    ///   - weightDecay: λ. The default value is `0`.
    ///   - momentumDecay: ψ. The default value is `4e-3`.
    ///   - decoupledWeightDecay: AdamW-style decay. The default value is `false`.
    ///   - maximize: ascend instead of descend. The default value is `false`.
    public init(learningRate: Double = 2e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 0, momentumDecay: Double = 4e-3, decoupledWeightDecay: Bool = false,
                maximize: Bool = false) throws {
        let options = NAdamOptions(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay,
                                   momentumDecay: momentumDecay, decoupledWeightDecay: decoupledWeightDecay, maximize: maximize)
        try checkNonNegative(["learningRate": learningRate, "epsilon": epsilon, "weightDecay": weightDecay,
                              "momentumDecay": momentumDecay], optimizer: "nadam")
        try checkBeta(beta1, "beta1", optimizer: "nadam")
        try checkBeta(beta2, "beta2", optimizer: "nadam")
        super.init(name: "nadam", options: options, bufferNames: ["exp_avg", "exp_avg_sq"], scalarState: [("mu_product", 1)])
    }

    override func apply(_ o: NAdamOptions, _ storage: ParameterStorage<Scalar>, _ p: UnsafeMutablePointer<Scalar>, _ g: UnsafePointer<Scalar>, count: Int) {
        let t = Double(storage.step)
        let mu = o.beta1 * (1 - 0.5 * power(0.96, t * o.momentumDecay))
        let muNext = o.beta1 * (1 - 0.5 * power(0.96, (t + 1) * o.momentumDecay))
        storage.scalars[0] = storage.scalars[0] * Scalar(mu)   // `mu_product *= mu` in the tensor's dtype
        let product = Double(storage.scalars[0])
        let productNext = product * muNext
        let rule = NAdamRule(options: o, biasCorrection2: biasCorrection(o.beta2, step: storage.step),
                             gradientCoefficient: -o.learningRate * (1 - mu) / (1 - product),
                             momentumCoefficient: (-o.learningRate * muNext) / (1 - productNext))
        run(rule, p, g, StatePointers(storage.buffer(0), storage.buffer(1)), count: count)
    }
}

/// The hyperparameters of ``NAdam``.
public struct NAdamOptions: OptimizerOptions {
    /// η. The default value is `2e-3`.
    public var learningRate: Double
    /// β₁. The default value is `0.9`.
    public var beta1: Double
    /// β₂. The default value is `0.999`.
    public var beta2: Double
    /// ε. The default value is `1e-8`.
    public var epsilon: Double
    /// λ. The default value is `0`.
    public var weightDecay: Double
    /// ψ, the momentum schedule's decay. The default value is `4e-3`.
    public var momentumDecay: Double
    /// Decoupled instead of L2 decay. The default value is `false`.
    public var decoupledWeightDecay: Bool
    /// Ascend instead of descend. The default value is `false`.
    public var maximize: Bool

    /// Creates NAdam options.
    public init(learningRate: Double = 2e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 0, momentumDecay: Double = 4e-3, decoupledWeightDecay: Bool = false, maximize: Bool = false) {
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        self.weightDecay = weightDecay; self.momentumDecay = momentumDecay; self.decoupledWeightDecay = decoupledWeightDecay
        self.maximize = maximize
    }

    public var cycledMomentum: Double? { get { beta1 } set { beta1 = newValue ?? beta1 } }

    public var hyperparameters: [(key: String, value: Spec.Value)] {
        [("learningRate", .number(learningRate)), ("beta1", .number(beta1)), ("beta2", .number(beta2)),
         ("epsilon", .number(epsilon)), ("weightDecay", .number(weightDecay)), ("momentumDecay", .number(momentumDecay)),
         ("decoupledWeightDecay", .boolean(decoupledWeightDecay)), ("maximize", .boolean(maximize))]
    }
}

struct NAdamRule: ElementRule {
    let options: NAdamOptions
    let biasCorrection2: Double, gradientCoefficient: Double, momentumCoefficient: Double

    @inline(__always)
    func apply<T: KernelScalar>(_ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ state: StatePointers<T>, count: Int) {
        let m = state.first!, v = state.second!
        let decoupled = options.decoupledWeightDecay && options.weightDecay != 0
        let weightDecay = T(options.decoupledWeightDecay ? 0 : options.weightDecay)
        let decayFactor = T(1 - options.learningRate * options.weightDecay)
        let w1 = T(1 - options.beta1), beta2 = T(options.beta2), w2 = T(1 - options.beta2)
        let bc2 = T(biasCorrection2), epsilon = T(options.epsilon)
        let c1 = T(gradientCoefficient), c2 = T(momentumCoefficient)
        let maximize = options.maximize
        for i in 0..<count {
            if decoupled { p[i] = decoupledDecay(p[i], factor: decayFactor) }
            let gi = decayedGradient(g[i], p[i], maximize: maximize, weightDecay: weightDecay)
            m[i] = lerp(m[i], gi, w1)
            v[i] = squaredAverage(v[i], gi, beta: beta2, oneMinusBeta: w2)
            let denominator = T.sqrt(v[i] / bc2) + epsilon
            p[i] = p[i] + c1 * gi / denominator
            p[i] = p[i] + c2 * m[i] / denominator
        }
    }
}
