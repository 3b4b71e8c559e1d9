import DescentCore
import DescentKernels

/// Adam: adaptive moment estimation, with optional AMSGrad and L2 weight decay.
///
///     t ← t + 1;   g ← (maximize ? −∇ : ∇) + λ·θ
///     m ← β₁·m + (1 − β₁)·g               (ATen's lerp)
///     v ← β₂·v + (1 − β₂)·g²
///     s ← amsgrad ? (v̄ ← max(v̄, v)) : v   (the maximum of the *raw* v, as PyTorch)
///     θ ← θ − (η / (1 − β₁ᵗ)) · m / (√s / √(1 − β₂ᵗ) + ε)
///
/// ε is added outside the square root, to the bias-corrected RMS. Bias corrections are computed
/// in double precision.
///
/// - PyTorch: `torch.optim.Adam` (single-tensor path). Reference: Kingma & Ba, 2015, *Adam: A
///   Method for Stochastic Optimization*; Reddi et al., 2018 (AMSGrad).
public final class Adam<Scalar: TensorScalar>: GradientOptimizer<Scalar, AdamOptions>, @unchecked Sendable {
    /// Adam's hyperparameters.
    public typealias Options = AdamOptions

    /// Creates Adam; every argument defaults to PyTorch's value.
    /// - Parameters:
    ///   - learningRate: η. The default value is `1e-3`.
    ///   - beta1: β₁, decay of the first moment. The default value is `0.9`.
    ///   - beta2: β₂, decay of the second moment. The default value is `0.999`.
    ///   - epsilon: ε, added to the denominator. The default value is `1e-8`.
    ///   - weightDecay: λ, L2 decay added to the gradient. The default value is `0`.
    ///   - amsgrad: use the running maximum of v. The default value is `false`.
    ///   - maximize: ascend instead of descend. The default value is `false`.
    public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 0, amsgrad: Bool = false, maximize: Bool = false) throws {
        let options = AdamOptions(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                                  weightDecay: weightDecay, amsgrad: amsgrad, maximize: maximize, decoupledWeightDecay: false)
        try options.validate(optimizer: "adam")
        super.init(name: "adam", options: options, bufferNames: ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"])
    }

    init(name: String, options: AdamOptions) throws {
        try options.validate(optimizer: name)
        super.init(name: name, options: options, bufferNames: ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"])
    }

    @_specialize(exported: false, where Scalar == Float)
    @_specialize(exported: false, where Scalar == Double)
    override func apply(_ o: AdamOptions, _ storage: ParameterStorage<Scalar>, _ p: UnsafeMutablePointer<Scalar>, _ g: UnsafePointer<Scalar>, count: Int) {
        let state = StatePointers(storage.buffer(0), storage.buffer(1), o.amsgrad ? storage.buffer(2) : nil)
        run(AdamRule(options: o, step: storage.step), p, g, state, count: count)
    }

    /// Plain Adam only: the case AdamRule runs through its SIMD loop.
    @_specialize(exported: false, where Scalar == Float)
    @_specialize(exported: false, where Scalar == Double)
    override func hasElementwiseRule(_ o: AdamOptions) -> Bool { AdamRule.isPlain(o, Scalar.self) }

    @_specialize(exported: false, where Scalar == Float)
    @_specialize(exported: false, where Scalar == Double)
    override func makeElementwiseUpdate(_ o: AdamOptions, _ storage: ParameterStorage<Scalar>) -> ElementwiseUpdate {
        let rule = AdamRule(options: o, step: storage.step)
        return .adam(firstMoment: UnsafeMutableRawPointer(storage.buffer(0)), secondMoment: UnsafeMutableRawPointer(storage.buffer(1)),
                     w1: 1 - o.beta1, beta2: o.beta2, w2: 1 - o.beta2, negativeStep: -rule.stepSize,
                     root: rule.biasCorrection2Root, epsilon: o.epsilon)
    }
}

/// AdamW: Adam with decoupled weight decay.
///
///     θ ← θ·(1 − η·λ)        (before the moments; uses the current η, so schedules scale it too)
///     then Adam without L2 decay on the decayed θ
///
/// - PyTorch: `torch.optim.AdamW` (single-tensor path). Reference: Loshchilov & Hutter, 2019,
///   *Decoupled Weight Decay Regularization*.
public final class AdamW<Scalar: TensorScalar>: GradientOptimizer<Scalar, AdamOptions>, @unchecked Sendable {
    /// AdamW's hyperparameters (``AdamOptions`` with `decoupledWeightDecay` set).
    public typealias Options = AdamOptions

    /// Creates AdamW; every argument defaults to PyTorch's value.
    /// - Parameters:
    ///   - learningRate: η. The default value is `1e-3`.
    ///   - beta1: β₁. The default value is `0.9`.
    ///   - beta2: β₂. The default value is `0.999`.
    ///   - epsilon: ε. The default value is `1e-8`.
    ///   - weightDecay: λ, decoupled decay. The default value is `1e-2`.
    ///   - amsgrad: use the running maximum of v. The default value is `false`.
    ///   - maximize: ascend instead of descend. The default value is `false`.
    public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 1e-2, amsgrad: Bool = false, maximize: Bool = false) throws {
        let options = AdamOptions(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                                  weightDecay: weightDecay, amsgrad: amsgrad, maximize: maximize, decoupledWeightDecay: true)
        try options.validate(optimizer: "adamw")
        super.init(name: "adamw", options: options, bufferNames: ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"])
    }

    override func apply(_ o: AdamOptions, _ storage: ParameterStorage<Scalar>, _ p: UnsafeMutablePointer<Scalar>, _ g: UnsafePointer<Scalar>, count: Int) {
        let state = StatePointers(storage.buffer(0), storage.buffer(1), o.amsgrad ? storage.buffer(2) : nil)
        run(AdamRule(options: o, step: storage.step), p, g, state, count: count)
    }
}

/// The hyperparameters of ``Adam`` and ``AdamW``.
public struct AdamOptions: OptimizerOptions {
    /// η. The default value is `1e-3`.
    public var learningRate: Double
    /// β₁. The default value is `0.9`.
    public var beta1: Double
    /// β₂. The default value is `0.999`.
    public var beta2: Double
    /// ε. The default value is `1e-8`.
    public var epsilon: Double
    /// λ. The default value is `0` for Adam (L2) and `1e-2` for AdamW (decoupled).
    public var weightDecay: Double
    /// AMSGrad. The default value is `false`.
    public var amsgrad: Bool
    /// Ascend instead of descend. The default value is `false`.
    public var maximize: Bool
    /// Decoupled (AdamW) instead of L2 weight decay: `false` for Adam, `true` for AdamW.
    public var decoupledWeightDecay: Bool

    /// Creates Adam options.
    public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 0, amsgrad: Bool = false, maximize: Bool = false, decoupledWeightDecay: Bool = false) {
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        self.weightDecay = weightDecay; self.amsgrad = amsgrad; self.maximize = maximize
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    public var cycledMomentum: Double? { get { beta1 } set { beta1 = newValue ?? beta1 } }

    public var hyperparameters: [(key: String, value: Spec.Value)] {
        [("learningRate", .number(learningRate)), ("beta1", .number(beta1)), ("beta2", .number(beta2)),
         ("epsilon", .number(epsilon)), ("weightDecay", .number(weightDecay)), ("amsgrad", .boolean(amsgrad)),
         ("maximize", .boolean(maximize))]
    }

    func validate(optimizer: String) throws {
        try checkNonNegative(["learningRate": learningRate, "epsilon": epsilon, "weightDecay": weightDecay], optimizer: optimizer)
        try checkBeta(beta1, "beta1", optimizer: optimizer)
        try checkBeta(beta2, "beta2", optimizer: optimizer)
    }
}

/// Throws unless 0 ≤ β < 1 (PyTorch: `ValueError("Invalid beta parameter …")`).
func checkBeta(_ beta: Double, _ key: String, optimizer: String) throws {
    guard beta >= 0 && beta < 1 else { throw OptimizerError("\(optimizer): \(key) must be in [0, 1), got \(beta)") }
}

struct AdamRule: ElementRule {
    let options: AdamOptions
    let stepSize: Double, biasCorrection2Root: Double

    init(options: AdamOptions, step: Int) {
        self.options = options
        stepSize = options.learningRate / biasCorrection(options.beta1, step: step)
        biasCorrection2Root = power(biasCorrection(options.beta2, step: step), 0.5)  // Python's `bc2 ** 0.5`
    }

    /// Plain Adam in type `T`: no decoupled or L2 weight decay, AMSGrad or maximize, and
    /// |1 − β₁| < 0.5 (lerp's first form) once rounded to `T`.
    @inline(__always)
    static func isPlain<T: BinaryFloatingPoint>(_ options: AdamOptions, _: T.Type) -> Bool {
        let decayed = options.decoupledWeightDecay ? options.weightDecay != 0 : T(options.weightDecay) != 0
        return !decayed && !options.amsgrad && !options.maximize && Swift.abs(T(1 - options.beta1)) < 0.5
    }

    @inline(__always)
    func apply<T: KernelScalar>(_ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ state: StatePointers<T>, count: Int) {
        let m = state.first!, v = state.second!, vMax = state.third
        let decoupled = options.decoupledWeightDecay
        let weightDecay = T(decoupled ? 0 : options.weightDecay)
        let decayFactor = T(1 - options.learningRate * options.weightDecay)
        let applyDecoupled = decoupled && options.weightDecay != 0
        let w1 = T(1 - options.beta1), beta2 = T(options.beta2), w2 = T(1 - options.beta2)
        let root = T(biasCorrection2Root), epsilon = T(options.epsilon), negativeStep = T(-stepSize)
        let maximize = options.maximize
        // The common case (plain Adam, |1 − β₁| < 0.5) in DescentKernels' vectorised C loop
        // (AVX-512, AVX2 or portable vectors; the rule of update_rules.h that the fused updates
        // share): the scalar loop below does not vectorise (its square root keeps a libm
        // fallback). The same operations in the same order, lane by lane: bit-identical.
        if vMax == nil && Self.isPlain(options, T.self),
           OptimizerKernels.adam(p, g, m, v, count: count, w1: w1, beta2: beta2, w2: w2, negativeStep: negativeStep, root: root,
                                 epsilon: epsilon) {
            return
        }
        for i in 0..<count {
            if applyDecoupled { p[i] = decoupledDecay(p[i], factor: decayFactor) }
            let gi = decayedGradient(g[i], p[i], maximize: maximize, weightDecay: weightDecay)
            m[i] = lerp(m[i], gi, w1)
            v[i] = squaredAverage(v[i], gi, beta: beta2, oneMinusBeta: w2)
            var s = v[i]
            if let vMax { vMax[i] = Swift.max(vMax[i], s); s = vMax[i] }
            let denominator = T.sqrt(s) / root + epsilon
            p[i] = p[i] + negativeStep * m[i] / denominator
        }
    }
}
