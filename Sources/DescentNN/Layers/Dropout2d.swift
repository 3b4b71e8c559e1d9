import DescentCore

/// Randomly zeroes whole channels during training and scales the rest by `1/(1 − p)`
/// (`torch.nn.Dropout2d(p)`); the identity in evaluation. For an NCHW input, each `(n, c)` plane
/// is kept or dropped as one: neighbouring pixels are strongly correlated, so dropping single
/// pixels would barely regularise a convolution (Tompson et al., *Efficient Object Localization
/// Using Convolutional Networks*, 2015).
///
/// The mask comes from the layer's own generator, seeded from the generator given at creation.
public final class Dropout2d<Scalar: TensorScalar>: Layer {
    /// The probability `p` of zeroing a channel.
    public let probability: Double
    /// The generator the masks are drawn from (advances with every training forward pass).
    public var generator: RandomGenerator

    /// A channel dropout layer.
    /// - Parameters:
    ///   - probability: `p`, in [0, 1]. The default value is `0.5`, as PyTorch.
    ///   - generator: the layer's own generator is seeded from one draw of this one.
    /// - Throws: ``LayerError`` for a probability outside [0, 1].
    public init(probability: Double = 0.5, generator: inout RandomGenerator) throws {
        guard probability >= 0 && probability <= 1 else { throw LayerError("Dropout2d: the probability must be in [0, 1], got \(probability)") }
        self.probability = probability
        self.generator = RandomGenerator(seed: generator.next())
    }

    /// `x·m/(1−p)` with one mask value per channel in training, `x` in evaluation.
    /// - Throws: ``LayerError`` for an input that is not `[n, c, h, w]`.
    public func forward(_ input: Tensor<Scalar>, context: ForwardContext) throws -> Tensor<Scalar> {
        guard input.rank == 4 else { throw LayerError("Dropout2d: the input must have shape [batch, channels, height, width], got \(input.shape)") }
        guard context.isTraining, probability > 0 else { return input }
        if probability == 1 { return input * Tensor(zerosLike: input) }
        // One draw per (sample, channel), broadcast over the plane.
        let mask: Tensor<Scalar> = dropoutMask(shape: [input.shape[0], input.shape[1], 1, 1], keep: 1 - probability, generator: &generator)
        return input * mask
    }
}
