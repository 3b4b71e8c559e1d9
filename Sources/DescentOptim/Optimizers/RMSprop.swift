import DescentCore
import DescentKernels

/// RMSprop: divide the gradient by a running root mean square, optionally centred and with momentum.
///
///     g ← (maximize ? −∇ : ∇) + λ·θ
///     v ← α·v + (1 − α)·g²
///     r ← centered ? √(v − ḡ²) with ḡ ← lerp(ḡ, g, 1 − α) : √v
///     if μ > 0:  b ← μ·b + g/(r + ε);  θ ← θ − η·b     (b starts at zero, unlike SGD's)
///     else:      θ ← θ − η·g/(r + ε)
///
/// ε is outside the square root; there is no bias correction.
///
/// - PyTorch: `torch.optim.RMSprop` (single-tensor path). Reference: Hinton, *Neural Networks for
///   Machine Learning*, lecture 6e, 2012; Graves, 2013 (centred form).
public final class RMSprop<Scalar: TensorScalar>: GradientOptimizer<Scalar, RMSpropOptions>, @unchecked Sendable {
    /// RMSprop's hyperparameters.
    public typealias Options = RMSpropOptions

    /// Creates RMSprop; every argument defaults to PyTorch's value.
    /// - Parameters:
    ///   - learningRate: η. The default value is `1e-2`.
    ///   - alpha: α, decay of the squared average. The default value is `0.99`.
    ///   - epsilon: ε. The default value is `1e-8`.
    ///   - weightDecay: λ (L2). The default value is `0`.
    ///   - momentum: μ. The default value is `0`.
    ///   - centered: subtract the squared mean gradient. The default value is `false`.
    ///   - maximize: ascend instead of descend. The default value is `false`.
    public init(learningRate: Double = 1e-2, alpha: Double = 0.99, epsilon: Double = 1e-8, weightDecay: Double = 0,
                momentum: Double = 0, centered: Bool = false, maximize: Bool = false) throws {
        let options = RMSpropOptions(learningRate: learningRate, alpha: alpha, epsilon: epsilon, weightDecay: weightDecay,
                                     momentum: momentum, centered: centered, maximize: maximize)
        try checkNonNegative(["learningRate": learningRate, "alpha": alpha, "epsilon": epsilon, "weightDecay": weightDecay,
                              "momentum": momentum], optimizer: "rmsprop")
        super.init(name: "rmsprop", options: options, bufferNames: ["square_avg", "momentum_buffer", "grad_avg"])
    }

    override func apply(_ o: RMSpropOptions, _ storage: ParameterStorage<Scalar>, _ p: UnsafeMutablePointer<Scalar>, _ g: UnsafePointer<Scalar>, count: Int) {
        let state = StatePointers(storage.buffer(0), o.momentum > 0 ? storage.buffer(1) : nil, o.centered ? storage.buffer(2) : nil)
        run(RMSpropRule(options: o), p, g, state, count: count)
    }
}

/// The hyperparameters of ``RMSprop``.
public struct RMSpropOptions: OptimizerOptions {
    /// η. The default value is `1e-2`.
    public var learningRate: Double
    /// α. The default value is `0.99`.
    public var alpha: Double
    /// ε. The default value is `1e-8`.
    public var epsilon: Double
    /// λ (L2). The default value is `0`.
    public var weightDecay: Double
    /// μ. The default value is `0`.
    public var momentum: Double
    /// Centred RMSprop. The default value is `false`.
    public var centered: Bool
    /// Ascend instead of descend. The default value is `false`.
    public var maximize: Bool

    /// Creates RMSprop options.
    public init(learningRate: Double = 1e-2, alpha: Double = 0.99, epsilon: Double = 1e-8, weightDecay: Double = 0,
                momentum: Double = 0, centered: Bool = false, maximize: Bool = false) {
        self.learningRate = learningRate; self.alpha = alpha; self.epsilon = epsilon; self.weightDecay = weightDecay
        self.momentum = momentum; self.centered = centered; self.maximize = maximize
    }

    public var cycledMomentum: Double? { get { momentum } set { momentum = newValue ?? 0 } }

    public var hyperparameters: [(key: String, value: Spec.Value)] {
        [("learningRate", .number(learningRate)), ("alpha", .number(alpha)), ("epsilon", .number(epsilon)),
         ("weightDecay", .number(weightDecay)), ("momentum", .number(momentum)), ("centered", .boolean(centered)),
         ("maximize", .boolean(maximize))]
    }
}

struct RMSpropRule: ElementRule {
    let options: RMSpropOptions

    @inline(__always)
    func apply<T: KernelScalar>(_ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ state: StatePointers<T>, count: Int) {
        let v = state.first!, b = state.second, gAverage = state.third
        let alpha = T(options.alpha), w = T(1 - options.alpha), epsilon = T(options.epsilon)
        let weightDecay = T(options.weightDecay), momentum = T(options.momentum), negativeRate = T(-options.learningRate)
        let maximize = options.maximize
        for i in 0..<count {
            let gi = decayedGradient(g[i], p[i], maximize: maximize, weightDecay: weightDecay)
            v[i] = squaredAverage(v[i], gi, beta: alpha, oneMinusBeta: w)
            var average: T
            if let gAverage {
                gAverage[i] = lerp(gAverage[i], gi, w)
                average = T.sqrt(v[i] + -1 * gAverage[i] * gAverage[i])
            } else {
                average = T.sqrt(v[i])
            }
            average = average + epsilon
            if let b {
                b[i] = b[i] * momentum + gi / average
                p[i] = p[i] + negativeRate * b[i]
            } else {
                p[i] = p[i] + negativeRate * gi / average
            }
        }
    }
}
