import Foundation
import DescentCore

/// A model described in one line, as the CLI and config files write it: `linear`, `logistic`,
/// `softmax`, `mlp(64)`, `mlp(5, 4, activation: relu, dropout: 0.2, batchNorm: true)`, `lenet5`,
/// `cnn(32, 64)`, `layers(conv2d(32, 3, padding: 1), relu, maxpool2d(2), flatten, linear(128), relu, linear)`.
///
/// The spec fixes the architecture but not the input and output sizes, which usually come from
/// the data: ``makeModel(inputs:outputs:generator:)`` takes them, and
/// ``outputCount(for:targetKind:)`` infers the output size from targets.
///
/// | Name | Model | Keys |
/// |---|---|---|
/// | `linear` | `Linear(in, out)` (linear regression) | `init`, `bias` |
/// | `logistic` | `Linear(in, out)` logits for σ (logistic regression) | `init`, `bias` |
/// | `softmax` | `Linear(in, classes)` logits for softmax | `init`, `bias` |
/// | `mlp(h₁, h₂, …)` | ``Sequential/mlp(inputs:hiddenSizes:outputs:activation:dropout:batchNorm:bias:initializer:generator:)`` | `hidden`, `activation`, `slope`, `dropout`, `batchNorm`, `init` |
/// | `layers(l₁, l₂, …)` | any stack of ``LayerSpec``s, sizes inferred from the data | `init`, `bias` |
/// | `lenet5` | LeNet-5 (`ModelSpec.lenet5Layers`) | `init`, `bias` |
/// | `cnn(c₁, c₂, …)` | `ModelSpec.cnnLayers(channels:batchNorm:)` | `channels`, `batchNorm`, `init`, `bias` |
///
/// The convolutional models need the data's per-sample shape (`[c, h, w]`): use the
/// `inputShape:` forms (``validate(inputShape:outputs:)``, ``makeModel(inputShape:outputs:generator:)``).
///
/// `init` is an initialiser name (see ``Initializer/init(spec:)-(String)``), for example
/// `kaiming-normal`.
public struct ModelSpec: Sendable, Equatable, CustomStringConvertible {
    /// The architecture.
    public enum Kind: Sendable, Equatable {
        /// Linear regression.
        case linear
        /// Logistic regression (logits).
        case logistic
        /// Softmax regression (logits).
        case softmax
        /// A multilayer perceptron.
        case mlp(hiddenSizes: [Int], activation: Activation, dropout: Double, batchNorm: Bool)
        /// Any stack of layers (`layers(…)`, and the presets `lenet5` and `cnn(…)`, which expand to one).
        case layers([LayerSpec])
    }

    /// The model names a spec may use.
    public static let names = ["linear", "logistic", "softmax", "mlp", "layers", "lenet5", "cnn"]

    /// The architecture.
    public var kind: Kind
    /// The initialiser for the linear layers' weights.
    public var initializer: Initializer
    /// Whether linear layers have a bias.
    public var bias: Bool
    /// The spec as written.
    public let spec: Spec

    /// Parses a model spec such as `mlp(5, 4, activation: relu)`.
    /// - Throws: `SpecError` naming the valid models or keys.
    public init(parsing text: String) throws {
        try self.init(spec: try Spec(parsing: text))
    }

    /// Reads a parsed `Spec`.
    /// - Throws: `SpecError` naming the valid models or keys.
    public init(spec: Spec) throws {
        self.spec = spec
        let component = "model \(spec.name)"
        switch spec.name.lowercased() {
        case "linear", "logistic", "softmax":
            var arguments = try SpecArguments(spec, component: component, validKeys: ["init", "bias"])
            initializer = try ModelSpec.readInitializer(&arguments, component: component)
            bias = try arguments.bool("bias", default: true)
            try arguments.finish()
            kind = spec.name.lowercased() == "linear" ? .linear : (spec.name.lowercased() == "logistic" ? .logistic : .softmax)
        case "mlp":
            let keys = ["hidden", "activation", "slope", "dropout", "batchNorm", "init", "bias"]
            var arguments = try SpecArguments(spec, component: component, validKeys: keys)
            var hidden = try arguments.ints("hidden", aliases: ["hiddenSizes"], default: [])
            for value in arguments.positional {
                guard case .number(let x) = value, x == x.rounded(), x >= 1, x < 1e9 else {
                    throw SpecError("\(component): hidden sizes must be whole numbers ≥ 1, not `\(value)` (for example `mlp(64, 32)`)")
                }
                hidden.append(Int(x))
            }
            guard !hidden.isEmpty else {
                throw SpecError("\(component): give at least one hidden size, for example `mlp(64)` or `mlp(hidden: [64, 32])`; valid keys: \(keys.joined(separator: ", "))")
            }
            guard hidden.allSatisfy({ $0 >= 1 }) else { throw SpecError("\(component): hidden sizes must be ≥ 1, got \(hidden)") }
            let word = try arguments.word("activation", allowed: Activation.specNames + ["leaky_relu"], default: "relu")
            let slope = try arguments.double("slope", aliases: ["negativeSlope"], default: 0.01)
            let activation = try Activation(named: word, negativeSlope: slope)
            let dropout = try arguments.double("dropout", default: 0)
            guard dropout >= 0 && dropout < 1 else { throw SpecError("\(component): `dropout` must be in [0, 1), not \(dropout)") }
            let batchNorm = try arguments.bool("batchNorm", aliases: ["batchnorm", "batch_norm"], default: false)
            initializer = try ModelSpec.readInitializer(&arguments, component: component)
            bias = try arguments.bool("bias", default: true)
            try arguments.finish(maximumPositional: arguments.positional.count)
            kind = .mlp(hiddenSizes: hidden, activation: activation, dropout: dropout, batchNorm: batchNorm)
        case "layers":
            var arguments = try SpecArguments(spec, component: component, validKeys: ["init", "bias"])
            initializer = try ModelSpec.readInitializer(&arguments, component: component)
            let defaultBias = try arguments.bool("bias", default: true)
            bias = defaultBias
            let layers = try arguments.positional.map { try LayerSpec(value: $0, defaultBias: defaultBias) }
            guard !layers.isEmpty else {
                throw SpecError("\(component): give at least one layer, for example `layers(conv2d(32, 3, padding: 1), relu, maxpool2d(2), flatten, linear)`; valid layers: \(LayerSpec.names.joined(separator: ", "))")
            }
            try arguments.finish(maximumPositional: arguments.positional.count)
            kind = .layers(layers)
        case "lenet5", "lenet":
            var arguments = try SpecArguments(spec, component: component, validKeys: ["init", "bias"])
            initializer = try ModelSpec.readInitializer(&arguments, component: component)
            let defaultBias = try arguments.bool("bias", default: true)
            bias = defaultBias
            try arguments.finish()
            kind = .layers(ModelSpec.lenet5Layers(bias: defaultBias))
        case "cnn":
            let keys = ["channels", "batchNorm", "init", "bias"]
            var arguments = try SpecArguments(spec, component: component, validKeys: keys)
            var channels = try arguments.ints("channels", default: [])
            for value in arguments.positional {
                guard case .number(let x) = value else { throw SpecError("\(component): channel counts must be whole numbers, not `\(value)` (for example `cnn(32, 64)`)") }
                channels.append(x == x.rounded() && Swift.abs(x) < 1e15 ? Int(x) : 0)
            }
            guard !channels.isEmpty, channels.allSatisfy({ $0 >= 1 && $0 <= LayerSpec.maximumSize }) else {
                throw SpecError("\(component): give one or more channel counts from 1 to \(LayerSpec.maximumSize), for example `cnn(32, 64)`; got \(channels)")
            }
            let batchNorm = try arguments.bool("batchNorm", aliases: ["batchnorm", "batch_norm"], default: false)
            initializer = try ModelSpec.readInitializer(&arguments, component: component)
            let defaultBias = try arguments.bool("bias", default: true)
            bias = defaultBias
            try arguments.finish(maximumPositional: arguments.positional.count)
            kind = .layers(ModelSpec.cnnLayers(channels: channels, batchNorm: batchNorm, bias: defaultBias))
        default:
            throw SpecError("unknown model `\(spec.name)`\(Suggestion.didYouMean(spec.name, among: ModelSpec.names)); valid models: \(ModelSpec.names.joined(separator: ", ")) "
                            + "(for example `linear`, `softmax`, `mlp(64, activation: relu)`, `lenet5`, `cnn(32, 64)`, `layers(conv2d(32, 3), relu, flatten, linear)`)")
        }
    }

    private static func readInitializer(_ arguments: inout SpecArguments, component: String) throws -> Initializer {
        let names = Initializer.specNames + ["default", "he-uniform", "he-normal", "glorot-uniform", "glorot-normal"]
        let word = try arguments.word("init", aliases: ["initializer"], allowed: names, default: "linear-default")
        return try Initializer(spec: Spec(name: word))
    }

    /// The loss that usually goes with this model, or `nil` when it depends on the task (`mlp`):
    /// `linear` → `mse`, `logistic` → `bce-with-logits`, `softmax` → `cross-entropy`.
    public var suggestedLossName: String? {
        switch kind {
        case .linear: return "mse"
        case .logistic: return "bce-with-logits"
        case .softmax: return "cross-entropy"
        case .mlp: return nil
        case .layers: return ["lenet5", "lenet", "cnn"].contains(spec.name.lowercased()) ? "cross-entropy" : nil
        }
    }

    /// Checks that a model of this spec can be made for `inputs` features and `outputs` outputs:
    /// both must be at least 1. Call it before ``makeModel(inputs:outputs:generator:)`` with sizes
    /// that come from data (`descent train` does), so that a file read with the wrong delimiter,
    /// which yields no feature column, is refused instead of training a model that sees nothing.
    /// (PyTorch's `nn.Linear(0, n)` is accepted and outputs only its bias; Keras refuses an input
    /// shape with a zero dimension.)
    ///
    ///     try spec.validate(inputs: data.inputCount, outputs: classCount)
    ///     let model: Sequential<Float> = spec.makeModel(inputs: data.inputCount, outputs: classCount, generator: &generator)
    ///
    /// - Throws: `SpecError` naming the model and the size, with what to check.
    public func validate(inputs: Int, outputs: Int) throws {
        if case .layers = kind { return try validate(inputShape: [inputs], outputs: outputs) }
        guard inputs >= 1 else {
            throw SpecError("model \(spec.name) needs at least 1 input feature, but the data gives \(inputs); "
                            + "check that the file's columns are split as intended (the delimiter, the header) and that the target is not the only column")
        }
        guard outputs >= 1 else {
            throw SpecError("model \(spec.name) needs at least 1 output, but \(outputs) were asked for; "
                            + "check the target column (a classification target needs at least one class)")
        }
    }

    /// The values a model of this spec holds for `inputs` features and `outputs` outputs: every
    /// `Linear` layer's weights and biases, and a batch norm's scale, shift and two running
    /// statistics per feature; `nil` when the count does not fit an `Int` (or a size is negative).
    public func parameterCount(inputs: Int, outputs: Int) -> Int? {
        if case .layers = kind { return parameterCount(inputShape: [inputs], outputs: outputs) }
        guard inputs >= 0, outputs >= 0 else { return nil }
        var sizes = [inputs]
        var perFeature = 0
        if case let .mlp(hiddenSizes, _, _, batchNorm) = kind {
            guard hiddenSizes.allSatisfy({ $0 >= 0 }) else { return nil }
            sizes += hiddenSizes
            if batchNorm { perFeature = 4 }
        }
        sizes.append(outputs)
        var total = 0
        for layer in 0..<(sizes.count - 1) {
            let (from, to) = (sizes[layer], sizes[layer + 1])
            let isHidden = layer < sizes.count - 2  // batch norm follows hidden layers only
            let (weights, o1) = from.multipliedReportingOverflow(by: to)
            let (extra, o2) = to.multipliedReportingOverflow(by: (bias ? 1 : 0) + (isHidden ? perFeature : 0))
            let (sum, o3) = total.addingReportingOverflow(weights)
            let (next, o4) = sum.addingReportingOverflow(extra)
            guard !(o1 || o2 || o3 || o4) else { return nil }
            total = next
        }
        return total
    }

    /// Checks, before anything is allocated, that a model of this spec for `inputs` features and
    /// `outputs` outputs fits in `memoryLimit` bytes: its parameters with their gradients and an
    /// optimizer's two moment buffers (as Adam keeps), four copies of `bytesPerScalar` bytes each.
    /// This is Descent's stated maximum model size.
    /// - Throws: `SpecError` with the parameter count and the memory the model would need.
    public func checkFits(inputs: Int, outputs: Int, bytesPerScalar: Int, memoryLimit: Int) throws {
        if case .layers = kind {
            return try checkFits(inputShape: [inputs], outputs: outputs, bytesPerScalar: bytesPerScalar, memoryLimit: memoryLimit)
        }
        try validate(inputs: inputs, outputs: outputs)
        let sizes = "\(inputs) input\(inputs == 1 ? "" : "s") and \(outputs) output\(outputs == 1 ? "" : "s")"
        try checkMemory(parameterCount: parameterCount(inputs: inputs, outputs: outputs), sizes: sizes,
                        bytesPerScalar: bytesPerScalar, memoryLimit: memoryLimit)
    }

    /// Throws when `count` parameters (4 copies of `bytesPerScalar` bytes) exceed `memoryLimit`.
    func checkMemory(parameterCount: Int?, sizes: String, bytesPerScalar: Int, memoryLimit: Int) throws {
        guard let count = parameterCount else {
            throw SpecError("model \(spec) with \(sizes) would have more parameters than a 64-bit count holds; use smaller hidden sizes")
        }
        let (needed, overflow) = count.multipliedReportingOverflow(by: 4 * bytesPerScalar)
        guard !overflow, needed <= memoryLimit else {
            let bytes = overflow ? "more than 9 EB" : Self.formatted(Double(needed))
            throw SpecError("model \(spec) with \(sizes) has \(count) parameters and would need \(bytes) (weights, gradients and optimizer state), "
                            + "more than the memory limit \(Self.formatted(Double(memoryLimit))); use smaller hidden sizes, or raise --memory-limit")
        }
    }

    static func formatted(_ bytes: Double) -> String {
        let units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"]  // decimal, as the CLI's memory figures
        var value = bytes, unit = 0
        while value >= 1000, unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(Int(value)) bytes" : String(format: "%.1f", value) + " " + units[unit]
    }

    /// A freshly initialised model for `inputs` features and `outputs` outputs.
    ///
    /// The sizes are not checked here (a `Linear` with 0 inputs is well defined: it outputs its
    /// bias); call ``validate(inputs:outputs:)`` first when they come from data.
    /// - Parameters:
    ///   - generator: the seeded source of randomness; the same seed gives the same model.
    ///   - inputs: the number of input features.
    ///   - outputs: the number of outputs (classes or targets).
    public func makeModel<Scalar: TensorScalar>(inputs: Int, outputs: Int, generator: inout RandomGenerator) -> Sequential<Scalar> {
        let biasInitializer = initializer.matchingBiasInitializer
        switch kind {
        case .linear, .logistic, .softmax:
            return Sequential(layers: [Linear<Scalar>(inputs, outputs, bias: bias, weightInitializer: initializer,
                                                      biasInitializer: biasInitializer, generator: &generator)])
        case let .mlp(hiddenSizes, activation, dropout, batchNorm):
            return Sequential.mlp(inputs: inputs, hiddenSizes: hiddenSizes, outputs: outputs, activation: activation,
                                  dropout: dropout, batchNorm: batchNorm, bias: bias, initializer: initializer, generator: &generator)
        case .layers:
            // Rows of `inputs` values; ``validate(inputs:outputs:)`` reports a stack that does not fit them.
            return (try? makeModel(inputShape: [inputs], outputs: outputs, generator: &generator)) ?? Sequential(layers: [])
        }
    }

    /// The output size that fits `targets`: the number of classes (largest label + 1) for class
    /// indices, otherwise the targets' last axis (1 for a `[n]` column).
    public static func outputCount<Scalar: TensorScalar>(for targets: Tensor<Scalar>, targetKind: LossTargetKind) -> Int {
        switch targetKind {
        case .classIndices:
            if targets.rank == 2 { return targets.shape[1] }
            return Int(targets.scalars.max().map { Double($0) } ?? 0) + 1
        case .values, .binary:
            return targets.rank >= 2 ? targets.shape[targets.rank - 1] : 1
        }
    }

    /// The spec as written.
    public var description: String { spec.description }
}
