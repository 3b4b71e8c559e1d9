import DescentCore
import DescentKernels

/// Randomly zeroes elements during training and scales the rest by `1/(1 − p)` (inverted
/// dropout, `torch.nn.Dropout(p)`); the identity in evaluation.
///
///     training:    y = x · m / (1 − p),   mᵢ ~ Bernoulli(1 − p)
///     evaluation:  y = x
///
/// Scaling during training keeps `E[y] = x`, so nothing changes at evaluation time. With `p = 1`
/// every element is zeroed. The mask comes from the layer's own generator, seeded from the
/// generator given at creation, so a seed reproduces the whole training run.
///
/// Reference: Srivastava et al., *Dropout: A Simple Way to Prevent Neural Networks from
/// Overfitting*, JMLR 2014.
public final class Dropout<Scalar: TensorScalar>: Layer {
    /// The probability `p` of zeroing an element.
    public let probability: Double
    /// The generator the masks are drawn from (advances with every training forward pass).
    public var generator: RandomGenerator

    /// A dropout layer.
    /// - Parameters:
    ///   - probability: `p`, in [0, 1]. The default value is `0.5`, as PyTorch.
    ///   - generator: the layer's own generator is seeded from one draw of this one.
    public init(probability: Double = 0.5, generator: inout RandomGenerator) {
        precondition(probability >= 0 && probability <= 1, "Dropout: the probability must be in [0, 1], got \(probability)")
        self.probability = probability
        self.generator = RandomGenerator(seed: generator.next())
    }

    /// `x·m/(1−p)` in training, `x` in evaluation.
    public func forward(_ input: Tensor<Scalar>, context: ForwardContext) -> Tensor<Scalar> {
        guard context.isTraining, probability > 0 else { return input }
        if probability == 1 { return input * Tensor(zerosLike: input) }
        return input * dropoutMask(shape: input.shape, keep: 1 - probability, generator: &generator)
    }
}

/// A tensor of `shape` whose elements are `1/keep` with probability `keep`, else 0, drawn in order.
func dropoutMask<Scalar: TensorScalar>(shape: [Int], keep: Double, generator: inout RandomGenerator) -> Tensor<Scalar> {
    Tensor<Scalar>(shape: shape) { out in
        if Scalar.self == Float.self {
            fillDropoutMask(UnsafeMutableRawPointer(out.baseAddress!).assumingMemoryBound(to: Float.self),
                            out.count, keep: keep, scale: 1 / Float(keep), &generator)
        } else {
            fillDropoutMask(UnsafeMutableRawPointer(out.baseAddress!).assumingMemoryBound(to: Double.self),
                            out.count, keep: keep, scale: 1 / Double(keep), &generator)
        }
    }
}

/// `out[i] = scale` with probability `keep`, else 0.
@inlinable @inline(__always)
package func fillDropoutMask<T: KernelScalar>(_ out: UnsafeMutablePointer<T>, _ count: Int, keep: Double, scale: T, _ generator: inout RandomGenerator) {
    for i in 0..<count { out[i] = generator.nextUniform() < keep ? scale : 0 }
}
