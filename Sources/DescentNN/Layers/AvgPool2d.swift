import DescentCore

/// 2-D average pooling over NCHW images (`torch.nn.AvgPool2d` with PyTorch's defaults
/// `count_include_pad=True, ceil_mode=False`): each output is the mean of its window, padding
/// zeros included. No parameters.
public final class AvgPool2d<Scalar: TensorScalar>: Layer {
    /// The window.
    public let kernelSize: Size2D
    /// The step between windows.
    public let stride: Size2D
    /// Zeros on each side, at most half the window.
    public let padding: Size2D

    /// An average-pooling layer.
    /// - Parameters:
    ///   - kernelSize: the window.
    ///   - stride: The default value is `nil`, the window size (as PyTorch).
    ///   - padding: The default value is `0`.
    public init(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
    }

    /// The mean of each window.
    /// - Throws: ``LayerError`` for an input that is not rank 4 or sizes that do not fit.
    public func forward(_ input: Tensor<Scalar>, context: ForwardContext) throws -> Tensor<Scalar> {
        do {
            return try input.averagePool2D(kernelSize: kernelSize, stride: stride, padding: padding)
        } catch let error as TensorError {
            throw LayerError("AvgPool2d(kernelSize: \(kernelSize)): \(error)")
        }
    }
}
