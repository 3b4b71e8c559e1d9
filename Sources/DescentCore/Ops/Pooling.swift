import DescentKernels

extension Tensor {
    /// 2-D max pooling of an NCHW tensor (`torch.nn.functional.max_pool2d`, `ceil_mode=False`):
    /// each output is the largest value of its window (padding counts as −∞; a NaN wins). The
    /// backward pass sends each output's gradient to the position of its maximum (the first one
    /// in row-major order on ties, as PyTorch), which the forward pass records.
    ///
    /// - Parameters:
    ///   - kernelSize: the window.
    ///   - stride: The default value is `nil`, the kernel size (as PyTorch).
    ///   - padding: at most half the kernel. The default value is `0`.
    ///   - dilation: The default value is `1`.
    /// - Throws: ``TensorError/invalidShape(operation:shape:reason:)`` for an input that is not
    ///   rank 4 or a geometry that does not fit (see `Pooling2DGeometry.validate()`).
    public func maxPool2D(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0, dilation: Size2D = 1) throws -> Tensor {
        let geometry = try poolingGeometry("maxPool2D", kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation)
        let input = self
        let indices = UnsafeMutableBufferPointer<Int>.allocate(capacity: Swift.max(geometry.outputCount, 1))
        let owner = IndexBuffer(indices)
        var result = Tensor(shape: [geometry.batch, geometry.channels, geometry.outputHeight, geometry.outputWidth]) { out in
            Scalar.maxPool2DForward(geometry, input: input.storage.pointer, output: out.baseAddress!, indices: indices.baseAddress!)
        }
        Tensor.record(&result, inputs: [self]) { g in
            [Tensor(shape: input.shape) { out in
                Scalar.maxPool2DInputGradient(geometry, outputGradient: g.storage.pointer, indices: owner.indices.baseAddress!, inputGradient: out.baseAddress!)
            }]
        }
        return result
    }

    /// 2-D average pooling of an NCHW tensor (`torch.nn.functional.avg_pool2d` with
    /// `count_include_pad=True, ceil_mode=False`, PyTorch's defaults): each output is its
    /// window's sum divided by the window's size, padding included.
    ///
    /// - Parameters:
    ///   - kernelSize: the window.
    ///   - stride: The default value is `nil`, the kernel size (as PyTorch).
    ///   - padding: zeros on each side, at most half the kernel. The default value is `0`.
    /// - Throws: ``TensorError/invalidShape(operation:shape:reason:)`` as ``maxPool2D(kernelSize:stride:padding:dilation:)``.
    public func averagePool2D(kernelSize: Size2D, stride: Size2D? = nil, padding: Size2D = 0) throws -> Tensor {
        let geometry = try poolingGeometry("averagePool2D", kernelSize: kernelSize, stride: stride, padding: padding, dilation: 1)
        let input = self
        var result = Tensor(shape: [geometry.batch, geometry.channels, geometry.outputHeight, geometry.outputWidth]) { out in
            Scalar.averagePool2DForward(geometry, input: input.storage.pointer, output: out.baseAddress!)
        }
        Tensor.record(&result, inputs: [self]) { g in
            [Tensor(shape: input.shape) { out in
                Scalar.averagePool2DInputGradient(geometry, outputGradient: g.storage.pointer, inputGradient: out.baseAddress!)
            }]
        }
        return result
    }

    /// Adaptive 2-D average pooling of an NCHW tensor to a fixed output size
    /// (`torch.nn.functional.adaptive_avg_pool2d`): output cell `(i, j)` averages input rows
    /// `⌊i·H/H_out⌋ ..< ⌈(i+1)·H/H_out⌉` and the columns likewise. `outputSize: 1` is global
    /// average pooling.
    /// - Throws: ``TensorError/invalidShape(operation:shape:reason:)`` for an input that is not
    ///   rank 4 or an output size below 1.
    public func adaptiveAveragePool2D(outputSize: Size2D) throws -> Tensor {
        guard rank == 4 else {
            throw TensorError.invalidShape(operation: "adaptiveAveragePool2D", shape: shape, reason: "the input must be [batch, channels, height, width]")
        }
        let geometry = AdaptivePooling2DGeometry(
            batch: shape[0], channels: shape[1], inputHeight: shape[2], inputWidth: shape[3],
            outputHeight: outputSize.height, outputWidth: outputSize.width)
        do { try geometry.validate() } catch {
            throw TensorError.invalidShape(operation: "adaptiveAveragePool2D", shape: shape, reason: error.message)
        }
        let input = self
        var result = Tensor(shape: [geometry.batch, geometry.channels, geometry.outputHeight, geometry.outputWidth]) { out in
            Scalar.adaptiveAveragePool2DForward(geometry, input: input.storage.pointer, output: out.baseAddress!)
        }
        Tensor.record(&result, inputs: [self]) { g in
            [Tensor(shape: input.shape) { out in
                Scalar.adaptiveAveragePool2DInputGradient(geometry, outputGradient: g.storage.pointer, inputGradient: out.baseAddress!)
            }]
        }
        return result
    }

    func poolingGeometry(_ operation: String, kernelSize: Size2D, stride: Size2D?, padding: Size2D, dilation: Size2D) throws -> Pooling2DGeometry {
        guard rank == 4 else {
            throw TensorError.invalidShape(operation: operation, shape: shape, reason: "the input must be [batch, channels, height, width]")
        }
        let step = stride ?? kernelSize
        let geometry = Pooling2DGeometry(
            batch: shape[0], channels: shape[1], inputHeight: shape[2], inputWidth: shape[3],
            kernelHeight: kernelSize.height, kernelWidth: kernelSize.width, strideHeight: step.height, strideWidth: step.width,
            paddingHeight: padding.height, paddingWidth: padding.width, dilationHeight: dilation.height, dilationWidth: dilation.width)
        do { try geometry.validate() } catch {
            throw TensorError.invalidShape(operation: operation, shape: shape, reason: error.message)
        }
        return geometry
    }
}

/// The argmax indices of one max pooling, kept alive by its backward function and freed with it.
final class IndexBuffer: @unchecked Sendable {
    let indices: UnsafeMutableBufferPointer<Int>
    init(_ indices: UnsafeMutableBufferPointer<Int>) { self.indices = indices }
    deinit { indices.deallocate() }
}
