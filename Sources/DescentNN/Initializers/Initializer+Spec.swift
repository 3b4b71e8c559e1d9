import DescentCore
import Foundation

extension Initializer {
    /// The names ``init(spec:)-(String)`` accepts.
    public static let specNames = [
        "linear-default", "kaiming-uniform", "kaiming-normal", "xavier-uniform", "xavier-normal",
        "uniform", "normal", "zeros", "ones", "constant",
    ]

    /// Reads an initialiser from a spec string such as `kaiming-normal`,
    /// `kaiming-uniform(nonlinearity: leaky-relu, slope: 0.2, mode: fan-out)`,
    /// `xavier-uniform(gain: 1.5)`, `normal(mean: 0, std: 0.01)`, `uniform(lower: -0.1, upper: 0.1)`,
    /// `constant(0.1)`, `zeros` or `linear-default` (PyTorch's `nn.Linear` default; also `default`).
    /// `he-…` and `glorot-…` are accepted for `kaiming-…` and `xavier-…`.
    /// - Throws: `SpecError` listing the valid names or keys.
    public init(spec text: String) throws {
        try self.init(spec: try Spec(parsing: text))
    }

    /// Reads an initialiser from a parsed `Spec` (see ``init(spec:)-(String)``).
    public init(spec: Spec) throws {
        var name = spec.name.replacingOccurrences(of: "_", with: "-").lowercased()
        if name.hasPrefix("he-") { name = "kaiming-" + name.dropFirst(3) }
        if name.hasPrefix("glorot-") { name = "xavier-" + name.dropFirst(7) }
        let component = "initializer \(spec.name)"
        switch name {
        case "linear-default", "default", "pytorch":
            try SpecArguments(spec, component: component, validKeys: []).finish()
            self = .linearDefault
        case "kaiming-uniform", "kaiming-normal":
            var arguments = try SpecArguments(spec, component: component, validKeys: ["nonlinearity", "slope", "mode"])
            let word = try arguments.word("nonlinearity", allowed: ["relu", "leaky-relu", "linear", "sigmoid", "tanh", "selu"], default: "relu")
            let slope = try arguments.optionalDouble("slope", aliases: ["a", "negativeSlope"])
            let mode = try arguments.word("mode", allowed: FanMode.allCases.map(\.rawValue) + ["fan_in", "fan_out"], default: "fan-in")
            try arguments.finish()
            let nonlinearity: Nonlinearity
            switch word {
            case "linear": nonlinearity = .linear
            case "sigmoid": nonlinearity = .sigmoid
            case "tanh": nonlinearity = .tanh
            case "selu": nonlinearity = .selu
            case "leaky-relu": nonlinearity = .leakyReLU(negativeSlope: slope ?? 0.01)
            default: nonlinearity = slope.map { .leakyReLU(negativeSlope: $0) } ?? .relu
            }
            let fanMode: FanMode = mode.hasSuffix("out") ? .fanOut : .fanIn
            self = name == "kaiming-uniform" ? .kaimingUniform(nonlinearity: nonlinearity, mode: fanMode)
                : .kaimingNormal(nonlinearity: nonlinearity, mode: fanMode)
        case "xavier-uniform", "xavier-normal":
            var arguments = try SpecArguments(spec, component: component, validKeys: ["gain"])
            let gain = try arguments.double("gain", default: 1)
            try arguments.finish()
            self = name == "xavier-uniform" ? .xavierUniform(gain: gain) : .xavierNormal(gain: gain)
        case "uniform":
            var arguments = try SpecArguments(spec, component: component, validKeys: ["lower", "upper"])
            let lower = try arguments.double("lower", aliases: ["a"], default: 0)
            let upper = try arguments.double("upper", aliases: ["b"], default: 1)
            try arguments.finish()
            guard lower <= upper else { throw SpecError("\(component): `lower` (\(lower)) must not exceed `upper` (\(upper))") }
            self = .uniform(lower: lower, upper: upper)
        case "normal":
            var arguments = try SpecArguments(spec, component: component, validKeys: ["mean", "std"])
            let mean = try arguments.double("mean", default: 0)
            let deviation = try arguments.double("std", aliases: ["standardDeviation"], default: 1)
            try arguments.finish()
            guard deviation >= 0 else { throw SpecError("\(component): `std` must be ≥ 0, not \(deviation)") }
            self = .normal(mean: mean, standardDeviation: deviation)
        case "zeros":
            try SpecArguments(spec, component: component, validKeys: []).finish()
            self = .zeros
        case "ones":
            try SpecArguments(spec, component: component, validKeys: []).finish()
            self = .ones
        case "constant":
            var arguments = try SpecArguments(spec, component: component, validKeys: ["value"])
            var value = try arguments.optionalDouble("value", aliases: ["val"])
            if value == nil, let first = arguments.positional.first {
                guard case .number(let x) = first else { throw SpecError("\(component): the value must be a number, not `\(first)`") }
                value = x
            }
            try arguments.finish(maximumPositional: 1)
            guard let value else { throw SpecError("\(component): give the value, for example `constant(0.1)`") }
            self = .constant(value)
        default:
            throw SpecError("unknown initializer `\(spec.name)`\(Suggestion.didYouMean(spec.name, among: Initializer.specNames)); valid names: \(Initializer.specNames.joined(separator: ", "))")
        }
    }
}
