import DescentKernels

extension Tensor {
    /// 2-D convolution (cross-correlation) of an NCHW input with a bank of filters
    /// (`torch.nn.functional.conv2d`), forward and backward.
    ///
    ///     out[n, o, y, x] = b[o] + Σ_{c, i, j} W[o, c, i, j] · in[n, g·C_in/groups + c, y·s − p + i·d, x·s − p + j·d]
    ///
    /// with zero padding. The kernels are `DescentKernels`' `Convolution2D` (the ones the compiled
    /// step calls): forward, `∂input` and `∂W, ∂b`, each computed only for the inputs that need it.
    ///
    /// - Parameters:
    ///   - input: `[N, C_in, H, W]`.
    ///   - weight: `[C_out, C_in/groups, kH, kW]`, PyTorch's layout.
    ///   - bias: `[C_out]`, or `nil`. The default value is `nil`.
    ///   - stride: The default value is `1`.
    ///   - padding: zeros added on each side. The default value is `0`.
    ///   - dilation: the spacing between kernel elements. The default value is `1`.
    ///   - groups: channel groups (`groups == C_in` is depthwise). The default value is `1`.
    /// - Returns: `[N, C_out, H_out, W_out]` (see `Convolution2DGeometry` for the sizes).
    /// - Throws: ``TensorError/invalidShape(operation:shape:reason:)`` when the shapes do not fit
    ///   together or the geometry is invalid (a size below 1, a kernel larger than the padded input,
    ///   groups that do not divide the channels, sizes that overflow).
    public static func convolution2D(
        _ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Size2D = 1, padding: Size2D = 0,
        dilation: Size2D = 1, groups: Int = 1
    ) throws -> Tensor {
        let operation = "convolution2D"
        guard input.rank == 4 else {
            throw TensorError.invalidShape(operation: operation, shape: input.shape, reason: "the input must be [batch, channels, height, width]")
        }
        guard weight.rank == 4 else {
            throw TensorError.invalidShape(operation: operation, shape: weight.shape, reason: "the weight must be [out channels, in channels / groups, kernel height, kernel width]")
        }
        guard groups >= 1, weight.shape[1] &* groups == input.shape[1] else {
            throw TensorError.invalidShape(
                operation: operation, shape: weight.shape,
                reason: "a weight with \(weight.shape[1]) input channels per group and \(groups) group(s) needs an input with \(weight.shape[1] &* groups) channels, the input \(input.shape) has \(input.shape[1])")
        }
        if let bias, bias.shape != [weight.shape[0]] {
            throw TensorError.invalidShape(operation: operation, shape: bias.shape, reason: "the bias must be [\(weight.shape[0])] for a weight of shape \(weight.shape)")
        }
        let geometry = Convolution2DGeometry(
            batch: input.shape[0], inputChannels: input.shape[1], inputHeight: input.shape[2], inputWidth: input.shape[3],
            outputChannels: weight.shape[0], kernelHeight: weight.shape[2], kernelWidth: weight.shape[3],
            strideHeight: stride.height, strideWidth: stride.width, paddingHeight: padding.height, paddingWidth: padding.width,
            dilationHeight: dilation.height, dilationWidth: dilation.width, groups: groups)
        do { try geometry.validate() } catch {
            throw TensorError.invalidShape(operation: operation, shape: input.shape, reason: error.message)
        }
        let workspace = Tensor(shape: [Convolution2D.forwardWorkspaceCount(geometry)]) { _ in }
        var result = Tensor(shape: [geometry.batch, geometry.outputChannels, geometry.outputHeight, geometry.outputWidth]) { out in
            Scalar.convolution2DForward(
                geometry, input: input.storage.pointer, weight: weight.storage.pointer, bias: bias.map { UnsafePointer($0.storage.pointer) },
                output: out.baseAddress!, workspace: workspace.storage.pointer)
        }
        var inputs = [input, weight]
        if let bias { inputs.append(bias) }
        record(&result, inputs: inputs) { g in
            var grads: [Tensor?] = [nil, nil, nil]
            if input.node != nil {
                let scratch = Tensor(shape: [Convolution2D.inputGradientWorkspaceCount(geometry)]) { _ in }
                grads[0] = Tensor(shape: input.shape) { out in
                    Scalar.convolution2DInputGradient(
                        geometry, outputGradient: g.storage.pointer, weight: weight.storage.pointer,
                        inputGradient: out.baseAddress!, workspace: scratch.storage.pointer)
                }
            }
            let biasNeedsGradient = bias?.node != nil
            if weight.node != nil || biasNeedsGradient {
                let scratch = Tensor(shape: [Convolution2D.parameterGradientWorkspaceCount(geometry)]) { _ in }
                let weightGradient = Tensor(shape: weight.shape) { _ in }
                let biasGradient = biasNeedsGradient ? Tensor(shape: [geometry.outputChannels]) { _ in } : nil
                Scalar.convolution2DParameterGradients(
                    geometry, input: input.storage.pointer, outputGradient: g.storage.pointer,
                    weightGradient: weightGradient.storage.pointer, biasGradient: biasGradient?.storage.pointer,
                    workspace: scratch.storage.pointer)
                if weight.node != nil { grads[1] = weightGradient }
                grads[2] = biasGradient
            }
            return Array(grads.prefix(inputs.count))
        }
        return result
    }
}
