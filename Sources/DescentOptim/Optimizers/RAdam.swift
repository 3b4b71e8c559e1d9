import DescentCore
import DescentKernels

/// RAdam: Adam whose adaptive step is switched on only once the variance of its rate is tractable.
///
///     t ← t + 1;   g ← (maximize ? −∇ : ∇),  then L2 (g ← g + λθ) or decoupled (θ ← θ(1 − ηλ)) decay
///     m ← β₁·m + (1 − β₁)·g;   v ← β₂·v + (1 − β₂)·g²;   m̂ = m/(1 − β₁ᵗ)
///     ρ∞ = 2/(1 − β₂) − 1;   ρ_t = ρ∞ − 2t·β₂ᵗ/(1 − β₂ᵗ)
///     if ρ_t > 5:  r = √((ρ_t − 4)(ρ_t − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ_t));
///                  θ ← θ − η·m̂·√(1 − β₂ᵗ)/(√v + ε)·r      (ε on the uncorrected √v)
///     else:        θ ← θ − η·m̂
///
/// With β₂ = 0.999 the first five steps are plain momentum steps.
///
/// - PyTorch: `torch.optim.RAdam` (single-tensor path). Reference: Liu et al., 2020, *On the
///   Variance of the Adaptive Learning Rate and Beyond*.
public final class RAdam<Scalar: TensorScalar>: GradientOptimizer<Scalar, RAdamOptions>, @unchecked Sendable {
    /// RAdam's hyperparameters.
    public typealias Options = RAdamOptions

    /// Creates RAdam; every argument defaults to PyTorch's value.
    /// - Parameters:
    ///   - learningRate: η. The default value is `1e-3`.
    ///   - beta1: β₁. The default value is `0.9`.
    ///   - beta2: β₂. The default value is `0.999`.
    ///   - epsilon: ε. The default value is `1e-8`.
    ///   - weightDecay: λ. The default value is `0`.
    ///   - decoupledWeightDecay: AdamW-style decay. The default value is `false`.
    ///   - maximize: ascend instead of descend. The default value is `false`.
    public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 0, decoupledWeightDecay: Bool = false, maximize: Bool = false) throws {
        let options = RAdamOptions(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay,
                                   decoupledWeightDecay: decoupledWeightDecay, maximize: maximize)
        try checkNonNegative(["learningRate": learningRate, "epsilon": epsilon, "weightDecay": weightDecay], optimizer: "radam")
        try checkBeta(beta1, "beta1", optimizer: "radam")
        try checkBeta(beta2, "beta2", optimizer: "radam")
        super.init(name: "radam", options: options, bufferNames: ["exp_avg", "exp_avg_sq"])
    }

    override func apply(_ o: RAdamOptions, _ storage: ParameterStorage<Scalar>, _ p: UnsafeMutablePointer<Scalar>, _ g: UnsafePointer<Scalar>, count: Int) {
        let t = Double(storage.step)
        let bc1 = biasCorrection(o.beta1, step: storage.step), bc2 = biasCorrection(o.beta2, step: storage.step)
        let rhoInfinity = 2 / (1 - o.beta2) - 1
        let rho = rhoInfinity - 2 * t * power(o.beta2, t) / bc2
        var rectification: Double? = nil
        if rho > 5 {
            rectification = power((rho - 4) * (rho - 2) * rhoInfinity / ((rhoInfinity - 4) * (rhoInfinity - 2) * rho), 0.5)
        }
        let rule = RAdamRule(options: o, biasCorrection1: bc1, biasCorrection2Root: power(bc2, 0.5), rectification: rectification)
        run(rule, p, g, StatePointers(storage.buffer(0), storage.buffer(1)), count: count)
    }
}

/// The hyperparameters of ``RAdam``.
public struct RAdamOptions: OptimizerOptions {
    /// η. The default value is `1e-3`.
    public var learningRate: Double
    /// β₁. The default value is `0.9`.
    public var beta1: Double
    /// β₂. The default value is `0.999`.
    public var beta2: Double
    /// ε. The default value is `1e-8`.
    public var epsilon: Double
    /// λ. The default value is `0`.
    public var weightDecay: Double
    /// Decoupled instead of L2 decay. The default value is `false`.
    public var decoupledWeightDecay: Bool
    /// Ascend instead of descend. The default value is `false`.
    public var maximize: Bool

    /// Creates RAdam options.
    public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 0, decoupledWeightDecay: Bool = false, maximize: Bool = false) {
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        self.weightDecay = weightDecay; self.decoupledWeightDecay = decoupledWeightDecay; self.maximize = maximize
    }

    public var cycledMomentum: Double? { get { beta1 } set { beta1 = newValue ?? beta1 } }

    public var hyperparameters: [(key: String, value: Spec.Value)] {
        [("learningRate", .number(learningRate)), ("beta1", .number(beta1)), ("beta2", .number(beta2)),
         ("epsilon", .number(epsilon)), ("weightDecay", .number(weightDecay)),
         ("decoupledWeightDecay", .boolean(decoupledWeightDecay)), ("maximize", .boolean(maximize))]
    }
}

struct RAdamRule: ElementRule {
    let options: RAdamOptions
    let biasCorrection1: Double, biasCorrection2Root: Double, rectification: Double?

    @inline(__always)
    func apply<T: KernelScalar>(_ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ state: StatePointers<T>, count: Int) {
        let m = state.first!, v = state.second!
        let decoupled = options.decoupledWeightDecay && options.weightDecay != 0
        let weightDecay = T(options.decoupledWeightDecay ? 0 : options.weightDecay)
        let decayFactor = T(1 - options.learningRate * options.weightDecay)
        let w1 = T(1 - options.beta1), beta2 = T(options.beta2), w2 = T(1 - options.beta2)
        let bc1 = T(biasCorrection1), root = T(biasCorrection2Root), epsilon = T(options.epsilon)
        let rate = T(options.learningRate), r = T(rectification ?? 1), rectified = rectification != nil
        let maximize = options.maximize
        for i in 0..<count {
            if decoupled { p[i] = decoupledDecay(p[i], factor: decayFactor) }
            let gi = decayedGradient(g[i], p[i], maximize: maximize, weightDecay: weightDecay)
            m[i] = lerp(m[i], gi, w1)
            v[i] = squaredAverage(v[i], gi, beta: beta2, oneMinusBeta: w2)
            let corrected = m[i] / bc1
            if rectified {
                let adaptive = root / (T.sqrt(v[i]) + epsilon)
                p[i] = p[i] + -1 * (corrected * rate * adaptive * r)
            } else {
                p[i] = p[i] + -1 * (corrected * rate)
            }
        }
    }
}
