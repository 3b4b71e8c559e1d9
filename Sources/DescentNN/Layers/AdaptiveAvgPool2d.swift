import DescentCore

/// Adaptive 2-D average pooling to a fixed output size (`torch.nn.AdaptiveAvgPool2d`): the
/// windows are chosen from the input's size, so any image size gives `[n, c, outputSize]`.
/// `outputSize: 1` is global average pooling (Lin, Chen & Yan, *Network In Network*, 2013).
public final class AdaptiveAvgPool2d<Scalar: TensorScalar>: Layer {
    /// The output's height and width.
    public let outputSize: Size2D

    /// An adaptive average-pooling layer. - Parameter outputSize: the output's height and width.
    public init(outputSize: Size2D) { self.outputSize = outputSize }

    /// The mean of each adaptive window.
    /// - Throws: ``LayerError`` for an input that is not rank 4 or an output size below 1.
    public func forward(_ input: Tensor<Scalar>, context: ForwardContext) throws -> Tensor<Scalar> {
        do {
            return try input.adaptiveAveragePool2D(outputSize: outputSize)
        } catch let error as TensorError {
            throw LayerError("AdaptiveAvgPool2d(outputSize: \(outputSize)): \(error)")
        }
    }
}
