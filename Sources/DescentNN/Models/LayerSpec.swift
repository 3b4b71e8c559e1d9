import Foundation
import DescentCore

/// One layer of a `layers(…)` model spec, as the CLI and config files write it:
/// `conv2d(32, 3, padding: 1)`, `relu`, `maxpool2d(2)`, `flatten`, `linear(128)`, `linear`.
///
/// Input sizes are not written: ``ModelSpec/layerShapes(inputShape:outputs:)`` infers each layer's
/// from the one before it, starting from the data's per-sample shape (`[c, h, w]` for images,
/// `[features]` for rows), and a `linear` without a size gets the number of outputs (the classes).
///
/// | Spec | Layer | Keys |
/// |---|---|---|
/// | `conv2d(out, kernel)` | ``Conv2d`` | `out`, `kernel`, `stride`, `padding`, `dilation`, `groups`, `bias` |
/// | `maxpool2d(kernel)` | ``MaxPool2d`` | `kernel`, `stride`, `padding`, `dilation` |
/// | `avgpool2d(kernel)` | ``AvgPool2d`` | `kernel`, `stride`, `padding` |
/// | `adaptiveavgpool2d(size)` | ``AdaptiveAvgPool2d`` (default size 1: global average pooling) | `size` |
/// | `batchnorm` | ``BatchNorm2d`` on images, ``BatchNorm1d`` on rows | `epsilon`, `momentum` |
/// | `dropout(p)`, `dropout2d(p)` | ``Dropout``, ``Dropout2d`` (default `p` 0.5) | `p` |
/// | `flatten` | ``Flatten`` | |
/// | `unflatten(c, h, w)` | ``Unflatten`` on axis 1 | |
/// | `linear(n)`, `linear` | ``Linear`` (the last may omit `n`: the outputs) | `out`, `bias` |
/// | `relu`, `leaky-relu(slope)`, `sigmoid`, `tanh`, `gelu` | activations | `slope` |
///
/// Sizes (kernel, stride, padding, dilation) are a number or `[height, width]`.
public enum LayerSpec: Sendable, Equatable, CustomStringConvertible {
    /// ``Conv2d``.
    case conv2d(outChannels: Int, kernelSize: Size2D, stride: Size2D, padding: Size2D, dilation: Size2D, groups: Int, bias: Bool)
    /// ``MaxPool2d``.
    case maxPool2d(kernelSize: Size2D, stride: Size2D, padding: Size2D, dilation: Size2D)
    /// ``AvgPool2d``.
    case avgPool2d(kernelSize: Size2D, stride: Size2D, padding: Size2D)
    /// ``AdaptiveAvgPool2d``.
    case adaptiveAvgPool2d(outputSize: Size2D)
    /// ``BatchNorm2d`` after an image-shaped layer, ``BatchNorm1d`` after a flat one.
    case batchNorm(epsilon: Double, momentum: Double)
    /// ``Dropout``.
    case dropout(probability: Double)
    /// ``Dropout2d``.
    case dropout2d(probability: Double)
    /// ``Flatten`` from axis 1.
    case flatten
    /// ``Unflatten`` of axis 1 into `shape`.
    case unflatten(shape: [Int])
    /// ``Linear``; `nil` features means the model's outputs (only for the last linear layer).
    case linear(outFeatures: Int?, bias: Bool)
    /// An elementwise nonlinearity.
    case activation(Activation)

    /// The layer names a `layers(…)` spec may use.
    public static let names = [
        "conv2d", "maxpool2d", "avgpool2d", "adaptiveavgpool2d", "batchnorm", "dropout", "dropout2d", "flatten", "unflatten",
        "linear",
    ] + Activation.specNames

    /// The largest channel count, feature count or kernel size a spec may ask for (2²⁴): larger
    /// values are typing mistakes, and they keep every later product of sizes within `Int`.
    public static let maximumSize = 1 << 24

    /// Reads one layer from a value of a `layers(…)` spec: a word (`relu`) or a call (`conv2d(32, 3)`).
    /// - Parameters:
    ///   - value: one element of the `layers(…)` list, as the spec parser gives it.
    ///   - defaultBias: whether linear and convolution layers have a bias unless they say.
    /// - Throws: `SpecError` naming the layer, the key and the valid choices.
    public init(value: Spec.Value, defaultBias: Bool = true) throws {
        let spec: Spec
        switch value {
        case .word(let word): spec = Spec(name: word)
        case .call(let call): spec = call
        default:
            throw SpecError("layers: `\(value)` is not a layer; write a layer name such as `relu` or `conv2d(32, 3)` (valid layers: \(LayerSpec.names.joined(separator: ", ")))")
        }
        let name = spec.name.lowercased().replacingOccurrences(of: "_", with: "-")
        let component = "layer \(spec)"
        switch name {
        case "conv2d":
            var arguments = try SpecArguments(spec, component: component, validKeys: ["out", "kernel", "stride", "padding", "dilation", "groups", "bias"])
            let out = try LayerSpec.size(&arguments, "out", aliases: ["channels"], position: 0, component: component)
            let kernel = try LayerSpec.size2D(&arguments, "kernel", aliases: ["kernelSize"], position: 1, component: component, minimum: 1)
            guard let out, let kernel else {
                throw SpecError("\(component): give the output channels and the kernel size, for example `conv2d(32, 3)` or `conv2d(out: 32, kernel: 3, padding: 1)`")
            }
            let stride = try LayerSpec.size2D(&arguments, "stride", component: component, minimum: 1) ?? 1
            let padding = try LayerSpec.size2D(&arguments, "padding", component: component, minimum: 0) ?? 0
            let dilation = try LayerSpec.size2D(&arguments, "dilation", component: component, minimum: 1) ?? 1
            let groups = try LayerSpec.size(&arguments, "groups", component: component) ?? 1
            let bias = try arguments.bool("bias", default: defaultBias)
            try arguments.finish(maximumPositional: 2)
            self = .conv2d(outChannels: out, kernelSize: kernel, stride: stride, padding: padding, dilation: dilation, groups: groups, bias: bias)
        case "maxpool2d", "avgpool2d":
            let keys = name == "maxpool2d" ? ["kernel", "stride", "padding", "dilation"] : ["kernel", "stride", "padding"]
            var arguments = try SpecArguments(spec, component: component, validKeys: keys)
            guard let kernel = try LayerSpec.size2D(&arguments, "kernel", aliases: ["kernelSize"], position: 0, component: component, minimum: 1) else {
                throw SpecError("\(component): give the window size, for example `\(name)(2)`")
            }
            let stride = try LayerSpec.size2D(&arguments, "stride", component: component, minimum: 1) ?? kernel
            let padding = try LayerSpec.size2D(&arguments, "padding", component: component, minimum: 0) ?? 0
            guard padding.height <= kernel.height / 2, padding.width <= kernel.width / 2 else {
                throw SpecError("\(component): the padding \(padding) must be at most half the window \(kernel), as PyTorch requires")
            }
            if name == "maxpool2d" {
                let dilation = try LayerSpec.size2D(&arguments, "dilation", component: component, minimum: 1) ?? 1
                try arguments.finish(maximumPositional: 1)
                self = .maxPool2d(kernelSize: kernel, stride: stride, padding: padding, dilation: dilation)
            } else {
                try arguments.finish(maximumPositional: 1)
                self = .avgPool2d(kernelSize: kernel, stride: stride, padding: padding)
            }
        case "adaptiveavgpool2d", "globalavgpool2d":
            var arguments = try SpecArguments(spec, component: component, validKeys: ["size"])
            let size = try LayerSpec.size2D(&arguments, "size", aliases: ["outputSize"], position: 0, component: component, minimum: 1) ?? 1
            try arguments.finish(maximumPositional: 1)
            self = .adaptiveAvgPool2d(outputSize: size)
        case "batchnorm", "batchnorm2d", "batchnorm1d":
            var arguments = try SpecArguments(spec, component: component, validKeys: ["epsilon", "momentum"])
            let epsilon = try arguments.double("epsilon", aliases: ["eps"], default: 1e-5)
            let momentum = try arguments.double("momentum", default: 0.1)
            guard epsilon > 0, epsilon.isFinite else { throw SpecError("\(component): `epsilon` must be a positive number, not \(epsilon)") }
            guard momentum >= 0, momentum <= 1 else { throw SpecError("\(component): `momentum` must be in [0, 1], not \(momentum)") }
            try arguments.finish()
            self = .batchNorm(epsilon: epsilon, momentum: momentum)
        case "dropout", "dropout2d":
            var arguments = try SpecArguments(spec, component: component, validKeys: ["p"])
            var probability = try arguments.optionalDouble("p", aliases: ["probability"])
            if probability == nil, case .number(let x)? = arguments.positional.first { probability = x }
            let p = probability ?? 0.5
            guard p >= 0, p < 1 else { throw SpecError("\(component): the probability must be in [0, 1), not \(p)") }
            try arguments.finish(maximumPositional: 1)
            self = name == "dropout" ? .dropout(probability: p) : .dropout2d(probability: p)
        case "flatten":
            try SpecArguments(spec, component: component, validKeys: []).finish()
            self = .flatten
        case "unflatten":
            var arguments = try SpecArguments(spec, component: component, validKeys: [])
            var shape: [Int] = []
            for index in arguments.positional.indices {
                if let size = try LayerSpec.size(&arguments, "size \(index + 1)", position: index, component: component) { shape.append(size) }
            }
            guard !shape.isEmpty else {
                throw SpecError("\(component): give the sizes to split axis 1 into, for example `unflatten(1, 28, 28)`")
            }
            try arguments.finish(maximumPositional: shape.count)
            self = .unflatten(shape: shape)
        case "linear":
            var arguments = try SpecArguments(spec, component: component, validKeys: ["out", "bias"])
            let out = try LayerSpec.size(&arguments, "out", aliases: ["features"], position: 0, component: component)
            let bias = try arguments.bool("bias", default: defaultBias)
            try arguments.finish(maximumPositional: 1)
            self = .linear(outFeatures: out, bias: bias)
        default:
            guard Activation.specNames.contains(name) || name == "leakyrelu" else {
                throw SpecError("unknown layer `\(spec.name)`\(Suggestion.didYouMean(spec.name, among: LayerSpec.names)); valid layers: \(LayerSpec.names.joined(separator: ", "))")
            }
            var arguments = try SpecArguments(spec, component: component, validKeys: ["slope"])
            var slope = try arguments.optionalDouble("slope", aliases: ["negativeSlope"])
            if slope == nil, case .number(let x)? = arguments.positional.first { slope = x }
            try arguments.finish(maximumPositional: name.contains("leaky") ? 1 : 0)
            self = .activation(try Activation(named: name, negativeSlope: slope ?? 0.01))
        }
    }

    /// A whole number in `1...maximumSize`, labelled `key` or at `position` among the positional values.
    static func size(
        _ arguments: inout SpecArguments, _ key: String, aliases: [String] = [], position: Int? = nil, component: String
    ) throws -> Int? {
        var value = try arguments.optionalDouble(key, aliases: aliases)
        if value == nil, let position, position < arguments.positional.count {
            guard case .number(let x) = arguments.positional[position] else {
                throw SpecError("\(component): `\(arguments.positional[position])` must be a whole number")
            }
            value = x
        }
        guard let value else { return nil }
        guard value == value.rounded(), value >= 1, value <= Double(maximumSize) else {
            throw SpecError("\(component): `\(key)` must be a whole number from 1 to \(maximumSize), not \(Spec.Value.number(value))")
        }
        return Int(value)
    }

    /// A number or `[height, width]` of whole numbers in `minimum...maximumSize`.
    static func size2D(
        _ arguments: inout SpecArguments, _ key: String, aliases: [String] = [], position: Int? = nil, component: String, minimum: Int
    ) throws -> Size2D? {
        var value = try arguments.value(key, aliases: aliases)
        if value == nil, let position, position < arguments.positional.count { value = arguments.positional[position] }
        guard let value else { return nil }
        let numbers: [Double]
        switch value {
        case .number(let x): numbers = [x, x]
        case .list(let items) where items.count == 2:
            numbers = try items.map { item in
                guard case .number(let x) = item else { throw SpecError("\(component): `\(key)` must be a number or [height, width], not `\(value)`") }
                return x
            }
        default: throw SpecError("\(component): `\(key)` must be a number or [height, width], not `\(value)`")
        }
        guard numbers.allSatisfy({ $0 == $0.rounded() && $0 >= Double(minimum) && $0 <= Double(maximumSize) }) else {
            throw SpecError("\(component): `\(key)` must be whole numbers from \(minimum) to \(maximumSize), not `\(value)`")
        }
        return Size2D(height: Int(numbers[0]), width: Int(numbers[1]))
    }

    /// The spec text of this layer (`conv2d(32, 3, padding: 1)`).
    public var description: String {
        switch self {
        case let .conv2d(out, kernel, stride, padding, dilation, groups, bias):
            var text = "conv2d(\(out), \(LayerSpec.text(kernel))"
            if stride != 1 { text += ", stride: \(LayerSpec.text(stride))" }
            if padding != 0 { text += ", padding: \(LayerSpec.text(padding))" }
            if dilation != 1 { text += ", dilation: \(LayerSpec.text(dilation))" }
            if groups != 1 { text += ", groups: \(groups)" }
            if !bias { text += ", bias: false" }
            return text + ")"
        case let .maxPool2d(kernel, stride, padding, dilation):
            var text = "maxpool2d(\(LayerSpec.text(kernel))"
            if stride != kernel { text += ", stride: \(LayerSpec.text(stride))" }
            if padding != 0 { text += ", padding: \(LayerSpec.text(padding))" }
            if dilation != 1 { text += ", dilation: \(LayerSpec.text(dilation))" }
            return text + ")"
        case let .avgPool2d(kernel, stride, padding):
            var text = "avgpool2d(\(LayerSpec.text(kernel))"
            if stride != kernel { text += ", stride: \(LayerSpec.text(stride))" }
            if padding != 0 { text += ", padding: \(LayerSpec.text(padding))" }
            return text + ")"
        case let .adaptiveAvgPool2d(size): return "adaptiveavgpool2d(\(LayerSpec.text(size)))"
        case let .batchNorm(epsilon, momentum):
            return epsilon == 1e-5 && momentum == 0.1 ? "batchnorm" : "batchnorm(epsilon: \(epsilon), momentum: \(momentum))"
        case let .dropout(p): return "dropout(\(p))"
        case let .dropout2d(p): return "dropout2d(\(p))"
        case .flatten: return "flatten"
        case let .unflatten(shape): return "unflatten(\(shape.map(String.init).joined(separator: ", ")))"
        case let .linear(out, bias):
            let size = out.map { "\($0)" }
            let options = [size, bias ? nil : "bias: false"].compactMap { $0 }
            return options.isEmpty ? "linear" : "linear(\(options.joined(separator: ", ")))"
        case let .activation(activation):
            if case .leakyReLU(let slope) = activation, slope != 0.01 { return "leaky-relu(\(slope))" }
            return activation.description
        }
    }

    static func text(_ size: Size2D) -> String { size.height == size.width ? "\(size.height)" : "[\(size.height), \(size.width)]" }
}
