import DescentCore

/// A fully connected layer: `y = x·Wᵀ + b` (`torch.nn.Linear`).
///
/// The weight has shape `[outFeatures, inFeatures]` and the bias `[outFeatures]`, as in PyTorch,
/// so a PyTorch `state_dict` loads unchanged. The input is `[..., inFeatures]`; the output
/// `[..., outFeatures]`. Computed with one GEMM by `Tensor/linear(_:weight:bias:)`.
///
///     var generator = RandomGenerator(seed: 0)
///     let layer = Linear<Double>(4, 3, generator: &generator)
///     let y = try layer(x, mode: .training)   // x: [n, 4] → y: [n, 3]
public final class Linear<Scalar: TensorScalar>: Layer {
    /// `W`, shape `[outFeatures, inFeatures]`.
    public let weight: Parameter<Scalar>
    /// `b`, shape `[outFeatures]`, or `nil` without a bias.
    public let bias: Parameter<Scalar>?

    /// The size of the input's last axis.
    public var inFeatures: Int { weight.shape[1] }
    /// The size of the output's last axis.
    public var outFeatures: Int { weight.shape[0] }

    /// A layer with freshly initialised parameters.
    ///
    /// - Parameters:
    ///   - inFeatures: the input size.
    ///   - outFeatures: the output size.
    ///   - bias: whether to add a bias. The default value is `true`.
    ///   - weightInitializer: how to fill `W`. The default value is ``Initializer/linearDefault``,
    ///     U(±1/√inFeatures), as PyTorch.
    ///   - biasInitializer: how to fill `b`, with the weight's fans. The default value is
    ///     ``Initializer/linearDefault``, U(±1/√inFeatures), as PyTorch.
    ///   - generator: the seeded source of randomness; the weight is drawn first, then the bias.
    public init(
        _ inFeatures: Int, _ outFeatures: Int, bias: Bool = true,
        weightInitializer: Initializer = .linearDefault, biasInitializer: Initializer = .linearDefault,
        generator: inout RandomGenerator
    ) {
        precondition(inFeatures >= 0 && outFeatures >= 0, "Linear: sizes must be ≥ 0, got \(inFeatures) → \(outFeatures)")
        let shape = [outFeatures, inFeatures]
        weight = Parameter(weightInitializer.makeTensor(shape: shape, generator: &generator))
        self.bias = bias
            ? Parameter(biasInitializer.makeTensor(shape: [outFeatures], fans: Initializer.fans(of: shape), generator: &generator))
            : nil
    }

    /// A layer with the given weight `[out, in]` and optional bias `[out]`.
    /// - Throws: ``LayerError`` if the shapes do not fit together.
    public init(weight: Tensor<Scalar>, bias: Tensor<Scalar>?) throws {
        guard weight.rank == 2 else { throw LayerError("Linear: the weight must have shape [out, in], got \(weight.shape)") }
        if let bias, bias.shape != [weight.shape[0]] {
            throw LayerError("Linear: the bias must have shape [\(weight.shape[0])] for a weight of shape \(weight.shape), got \(bias.shape)")
        }
        self.weight = Parameter(weight)
        self.bias = bias.map { Parameter($0) }
    }

    /// `x·Wᵀ + b`.
    /// - Throws: ``LayerError`` if the input's last axis is not `inFeatures` long.
    public func forward(_ input: Tensor<Scalar>, context: ForwardContext) throws -> Tensor<Scalar> {
        guard input.rank >= 1, input.shape[input.rank - 1] == inFeatures else {
            throw LayerError("Linear(\(inFeatures) → \(outFeatures)): the input must have \(inFeatures) features in its last axis, its shape is \(input.shape)")
        }
        return Tensor.linear(input, weight: weight.value, bias: bias?.value)
    }
}
