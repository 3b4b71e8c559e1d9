import DescentCore

/// How to fill a new parameter tensor (`torch.nn.init`). Formulas from PyTorch, see
/// training-semantics §5.
///
/// Fans of a weight of shape `[out, in, k₁, …]`: `fanIn = in·∏k`, `fanOut = out·∏k`; for a
/// one-dimensional tensor (a bias) the layer passes its weight's fans.
///
/// | Case | Distribution |
/// |---|---|
/// | ``linearDefault`` | U(−b, b), b = 1/√fanIn (0 when fanIn = 0) |
/// | ``kaimingUniform(nonlinearity:mode:)`` | U(−b, b), b = gain·√(3/fan) |
/// | ``kaimingNormal(nonlinearity:mode:)`` | N(0, σ²), σ = gain/√fan |
/// | ``xavierUniform(gain:)`` | U(−a, a), a = gain·√(6/(fanIn+fanOut)) |
/// | ``xavierNormal(gain:)`` | N(0, σ²), σ = gain·√(2/(fanIn+fanOut)) |
///
/// References: He et al., *Delving Deep into Rectifiers*, 2015; Glorot & Bengio, *Understanding
/// the difficulty of training deep feedforward neural networks*, 2010.
public enum Initializer: Sendable, Equatable, CustomStringConvertible {
    /// PyTorch's `nn.Linear` default for both weight and bias: U(±1/√fanIn). For the weight this
    /// is `kaiming_uniform_(a=√5)`, whose gain √(1/3) gives exactly that bound.
    case linearDefault
    /// He uniform (`kaiming_uniform_`): U(±gain·√(3/fan)). PyTorch's defaults are
    /// `nonlinearity: .leakyReLU(0)` (gain √2, same as `.relu`) and `mode: .fanIn`.
    case kaimingUniform(nonlinearity: Nonlinearity = .relu, mode: FanMode = .fanIn)
    /// He normal (`kaiming_normal_`): N(0, (gain/√fan)²). Same defaults as ``kaimingUniform(nonlinearity:mode:)``.
    case kaimingNormal(nonlinearity: Nonlinearity = .relu, mode: FanMode = .fanIn)
    /// Glorot uniform (`xavier_uniform_`): U(±gain·√(6/(fanIn+fanOut))). The default gain is 1.
    case xavierUniform(gain: Double = 1)
    /// Glorot normal (`xavier_normal_`): N(0, (gain·√(2/(fanIn+fanOut)))²). The default gain is 1.
    case xavierNormal(gain: Double = 1)
    /// Uniform on [lower, upper) (`uniform_`).
    case uniform(lower: Double, upper: Double)
    /// Normal with the given mean and standard deviation (`normal_`).
    case normal(mean: Double, standardDeviation: Double)
    /// All zeros (`zeros_`).
    case zeros
    /// All ones (`ones_`).
    case ones
    /// Every element `value` (`constant_`).
    case constant(Double)

    /// Which fan Kaiming initialisation divides by.
    public enum FanMode: String, Sendable, Equatable, CaseIterable {
        /// Preserves the variance of activations in the forward pass (PyTorch's default).
        case fanIn = "fan-in"
        /// Preserves the variance of gradients in the backward pass.
        case fanOut = "fan-out"
    }

    /// `fanIn` and `fanOut` of a weight of shape `[out, in, k₁, …]`
    /// (`torch.nn.init._calculate_fan_in_and_fan_out`); a vector counts as `[n]` with fanIn = fanOut = n.
    public static func fans(of shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        switch shape.count {
        case 0: return (1, 1)
        case 1: return (shape[0], shape[0])
        default:
            let receptive = shape.dropFirst(2).reduce(1, *)
            return (shape[1] * receptive, shape[0] * receptive)
        }
    }

    /// A new tensor of `shape` drawn from this distribution.
    ///
    /// - Parameters:
    ///   - shape: the tensor's shape.
    ///   - fans: the fans to use; the default value `nil` computes them from `shape` with
    ///     ``fans(of:)``. A layer passes its weight's fans when initialising its bias.
    ///   - generator: the seeded source of randomness; the same state gives the same tensor.
    public func makeTensor<Scalar: TensorScalar>(
        shape: [Int], fans: (fanIn: Int, fanOut: Int)? = nil, generator: inout RandomGenerator
    ) -> Tensor<Scalar> {
        let (fanIn, fanOut) = fans ?? Initializer.fans(of: shape)
        func uniform(_ bound: Double) -> Tensor<Scalar> {
            Tensor.uniform(shape: shape, lower: Scalar(-bound), upper: Scalar(bound), generator: &generator)
        }
        func normal(_ deviation: Double, mean: Double = 0) -> Tensor<Scalar> {
            Tensor.normal(shape: shape, mean: Scalar(mean), standardDeviation: Scalar(deviation), generator: &generator)
        }
        switch self {
        case .linearDefault:
            return uniform(fanIn > 0 ? 1 / Double(fanIn).squareRoot() : 0)
        case let .kaimingUniform(nonlinearity, mode):
            let fan = Double(mode == .fanIn ? fanIn : fanOut)
            return uniform(fan > 0 ? nonlinearity.gain * (3 / fan).squareRoot() : 0)
        case let .kaimingNormal(nonlinearity, mode):
            let fan = Double(mode == .fanIn ? fanIn : fanOut)
            return normal(fan > 0 ? nonlinearity.gain / fan.squareRoot() : 0)
        case let .xavierUniform(gain):
            return uniform(gain * (6 / Double(Swift.max(fanIn + fanOut, 1))).squareRoot())
        case let .xavierNormal(gain):
            return normal(gain * (2 / Double(Swift.max(fanIn + fanOut, 1))).squareRoot())
        case let .uniform(lower, upper):
            return Tensor.uniform(shape: shape, lower: Scalar(lower), upper: Scalar(upper), generator: &generator)
        case let .normal(mean, deviation):
            return normal(deviation, mean: mean)
        case .zeros: return Tensor(zeros: shape)
        case .ones: return Tensor(ones: shape)
        case .constant(let value): return Tensor(repeating: Scalar(value), shape: shape)
        }
    }

    /// The spec form, for example `kaiming-normal(nonlinearity: relu, mode: fan-in)`.
    public var description: String {
        switch self {
        case .linearDefault: return "linear-default"
        case let .kaimingUniform(n, m): return "kaiming-uniform(\(n.specArguments), mode: \(m.rawValue))"
        case let .kaimingNormal(n, m): return "kaiming-normal(\(n.specArguments), mode: \(m.rawValue))"
        case .xavierUniform(let gain): return "xavier-uniform(gain: \(gain))"
        case .xavierNormal(let gain): return "xavier-normal(gain: \(gain))"
        case let .uniform(lower, upper): return "uniform(lower: \(lower), upper: \(upper))"
        case let .normal(mean, deviation): return "normal(mean: \(mean), std: \(deviation))"
        case .zeros: return "zeros"
        case .ones: return "ones"
        case .constant(let value): return "constant(value: \(value))"
        }
    }
}

/// The nonlinearity that follows a layer, which sets the gain of Kaiming and Xavier
/// initialisation (`torch.nn.init.calculate_gain`).
public enum Nonlinearity: Sendable, Equatable, CustomStringConvertible {
    /// Gain 1 (also for convolutions and the identity).
    case linear
    /// Gain 1.
    case sigmoid
    /// Gain 5/3.
    case tanh
    /// Gain √2.
    case relu
    /// Gain √(2/(1 + slope²)); PyTorch's Kaiming default is `leakyReLU(0)` (= √2).
    case leakyReLU(negativeSlope: Double)
    /// Gain 3/4.
    case selu

    /// The recommended gain for this nonlinearity.
    public var gain: Double {
        switch self {
        case .linear, .sigmoid: return 1
        case .tanh: return 5.0 / 3.0
        case .relu: return 2.0.squareRoot()
        case .leakyReLU(let slope): return (2 / (1 + slope * slope)).squareRoot()
        case .selu: return 0.75
        }
    }

    /// The spec word (`relu`, `leaky-relu`…).
    public var description: String {
        switch self {
        case .linear: return "linear"
        case .sigmoid: return "sigmoid"
        case .tanh: return "tanh"
        case .relu: return "relu"
        case .leakyReLU: return "leaky-relu"
        case .selu: return "selu"
        }
    }

    var specArguments: String {
        if case .leakyReLU(let slope) = self { return "nonlinearity: leaky-relu, slope: \(slope)" }
        return "nonlinearity: \(self)"
    }
}
