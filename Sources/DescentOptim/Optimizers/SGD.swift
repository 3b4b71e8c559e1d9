import DescentCore
import DescentKernels

/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay.
///
///     g ← (maximize ? −∇ : ∇) + λ·θ
///     b ← g                       on a parameter's first step (a copy: no dampening, no zero start)
///     b ← μ·b + (1 − τ)·g         afterwards
///     d ← nesterov ? g + μ·b : b  (d ← g when μ = 0)
///     θ ← θ − η·d
///
/// The learning rate multiplies the buffer (PyTorch's form), so after a schedule changes η the
/// whole accumulated velocity moves at the new rate.
///
/// - PyTorch: `torch.optim.SGD` (single-tensor path). Reference: Robbins & Monro, 1951;
///   Polyak, 1964 (momentum); Sutskever et al., 2013 (Nesterov form).
public final class SGD<Scalar: TensorScalar>: GradientOptimizer<Scalar, SGDOptions>, @unchecked Sendable {
    /// SGD's hyperparameters.
    public typealias Options = SGDOptions

    /// Creates SGD; every argument defaults to PyTorch's value.
    /// - Throws: ``OptimizerError`` for a negative rate, momentum or weight decay, or Nesterov
    ///   without momentum or with dampening (PyTorch raises `ValueError` for the same).
    public init(learningRate: Double = 1e-3, momentum: Double = 0, dampening: Double = 0, weightDecay: Double = 0,
                nesterov: Bool = false, maximize: Bool = false) throws {
        var options = Options()
        options.learningRate = learningRate; options.momentum = momentum; options.dampening = dampening
        options.weightDecay = weightDecay; options.nesterov = nesterov; options.maximize = maximize
        try checkNonNegative(["learningRate": learningRate, "momentum": momentum, "weightDecay": weightDecay], optimizer: "sgd")
        if nesterov && (momentum <= 0 || dampening != 0) {
            throw OptimizerError("sgd: nesterov needs momentum > 0 and dampening = 0 (got momentum \(momentum), dampening \(dampening))")
        }
        super.init(name: "sgd", options: options, bufferNames: ["momentum_buffer"])
    }

    @_specialize(exported: false, where Scalar == Float)
    @_specialize(exported: false, where Scalar == Double)
    override func apply(_ o: Options, _ storage: ParameterStorage<Scalar>, _ p: UnsafeMutablePointer<Scalar>, _ g: UnsafePointer<Scalar>, count: Int) {
        var buffer: UnsafeMutablePointer<Scalar>? = nil
        var isNew = false
        if o.momentum != 0 { (buffer, isNew) = storage.bufferCreatingIfNeeded(0) }
        run(SGDRule(options: o, bufferIsNew: isNew), p, g, StatePointers(buffer), count: count)
    }

    /// The configurations SGDRule runs through the C loop: no maximize, weight decay or Nesterov.
    @_specialize(exported: false, where Scalar == Float)
    @_specialize(exported: false, where Scalar == Double)
    override func hasElementwiseRule(_ o: Options) -> Bool {
        !o.maximize && Scalar(o.weightDecay) == 0 && !o.nesterov
    }

    /// Without momentum, the update is `θ ← θ + (−η)·g` (with the other options that
    /// ``hasElementwiseRule(_:)`` requires).
    override func plainRate(_ o: Options) -> Double? { o.momentum == 0 ? -o.learningRate : nil }

    @_specialize(exported: false, where Scalar == Float)
    @_specialize(exported: false, where Scalar == Double)
    override func makeElementwiseUpdate(_ o: Options, _ storage: ParameterStorage<Scalar>) -> ElementwiseUpdate {
        var buffer: UnsafeMutablePointer<Scalar>? = nil
        var isNew = false
        if o.momentum != 0 { (buffer, isNew) = storage.bufferCreatingIfNeeded(0) }
        return .sgd(negativeRate: -o.learningRate, momentumBuffer: buffer.map { UnsafeMutableRawPointer($0) }, isFirstStep: isNew,
                    momentum: o.momentum, oneMinusDampening: 1 - o.dampening)
    }
}

/// The hyperparameters of ``SGD``.
public struct SGDOptions: OptimizerOptions {
    /// η. The default value is `1e-3` (as in current PyTorch).
    public var learningRate: Double = 1e-3
    /// μ. The default value is `0` (no momentum, no state).
    public var momentum: Double = 0
    /// τ, how much of the gradient is left out of the buffer. The default value is `0`.
    public var dampening: Double = 0
    /// λ, L2 weight decay added to the gradient. The default value is `0`.
    public var weightDecay: Double = 0
    /// Nesterov momentum (needs `momentum > 0` and `dampening == 0`). The default value is `false`.
    public var nesterov: Bool = false
    /// Ascend instead of descend. The default value is `false`.
    public var maximize: Bool = false
    /// Options with every default.
    public init() {}
    public var cycledMomentum: Double? { get { momentum } set { momentum = newValue ?? 0 } }
    public var hyperparameters: [(key: String, value: Spec.Value)] {
        [("learningRate", .number(learningRate)), ("momentum", .number(momentum)), ("dampening", .number(dampening)),
         ("weightDecay", .number(weightDecay)), ("nesterov", .boolean(nesterov)), ("maximize", .boolean(maximize))]
    }
}

struct SGDRule: ElementRule {
    let options: SGDOptions
    let bufferIsNew: Bool

    @inline(__always)
    func apply<T: KernelScalar>(_ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ state: StatePointers<T>, count: Int) {
        let weightDecay = T(options.weightDecay), momentum = T(options.momentum)
        let oneMinusDampening = T(1 - options.dampening), negativeRate = T(-options.learningRate)
        let maximize = options.maximize, nesterov = options.nesterov
        // The common case in DescentKernels' vectorised C loop (AVX2; the rules of update_rules.h
        // that the fused updates share), with the same arithmetic per element as the loops below.
        if !maximize && weightDecay == 0 && !nesterov,
           OptimizerKernels.sgd(p, g, buffer: state.first, bufferIsNew: bufferIsNew, count: count,
                                negativeRate: negativeRate, momentum: momentum, oneMinusDampening: oneMinusDampening) {
            return
        }
        guard let b = state.first else {
            for i in 0..<count { p[i] = p[i] + negativeRate * decayedGradient(g[i], p[i], maximize: maximize, weightDecay: weightDecay) }
            return
        }
        for i in 0..<count {
            let gi = decayedGradient(g[i], p[i], maximize: maximize, weightDecay: weightDecay)
            b[i] = bufferIsNew ? gi : b[i] * momentum + oneMinusDampening * gi
            let d = nesterov ? gi + momentum * b[i] : b[i]
            p[i] = p[i] + negativeRate * d
        }
    }
}

/// Throws if any named value is negative (PyTorch: `ValueError("Invalid … value")`).
func checkNonNegative(_ values: KeyValuePairs<String, Double>, optimizer: String) throws {
    for (key, value) in values where !(value >= 0) {
        throw OptimizerError("\(optimizer): \(key) must be ≥ 0, got \(value)")
    }
}
