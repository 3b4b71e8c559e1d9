/// 2-D convolution (cross-correlation, as every deep-learning library computes it) over raw NCHW
/// buffers, forward and backward, in `Float` and `Double` (`torch.nn.functional.conv2d` and its
/// two backward functions).
///
/// The buffers are laid out as ``Convolution2DGeometry`` states; each function also takes a
/// caller-allocated workspace of the size its `…WorkspaceCount` function gives, so a training step
/// can allocate every buffer once. The geometry must have passed ``Convolution2DGeometry/validate()``;
/// the kernels do not check it again (a geometry that fails validation is a bug in the caller).
///
/// This is the reference implementation: per sample, the input patches are copied into a column
/// matrix (im2col, `[C_in·kH·kW, H_out·W_out]`, rows of one group contiguous) and each group is one
/// ``GEMM/multiply(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:epilogue:)``:
///
///     output_g = W_g · columns_g                     ([C_out/g, K] · [K, P], K = (C_in/g)·kH·kW, P = H_out·W_out)
///     ∂columns_g = W_gᵀ · ∂output_g, then col2im     (the overlapping patches summed back into ∂input)
///     ∂W_g += ∂output_g · columns_gᵀ                  (summed over the batch)
///     ∂b[o] = Σ_{n, p} ∂output[n, o, p]
///
/// Chellapilla, Puri & Simard, *High Performance Convolutional Neural Networks for Document
/// Processing*, 2006 (the unrolling); PyTorch's `slow_conv2d` (`thnn_conv2d`) computes the same.
/// The call shapes are stable: a faster kernel replaces the internals, not the signatures.
public enum Convolution2D {
    // MARK: Workspace sizes

    /// The elements of workspace `forward` needs: for Double one sample's column matrix,
    /// `C_in·kH·kW·H_out·W_out`; for Float (``FastConvolution2D``) one column matrix of one group per
    /// part the batch is split into (at most 8, whatever the thread count). The larger of the two.
    public static func forwardWorkspaceCount(_ geometry: Convolution2DGeometry) -> Int {
        Swift.max(columnCount(geometry), FastConvolution2D.workspaceCount(.init(geometry)))
    }

    /// The elements of workspace `inputGradient`
    /// needs: as ``forwardWorkspaceCount(_:)``.
    public static func inputGradientWorkspaceCount(_ geometry: Convolution2DGeometry) -> Int {
        Swift.max(columnCount(geometry), FastConvolution2D.workspaceCount(.init(geometry)))
    }

    /// The elements of workspace `parameterGradients`
    /// needs: for Double one sample's column matrix; for Float the sums of up to three chunks of the
    /// batch after the first and a column matrix per chunk (``FastConvolution2D``).
    public static func parameterGradientWorkspaceCount(_ geometry: Convolution2DGeometry) -> Int {
        Swift.max(columnCount(geometry), FastConvolution2D.weightGradientWorkspaceCount(.init(geometry)))
    }

    static func columnCount(_ geometry: Convolution2DGeometry) -> Int {
        geometry.inputChannels * geometry.kernelHeight * geometry.kernelWidth * geometry.outputPlane
    }

    // MARK: Float

    /// `output = conv2d(input, weight) + bias` in Float; `output` is overwritten.
    /// - Parameters:
    ///   - geometry: the sizes, already validated.
    ///   - input: `[N, C_in, H_in, W_in]`.
    ///   - weight: `[C_out, C_in/groups, kH, kW]`.
    ///   - bias: `[C_out]`, or `nil` for none.
    ///   - output: `[N, C_out, H_out, W_out]`; may hold garbage.
    ///   - workspace: ``forwardWorkspaceCount(_:)`` elements; contents undefined afterwards.
    ///   - epilogue: `.relu` applies a ReLU to the output as the product produces it (the bits of
    ///     the convolution followed by ``ElementKernels``' ReLU). The default value is `.none`.
    ///
    /// Float runs ``FastConvolution2D`` (split across the ``WorkerPool`` by images; the same bits
    /// for any thread count).
    public static func forward(
        _ geometry: Convolution2DGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, workspace: UnsafeMutablePointer<Float>,
        epilogue: GEMM.Epilogue = .none
    ) {
        let shape = FastConvolution2D.Shape(geometry)
        FastConvolution2D.forward(shape, input: input, weight: weight, bias: bias, output: output, workspace: workspace,
                                  workspaceCount: FastConvolution2D.workspaceCount(shape), epilogue: epilogue)
    }

    /// `∂input` from `∂output` in Float; `inputGradient` is overwritten.
    /// - Parameters:
    ///   - outputGradient: `[N, C_out, H_out, W_out]`.
    ///   - weight: `[C_out, C_in/groups, kH, kW]`.
    ///   - inputGradient: `[N, C_in, H_in, W_in]`; may hold garbage.
    ///   - workspace: ``inputGradientWorkspaceCount(_:)`` elements.
    public static func inputGradient(
        _ geometry: Convolution2DGeometry, outputGradient: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>, workspace: UnsafeMutablePointer<Float>
    ) {
        let shape = FastConvolution2D.Shape(geometry)
        FastConvolution2D.inputGradient(shape, outputGradient: outputGradient, weight: weight, inputGradient: inputGradient,
                                        workspace: workspace, workspaceCount: FastConvolution2D.workspaceCount(shape))
    }

    /// `∂weight` (and `∂bias`) from the input and `∂output` in Float, summed over the batch; both
    /// are overwritten.
    /// - Parameters:
    ///   - input: `[N, C_in, H_in, W_in]`.
    ///   - outputGradient: `[N, C_out, H_out, W_out]`.
    ///   - weightGradient: `[C_out, C_in/groups, kH, kW]`; may hold garbage.
    ///   - biasGradient: `[C_out]`, or `nil` to skip it.
    ///   - workspace: ``parameterGradientWorkspaceCount(_:)`` elements.
    public static func parameterGradients(
        _ geometry: Convolution2DGeometry, input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
        weightGradient: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>?, workspace: UnsafeMutablePointer<Float>
    ) {
        let shape = FastConvolution2D.Shape(geometry)
        FastConvolution2D.weightGradient(shape, input: input, outputGradient: outputGradient, weightGradient: weightGradient,
                                         biasGradient: biasGradient, workspace: workspace,
                                         workspaceCount: FastConvolution2D.weightGradientWorkspaceCount(shape))
    }

    // MARK: Double

    /// `output = conv2d(input, weight) + bias` in Double. See the Float version.
    public static func forward(
        _ geometry: Convolution2DGeometry, input: UnsafePointer<Double>, weight: UnsafePointer<Double>,
        bias: UnsafePointer<Double>?, output: UnsafeMutablePointer<Double>, workspace: UnsafeMutablePointer<Double>
    ) {
        forwardImplementation(geometry, input: input, weight: weight, bias: bias, output: output, workspace: workspace)
    }

    /// `∂input` from `∂output` in Double. See the Float version.
    public static func inputGradient(
        _ geometry: Convolution2DGeometry, outputGradient: UnsafePointer<Double>, weight: UnsafePointer<Double>,
        inputGradient: UnsafeMutablePointer<Double>, workspace: UnsafeMutablePointer<Double>
    ) {
        inputGradientImplementation(geometry, outputGradient: outputGradient, weight: weight, inputGradient: inputGradient, workspace: workspace)
    }

    /// `∂weight` and `∂bias` in Double. See the Float version.
    public static func parameterGradients(
        _ geometry: Convolution2DGeometry, input: UnsafePointer<Double>, outputGradient: UnsafePointer<Double>,
        weightGradient: UnsafeMutablePointer<Double>, biasGradient: UnsafeMutablePointer<Double>?, workspace: UnsafeMutablePointer<Double>
    ) {
        parameterGradientsImplementation(
            geometry, input: input, outputGradient: outputGradient, weightGradient: weightGradient,
            biasGradient: biasGradient, workspace: workspace)
    }
}

// MARK: - The reference implementation

/// The element types the convolution kernels are written for, with the product they call.
protocol ConvolutionScalar: KernelScalar {
    static func convolutionProduct(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
}

extension Float: ConvolutionScalar {
    @inline(__always)
    static func convolutionProduct(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        GEMM.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
                      a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
}

extension Double: ConvolutionScalar {
    @inline(__always)
    static func convolutionProduct(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        GEMM.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
                      a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
}

extension Convolution2D {
    /// One sample's patches as columns: row `(c·kH + i)·kW + j`, column `y·W_out + x` holds
    /// `input[c, y·sH − pH + i·dH, x·sW − pW + j·dW]`, or 0 in the padding.
    @inline(__always)
    static func unfold<T: ConvolutionScalar>(_ g: Convolution2DGeometry, sample: UnsafePointer<T>, columns: UnsafeMutablePointer<T>) {
        let outputHeight = g.outputHeight, outputWidth = g.outputWidth
        var row = columns
        for channel in 0..<g.inputChannels {
            let plane = sample + channel * g.inputPlane
            for i in 0..<g.kernelHeight {
                for j in 0..<g.kernelWidth {
                    let rowOffset = i * g.dilationHeight - g.paddingHeight
                    let columnOffset = j * g.dilationWidth - g.paddingWidth
                    for y in 0..<outputHeight {
                        let out = row + y * outputWidth
                        let inputRow = y * g.strideHeight + rowOffset
                        guard inputRow >= 0 && inputRow < g.inputHeight else {
                            out.update(repeating: 0, count: outputWidth)
                            continue
                        }
                        let source = plane + inputRow * g.inputWidth
                        for x in 0..<outputWidth {
                            let inputColumn = x * g.strideWidth + columnOffset
                            out[x] = inputColumn >= 0 && inputColumn < g.inputWidth ? source[inputColumn] : 0
                        }
                    }
                    row += outputHeight * outputWidth
                }
            }
        }
    }

    /// The inverse scatter of ``unfold(_:sample:columns:)``: each column entry added to the input
    /// position it was read from (`sample` is overwritten; padding entries are dropped).
    @inline(__always)
    static func fold<T: ConvolutionScalar>(_ g: Convolution2DGeometry, columns: UnsafePointer<T>, sample: UnsafeMutablePointer<T>) {
        let outputHeight = g.outputHeight, outputWidth = g.outputWidth
        sample.update(repeating: 0, count: g.inputChannels * g.inputPlane)
        var row = columns
        for channel in 0..<g.inputChannels {
            let plane = sample + channel * g.inputPlane
            for i in 0..<g.kernelHeight {
                for j in 0..<g.kernelWidth {
                    let rowOffset = i * g.dilationHeight - g.paddingHeight
                    let columnOffset = j * g.dilationWidth - g.paddingWidth
                    for y in 0..<outputHeight {
                        let inputRow = y * g.strideHeight + rowOffset
                        guard inputRow >= 0 && inputRow < g.inputHeight else { continue }
                        let source = row + y * outputWidth
                        let target = plane + inputRow * g.inputWidth
                        for x in 0..<outputWidth {
                            let inputColumn = x * g.strideWidth + columnOffset
                            if inputColumn >= 0 && inputColumn < g.inputWidth { target[inputColumn] += source[x] }
                        }
                    }
                    row += outputHeight * outputWidth
                }
            }
        }
    }

    static func forwardImplementation<T: ConvolutionScalar>(
        _ g: Convolution2DGeometry, input: UnsafePointer<T>, weight: UnsafePointer<T>, bias: UnsafePointer<T>?,
        output: UnsafeMutablePointer<T>, workspace: UnsafeMutablePointer<T>
    ) {
        let plane = g.outputPlane, patch = g.patchLength, perGroup = g.outputChannelsPerGroup
        for n in 0..<g.batch {
            unfold(g, sample: input + n * g.inputChannels * g.inputPlane, columns: workspace)
            let sampleOutput = output + n * g.outputChannels * plane
            if let bias {
                // Start from the bias, then accumulate the product into it (beta = 1), as Linear does.
                for o in 0..<g.outputChannels { (sampleOutput + o * plane).update(repeating: bias[o], count: plane) }
            }
            for group in 0..<g.groups {
                T.convolutionProduct(
                    transposeA: false, transposeB: false, m: perGroup, n: plane, k: patch,
                    a: weight + group * perGroup * patch, lda: patch,
                    b: workspace + group * patch * plane, ldb: plane,
                    beta: bias == nil ? 0 : 1, c: sampleOutput + group * perGroup * plane, ldc: plane)
            }
        }
    }

    static func inputGradientImplementation<T: ConvolutionScalar>(
        _ g: Convolution2DGeometry, outputGradient: UnsafePointer<T>, weight: UnsafePointer<T>,
        inputGradient: UnsafeMutablePointer<T>, workspace: UnsafeMutablePointer<T>
    ) {
        let plane = g.outputPlane, patch = g.patchLength, perGroup = g.outputChannelsPerGroup
        for n in 0..<g.batch {
            let sampleGradient = outputGradient + n * g.outputChannels * plane
            for group in 0..<g.groups {
                T.convolutionProduct(
                    transposeA: true, transposeB: false, m: patch, n: plane, k: perGroup,
                    a: weight + group * perGroup * patch, lda: patch,
                    b: sampleGradient + group * perGroup * plane, ldb: plane,
                    beta: 0, c: workspace + group * patch * plane, ldc: plane)
            }
            fold(g, columns: workspace, sample: inputGradient + n * g.inputChannels * g.inputPlane)
        }
    }

    static func parameterGradientsImplementation<T: ConvolutionScalar>(
        _ g: Convolution2DGeometry, input: UnsafePointer<T>, outputGradient: UnsafePointer<T>,
        weightGradient: UnsafeMutablePointer<T>, biasGradient: UnsafeMutablePointer<T>?, workspace: UnsafeMutablePointer<T>
    ) {
        let plane = g.outputPlane, patch = g.patchLength, perGroup = g.outputChannelsPerGroup
        for n in 0..<g.batch {
            unfold(g, sample: input + n * g.inputChannels * g.inputPlane, columns: workspace)
            let sampleGradient = outputGradient + n * g.outputChannels * plane
            for group in 0..<g.groups {
                T.convolutionProduct(
                    transposeA: false, transposeB: true, m: perGroup, n: patch, k: plane,
                    a: sampleGradient + group * perGroup * plane, lda: plane,
                    b: workspace + group * patch * plane, ldb: plane,
                    beta: n == 0 ? 0 : 1, c: weightGradient + group * perGroup * patch, ldc: patch)
            }
        }
        guard let biasGradient else { return }
        // Summed in a fixed order (samples, then positions), so the result does not depend on threads.
        for o in 0..<g.outputChannels {
            var total: T = 0
            for n in 0..<g.batch {
                let values = outputGradient + (n * g.outputChannels + o) * plane
                for p in 0..<plane { total += values[p] }
            }
            biasGradient[o] = total
        }
    }
}
