import DescentCore

/// 2-D max pooling over NCHW images (`torch.nn.MaxPool2d` with `ceil_mode=False`): each output is
/// the largest value of its window. No parameters.
///
///     let pool = MaxPool2d<Float>(kernelSize: 2)   // [n, c, 28, 28] → [n, c, 14, 14]
public final class MaxPool2d<Scalar: TensorScalar>: Layer {
    /// The window.
    public let kernelSize: Size2D
    /// The step between windows.
    public let stride: Size2D
    /// Padding (as −∞) on each side, at most half the window.
    public let padding: Size2D
    /// The spacing between window elements.
    public let dilation: Size2D

    /// A max-pooling layer.
    /// - Parameters:
    ///   - kernelSize: the window.
    ///   - stride: The default value is `nil`, the window size (as PyTorch).
    ///   - padding: The default value is `0`.
    ///   - dilation: The default value is `1`.
    public init(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, dilation: Size2D = 1) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.dilation = dilation
    }

    /// The largest value of each window.
    /// - Throws: ``LayerError`` for an input that is not rank 4 or sizes that do not fit.
    public func forward(_ input: Tensor<Scalar>, context: ForwardContext) throws -> Tensor<Scalar> {
        do {
            return try input.maxPool2D(kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation)
        } catch let error as TensorError {
            throw LayerError("MaxPool2d(kernelSize: \(kernelSize)): \(error)")
        }
    }
}
