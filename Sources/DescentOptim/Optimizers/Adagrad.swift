import DescentCore
import DescentKernels

/// Adagrad: per-coordinate rates that shrink with the sum of squared gradients.
///
///     t ← t + 1;   g ← (maximize ? −∇ : ∇) + λ·θ
///     η_t = η / (1 + (t − 1)·lrDecay)
///     s ← s + g²                         (s starts at initialAccumulatorValue)
///     θ ← θ − η_t · g / (√s + ε)
///
/// - PyTorch: `torch.optim.Adagrad` (single-tensor path, dense gradients). Reference: Duchi,
///   Hazan & Singer, 2011, *Adaptive Subgradient Methods for Online Learning and Stochastic Optimization*.
public final class Adagrad<Scalar: TensorScalar>: GradientOptimizer<Scalar, AdagradOptions>, @unchecked Sendable {
    /// Adagrad's hyperparameters.
    public typealias Options = AdagradOptions

    /// Creates Adagrad; every argument defaults to PyTorch's value.
    /// - Parameters:
    ///   - learningRate: η. The default value is `1e-2`.
    ///   - lrDecay: decay of the rate with the step count. The default value is `0`.
    ///   - weightDecay: λ (L2). The default value is `0`.
    ///   - initialAccumulatorValue: the starting value of s. The default value is `0`.
    ///   - epsilon: ε. The default value is `1e-10`.
    ///   - maximize: ascend instead of descend. The default value is `false`.
    public init(learningRate: Double = 1e-2, lrDecay: Double = 0, weightDecay: Double = 0,
                initialAccumulatorValue: Double = 0, epsilon: Double = 1e-10, maximize: Bool = false) throws {
        let options = AdagradOptions(learningRate: learningRate, lrDecay: lrDecay, weightDecay: weightDecay,
                                     initialAccumulatorValue: initialAccumulatorValue, epsilon: epsilon, maximize: maximize)
        try checkNonNegative(["learningRate": learningRate, "lrDecay": lrDecay, "weightDecay": weightDecay,
                              "initialAccumulatorValue": initialAccumulatorValue, "epsilon": epsilon], optimizer: "adagrad")
        super.init(name: "adagrad", options: options, bufferNames: ["sum"])
    }

    override func apply(_ o: AdagradOptions, _ storage: ParameterStorage<Scalar>, _ p: UnsafeMutablePointer<Scalar>, _ g: UnsafePointer<Scalar>, count: Int) {
        let sum = storage.buffer(0, initial: Scalar(o.initialAccumulatorValue))
        let rate = o.learningRate / (1 + Double(storage.step - 1) * o.lrDecay)
        run(AdagradRule(options: o, rate: rate), p, g, StatePointers(sum), count: count)
    }
}

/// The hyperparameters of ``Adagrad``.
public struct AdagradOptions: OptimizerOptions {
    /// η. The default value is `1e-2`.
    public var learningRate: Double
    /// Rate decay per step. The default value is `0`.
    public var lrDecay: Double
    /// λ (L2). The default value is `0`.
    public var weightDecay: Double
    /// Starting value of the accumulator. The default value is `0`.
    public var initialAccumulatorValue: Double
    /// ε. The default value is `1e-10`.
    public var epsilon: Double
    /// Ascend instead of descend. The default value is `false`.
    public var maximize: Bool

    /// Creates Adagrad options.
    public init(learningRate: Double = 1e-2, lrDecay: Double = 0, weightDecay: Double = 0,
                initialAccumulatorValue: Double = 0, epsilon: Double = 1e-10, maximize: Bool = false) {
        self.learningRate = learningRate; self.lrDecay = lrDecay; self.weightDecay = weightDecay
        self.initialAccumulatorValue = initialAccumulatorValue; self.epsilon = epsilon; self.maximize = maximize
    }

    public var hyperparameters: [(key: String, value: Spec.Value)] {
        [("learningRate", .number(learningRate)), ("lrDecay", .number(lrDecay)), ("weightDecay", .number(weightDecay)),
         ("initialAccumulatorValue", .number(initialAccumulatorValue)), ("epsilon", .number(epsilon)),
         ("maximize", .boolean(maximize))]
    }
}

struct AdagradRule: ElementRule {
    let options: AdagradOptions
    let rate: Double

    @inline(__always)
    func apply<T: KernelScalar>(_ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ state: StatePointers<T>, count: Int) {
        let sum = state.first!
        let weightDecay = T(options.weightDecay), epsilon = T(options.epsilon), negativeRate = T(-rate)
        let maximize = options.maximize
        for i in 0..<count {
            let gi = decayedGradient(g[i], p[i], maximize: maximize, weightDecay: weightDecay)
            sum[i] = sum[i] + gi * gi
            p[i] = p[i] + negativeRate * gi / (T.sqrt(sum[i]) + epsilon)
        }
    }
}
