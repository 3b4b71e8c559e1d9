import DescentCore
import Foundation

/// A choice of elementwise nonlinearity, as a model spec names it (`activation: relu`).
public enum Activation: Sendable, Equatable, CustomStringConvertible {
    /// ``ReLU``.
    case relu
    /// ``LeakyReLU`` with the given negative slope.
    case leakyReLU(negativeSlope: Double)
    /// ``Sigmoid``.
    case sigmoid
    /// ``Tanh``.
    case tanh
    /// ``GELU``.
    case gelu

    /// The spec words, in the order listed in errors.
    public static let specNames = ["relu", "leaky-relu", "sigmoid", "tanh", "gelu"]

    /// The activation named `word` (`relu`, `leaky-relu`, `sigmoid`, `tanh`, `gelu`).
    /// - Parameters:
    ///   - negativeSlope: the slope for `leaky-relu`. The default value is `0.01`.
    ///   - word: the spec word.
    /// - Throws: `SpecError` listing the valid names.
    public init(named word: String, negativeSlope: Double = 0.01) throws {
        switch word.lowercased().replacingOccurrences(of: "_", with: "-") {
        case "relu": self = .relu
        case "leaky-relu", "leakyrelu": self = .leakyReLU(negativeSlope: negativeSlope)
        case "sigmoid": self = .sigmoid
        case "tanh": self = .tanh
        case "gelu": self = .gelu
        default: throw SpecError("unknown activation `\(word)`; valid: \(Activation.specNames.joined(separator: ", "))")
        }
    }

    /// A new layer applying this activation.
    public func makeLayer<Scalar: TensorScalar>() -> any Layer<Scalar> {
        switch self {
        case .relu: return ReLU<Scalar>()
        case .leakyReLU(let slope): return LeakyReLU<Scalar>(negativeSlope: slope)
        case .sigmoid: return Sigmoid<Scalar>()
        case .tanh: return Tanh<Scalar>()
        case .gelu: return GELU<Scalar>()
        }
    }

    /// The nonlinearity whose gain Kaiming/Xavier initialisation should use before this activation.
    public var nonlinearity: Nonlinearity {
        switch self {
        case .relu, .gelu: return .relu
        case .leakyReLU(let slope): return .leakyReLU(negativeSlope: slope)
        case .sigmoid: return .sigmoid
        case .tanh: return .tanh
        }
    }

    /// The spec word.
    public var description: String {
        switch self {
        case .relu: return "relu"
        case .leakyReLU: return "leaky-relu"
        case .sigmoid: return "sigmoid"
        case .tanh: return "tanh"
        case .gelu: return "gelu"
        }
    }
}
