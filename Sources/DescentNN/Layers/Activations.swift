import DescentCore

/// `max(x, 0)` elementwise (`torch.nn.ReLU`). The derivative at 0 is taken as 0.
public final class ReLU<Scalar: TensorScalar>: Layer {
    /// A ReLU layer.
    public init() {}
    /// `max(x, 0)`.
    public func forward(_ input: Tensor<Scalar>, context: ForwardContext) -> Tensor<Scalar> { input.relu() }
}

/// `x` for `x > 0`, `negativeSlope·x` otherwise (`torch.nn.LeakyReLU`).
public final class LeakyReLU<Scalar: TensorScalar>: Layer {
    /// The slope for negative inputs.
    public let negativeSlope: Double
    /// A leaky ReLU. - Parameter negativeSlope: the slope for `x < 0`. The default value is `0.01`, as PyTorch.
    public init(negativeSlope: Double = 0.01) { self.negativeSlope = negativeSlope }
    /// `x > 0 ? x : negativeSlope·x`.
    public func forward(_ input: Tensor<Scalar>, context: ForwardContext) -> Tensor<Scalar> {
        input.leakyReLU(negativeSlope: negativeSlope)
    }
}

/// The logistic function `σ(x) = 1/(1 + e⁻ˣ)` elementwise (`torch.nn.Sigmoid`).
public final class Sigmoid<Scalar: TensorScalar>: Layer {
    /// A sigmoid layer.
    public init() {}
    /// `1/(1 + e⁻ˣ)`.
    public func forward(_ input: Tensor<Scalar>, context: ForwardContext) -> Tensor<Scalar> { input.sigmoid() }
}

/// `tanh(x)` elementwise (`torch.nn.Tanh`).
public final class Tanh<Scalar: TensorScalar>: Layer {
    /// A tanh layer.
    public init() {}
    /// `tanh(x)`.
    public func forward(_ input: Tensor<Scalar>, context: ForwardContext) -> Tensor<Scalar> { input.tanh() }
}

/// The Gaussian error linear unit `x·Φ(x)` with the exact normal CDF
/// (`torch.nn.GELU(approximate='none')`). Reference: Hendrycks & Gimpel, 2016.
public final class GELU<Scalar: TensorScalar>: Layer {
    /// A GELU layer.
    public init() {}
    /// `x·Φ(x) = x·(1 + erf(x/√2))/2`.
    public func forward(_ input: Tensor<Scalar>, context: ForwardContext) -> Tensor<Scalar> { input.gelu() }
}

/// `softmax(x)ᵢ = e^{xᵢ} / Σⱼ e^{xⱼ}` along an axis (`torch.nn.Softmax(dim)`), computed stably.
public final class Softmax<Scalar: TensorScalar>: Layer {
    /// The axis whose entries sum to 1.
    public let axis: Int
    /// A softmax layer. - Parameter axis: the axis to normalise. The default value is `-1` (the last,
    /// which is the class axis of a `[batch, classes]` tensor).
    public init(axis: Int = -1) { self.axis = axis }
    /// `exp(x − logsumexp(x))` along ``axis``.
    public func forward(_ input: Tensor<Scalar>, context: ForwardContext) throws -> Tensor<Scalar> {
        try checkAxis(axis, of: input, layer: "Softmax")
        return input.softmax(alongAxis: axis)
    }
}

/// `log softmax(x)ᵢ = xᵢ − log Σⱼ e^{xⱼ}` along an axis (`torch.nn.LogSoftmax(dim)`), computed stably.
public final class LogSoftmax<Scalar: TensorScalar>: Layer {
    /// The axis to normalise.
    public let axis: Int
    /// A log-softmax layer. - Parameter axis: the axis to normalise. The default value is `-1`.
    public init(axis: Int = -1) { self.axis = axis }
    /// `x − logsumexp(x)` along ``axis``.
    public func forward(_ input: Tensor<Scalar>, context: ForwardContext) throws -> Tensor<Scalar> {
        try checkAxis(axis, of: input, layer: "LogSoftmax")
        return input.logSoftmax(alongAxis: axis)
    }
}

/// Merges all axes from `startAxis` on into one (`torch.nn.Flatten(start_dim=1)`): `[n, a, b]` → `[n, a·b]`.
public final class Flatten<Scalar: TensorScalar>: Layer {
    /// The first axis merged. The default value is `1`, which keeps the batch axis.
    public let startAxis: Int
    /// A flatten layer. - Parameter startAxis: the first axis to merge. The default value is `1`.
    public init(startAxis: Int = 1) { self.startAxis = startAxis }
    /// The input reshaped to `[d₀, …, d_{start−1}, ∏ the rest]` (no copy).
    public func forward(_ input: Tensor<Scalar>, context: ForwardContext) throws -> Tensor<Scalar> {
        if input.rank == 0 { return input.flattened() }
        try checkAxis(startAxis, of: input, layer: "Flatten")
        return input.flattened(fromAxis: startAxis)
    }
}

func checkAxis<Scalar>(_ axis: Int, of input: Tensor<Scalar>, layer: String) throws {
    guard axis >= -input.rank && axis < input.rank else {
        throw LayerError("\(layer): axis \(axis) does not exist in an input of shape \(input.shape)")
    }
}
