import DescentCore

/// Whether a forward pass is for training or for evaluation.
///
/// Descent passes the mode to every forward call instead of keeping it as state inside the model
/// (PyTorch's `model.train()` / `model.eval()`): a call site always says which one it means, so
/// forgetting to switch back to evaluation before measuring a validation loss is impossible, and
/// two callers (a trainer and an evaluator) can use one model without stepping on each other.
public enum ForwardMode: String, Sendable, Codable, CaseIterable {
    /// Dropout drops, batch normalisation uses and updates batch statistics (`model.train()`).
    case training
    /// Dropout is the identity, batch normalisation uses its running statistics (`model.eval()`).
    case evaluation
}

/// What a layer's forward pass needs to know besides its input.
///
/// Pass ``training`` while fitting and ``evaluation`` for validation and prediction.
public struct ForwardContext: Sendable, Equatable {
    /// Training or evaluation.
    public var mode: ForwardMode

    /// A context for `mode`.
    public init(mode: ForwardMode) { self.mode = mode }

    /// `true` in training mode.
    public var isTraining: Bool { mode == .training }

    /// The training context (`model.train()` in PyTorch).
    public static let training = ForwardContext(mode: .training)
    /// The evaluation context (`model.eval()` in PyTorch).
    public static let evaluation = ForwardContext(mode: .evaluation)
}

/// A differentiable map from a tensor to a tensor, with trainable parameters, non-trainable
/// buffers and sublayers (`torch.nn.Module`).
///
/// A layer is a final class. Its `Parameter`s, ``Buffer``s and sublayers are found by
/// reflection over its stored properties (see ``Layer/namedParameters()``), so a custom model
/// never lists them by hand:
///
///     final class TwoLayer: Layer {
///         let hidden: Linear<Double>
///         let output: Linear<Double>
///         init(generator: inout RandomGenerator) {
///             hidden = Linear(4, 8, generator: &generator)
///             output = Linear(8, 3, generator: &generator)
///         }
///         func forward(_ input: Tensor<Double>, context: ForwardContext) throws -> Tensor<Double> {
///             try output.forward(hidden.forward(input, context: context).relu(), context: context)
///         }
///     }
///     // namedParameters(): hidden.weight, hidden.bias, output.weight, output.bias
///
/// Hold parameters, buffers and sublayers in `let` properties (or at least do not replace them
/// after the first call that discovers them): the structure is read once per layer object and
/// cached.
public protocol Layer<Scalar>: AnyObject {
    /// The element type, `Float` or `Double`.
    associatedtype Scalar: TensorScalar

    /// Computes the layer's output for `input`.
    /// - Throws: ``LayerError`` when the input's shape does not fit the layer.
    func forward(_ input: Tensor<Scalar>, context: ForwardContext) throws -> Tensor<Scalar>
}

extension Layer {
    /// `forward(input, context: ForwardContext(mode: mode))`.
    public func callAsFunction(_ input: Tensor<Scalar>, mode: ForwardMode) throws -> Tensor<Scalar> {
        try forward(input, context: ForwardContext(mode: mode))
    }

    /// `forward(input, context: context)`.
    public func callAsFunction(_ input: Tensor<Scalar>, context: ForwardContext) throws -> Tensor<Scalar> {
        try forward(input, context: context)
    }
}

/// A layer's input did not fit it.
public struct LayerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What was wrong and what to do about it.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// A non-trainable tensor that belongs to a layer's state and is saved with it, such as batch
/// normalisation's running mean (`torch.nn.Module.register_buffer`).
///
/// A reference type, like `Parameter`, so that a layer and a model file see the same buffer.
public final class Buffer<Scalar: TensorScalar>: @unchecked Sendable {
    /// How a buffer is stored in a model file.
    public enum Kind: Sendable, Equatable {
        /// Stored with the model's element type (`F32` or `F64`).
        case floatingPoint
        /// A count, stored as a 64-bit integer (`I64`), as PyTorch stores `num_batches_tracked`.
        case integer
    }

    /// The current value (never requires a gradient).
    public var value: Tensor<Scalar> {
        didSet { value = value.detached() }
    }
    /// How the buffer is stored in a model file.
    public let kind: Kind

    /// A buffer holding `value`.
    public init(_ value: Tensor<Scalar>, kind: Kind = .floatingPoint) {
        self.value = value.detached()
        self.kind = kind
    }

    /// The shape of the value.
    public var shape: [Int] { value.shape }
}

/// A layer whose parameters or buffers are saved under names other than their Swift property
/// names, to match PyTorch's `state_dict` (``BatchNorm1d``'s `runningMean` is `running_mean`).
public protocol CustomStateNames {
    /// Maps a stored property's name to its name in the model's state.
    var stateNames: [String: String] { get }
}
