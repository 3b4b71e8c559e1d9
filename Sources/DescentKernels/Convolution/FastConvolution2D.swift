import CDescentKernels

/// The fast Float 2-D convolution: im2col into the packed ``GEMM`` (one product per image and
/// group), split across the ``WorkerPool`` by images, over NCHW buffers.
///
/// Layout: NCHW end to end, as the API and model files have it. With the column matrix
/// `[C/groups·kh·kw, OH·OW]` of one image, the product `W·col` is that image's output already in
/// NCHW, so no layout conversion is paid anywhere (small convolutions are dominated by such
/// reorders: pytorch/pytorch#27974); a 1×1 convolution with stride 1 and no padding multiplies the
/// input itself. The column matrix of each part lives in the caller's workspace
/// (``workspaceCount(_:)``), so a compiled step allocates nothing per step.
///
/// Exactness: every output, input-gradient and weight-gradient element is computed by a sequence
/// of operations that depends only on the shape, never on the thread count (images are split
/// between threads; the weight gradient is summed in ``weightGradientChunks`` fixed chunks of
/// images, added in chunk order), so one thread and two give the same bits. The sums run in a
/// different order from a naive loop, so results agree with it to rounding (tested within 1e-5
/// relative in `FastConvolutionTests`).
///
/// PyTorch: `torch.nn.functional.conv2d` on the CPU (`thnn_conv2d`, the im2col + GEMM path).
/// Reference: K. Chellapilla, S. Puri, P. Simard, "High Performance Convolutional Neural Networks
/// for Document Processing" (2006).
enum FastConvolution2D {
    /// The shape of one convolution over a batch (all sizes validated by the caller).
    struct Shape: Sendable, Equatable {
        /// Images in the batch.
        public var batch: Int
        /// Groups: input and output channels are split into this many independent convolutions.
        public var groups: Int
        /// Output channels in all (`groups` × the output channels of one group).
        public var outputChannels: Int
        /// The window of one group: its input channels, the input and output sizes, kernel, stride,
        /// padding and dilation.
        public var window: descent_window_t

        /// The shape of a validated ``Convolution2DGeometry``.
        init(_ g: Convolution2DGeometry) {
            self.init(batch: g.batch, inputChannels: g.inputChannels, inputHeight: g.inputHeight, inputWidth: g.inputWidth,
                      outputChannels: g.outputChannels, kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth,
                      strideHeight: g.strideHeight, strideWidth: g.strideWidth, paddingHeight: g.paddingHeight,
                      paddingWidth: g.paddingWidth, dilationHeight: g.dilationHeight, dilationWidth: g.dilationWidth,
                      groups: g.groups)
        }

        /// A shape from its sizes (the input channels in all; each a positive integer, padding ≥ 0).
        public init(batch: Int, inputChannels: Int, inputHeight: Int, inputWidth: Int, outputChannels: Int,
                    kernelHeight: Int, kernelWidth: Int, strideHeight: Int = 1, strideWidth: Int = 1,
                    paddingHeight: Int = 0, paddingWidth: Int = 0, dilationHeight: Int = 1, dilationWidth: Int = 1,
                    groups: Int = 1) {
            self.batch = batch
            self.groups = groups
            self.outputChannels = outputChannels
            let outputHeight = (inputHeight + 2 * paddingHeight - dilationHeight * (kernelHeight - 1) - 1) / strideHeight + 1
            let outputWidth = (inputWidth + 2 * paddingWidth - dilationWidth * (kernelWidth - 1) - 1) / strideWidth + 1
            window = descent_window_t(
                channels: inputChannels / groups, height: inputHeight, width: inputWidth,
                kernelHeight: kernelHeight, kernelWidth: kernelWidth, strideHeight: strideHeight, strideWidth: strideWidth,
                paddingHeight: paddingHeight, paddingWidth: paddingWidth, dilationHeight: dilationHeight,
                dilationWidth: dilationWidth, outputHeight: outputHeight, outputWidth: outputWidth)
        }

        public static func == (lhs: Shape, rhs: Shape) -> Bool {
            let a = lhs.window, b = rhs.window
            return lhs.batch == rhs.batch && lhs.groups == rhs.groups && lhs.outputChannels == rhs.outputChannels
                && a.channels == b.channels && a.height == b.height && a.width == b.width
                && a.kernelHeight == b.kernelHeight && a.kernelWidth == b.kernelWidth
                && a.strideHeight == b.strideHeight && a.strideWidth == b.strideWidth
                && a.paddingHeight == b.paddingHeight && a.paddingWidth == b.paddingWidth
                && a.dilationHeight == b.dilationHeight && a.dilationWidth == b.dilationWidth
        }

        /// Input values of one image (`C·H·W`).
        public var inputCount: Int { window.channels * groups * window.height * window.width }
        /// Output values of one image (`O·OH·OW`).
        public var outputCount: Int { outputChannels * pixels }
        /// Output pixels of one plane (`OH·OW`).
        public var pixels: Int { window.outputHeight * window.outputWidth }
        /// Rows of one group's column matrix, the depth of its product (`C/groups·kh·kw`).
        public var depth: Int { window.channels * window.kernelHeight * window.kernelWidth }
        /// Output channels of one group.
        public var groupOutputChannels: Int { outputChannels / groups }
        /// Whether the column matrix is the input itself (1×1, stride 1, no padding).
        public var isPointwise: Bool {
            window.kernelHeight == 1 && window.kernelWidth == 1 && window.strideHeight == 1 && window.strideWidth == 1
                && window.paddingHeight == 0 && window.paddingWidth == 0
        }
        /// Scalars of one column matrix (0 for a pointwise convolution).
        var columnCount: Int { isPointwise ? 0 : depth * pixels }
    }

    /// The weight gradient is summed in this many fixed chunks of images (fewer for a smaller
    /// batch), each a sequence of products added with `beta = 1`, then the chunks in order. It
    /// bounds the threads that share the weight gradient, and makes its bits independent of them.
    static let weightGradientChunks = 4

    /// At most this many parts (images split between threads) per call, whatever the thread count,
    /// so that the workspace a caller allocates does not depend on the thread count at the time.
    static let maximumParts = 8

    /// Parts (images split between threads) a call with `workspaceCount` scalars runs in.
    static func parts(_ shape: Shape, workspaceCount: Int, threads: Int, reserved: Int = 0) -> Int {
        let columns = shape.columnCount
        let fit = columns == 0 ? Int.max : Swift.max(0, workspaceCount - reserved) / columns
        return Swift.max(1, Swift.min(shape.batch, threads, fit))
    }

    /// Scalars of workspace ``forward(_:input:weight:bias:output:workspace:workspaceCount:epilogue:)``
    /// and ``inputGradient(_:outputGradient:weight:inputGradient:workspace:workspaceCount:)`` need:
    /// one column matrix per part, at most ``maximumParts`` (0 for a pointwise convolution).
    static func workspaceCount(_ shape: Shape) -> Int {
        Swift.min(shape.batch, maximumParts) * shape.columnCount
    }

    /// Scalars of workspace ``weightGradient(_:input:outputGradient:weightGradient:biasGradient:workspace:workspaceCount:)``
    /// needs: the chunk sums after the first, then one column matrix per chunk (at most one per thread is used).
    static func weightGradientWorkspaceCount(_ shape: Shape) -> Int {
        chunkReserve(shape) + chunkCount(shape) * shape.columnCount
    }

    static func chunkCount(_ shape: Shape) -> Int { Swift.min(shape.batch, weightGradientChunks) }

    /// Scalars of the chunk sums after the first (weights and biases of each).
    static func chunkReserve(_ shape: Shape) -> Int {
        (chunkCount(shape) - 1) * (shape.outputChannels * shape.depth + shape.outputChannels)
    }

    /// `y = conv(x, W) + b` over the batch: `input` `[N, C, H, W]`, `weight` `[O, C/groups, kh, kw]`,
    /// `bias` `[O]` or `nil`, `output` `[N, O, OH, OW]`. `epilogue` `.relu` applies the ReLU as each
    /// block of the product is produced (the bits of the convolution then a ReLU). The default value
    /// is ``GEMM/Epilogue/none``.
    static func forward(
        _ shape: Shape, input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        output: UnsafeMutablePointer<Float>, workspace: UnsafeMutablePointer<Float>?, workspaceCount: Int,
        epilogue: GEMM.Epilogue = .none
    ) {
        let parts = parts(shape, workspaceCount: workspace == nil ? 0 : workspaceCount, threads: Swift.min(WorkerPool.threadCount, maximumParts))
        var window = shape.window
        let groups = shape.groups, groupOut = shape.groupOutputChannels, depth = shape.depth, pixels = shape.pixels
        let inCount = shape.inputCount, outCount = shape.outputCount, columns = shape.columnCount
        let groupInCount = window.channels * window.height * window.width
        WorkerPool.run(parts: parts) { part in
            let col = workspace.map { $0 + part * columns }
            for image in shape.batch * part / parts..<shape.batch * (part + 1) / parts {
                for group in 0..<groups {
                    let x = input + image * inCount + group * groupInCount
                    let y = output + image * outCount + group * groupOut * pixels
                    let b: UnsafePointer<Float>
                    if columns == 0 {
                        b = x
                    } else {
                        descent_im2col_f32(x, &window, col!)
                        b = UnsafePointer(col!)
                    }
                    if let bias { descent_conv_bias_rows_f32(bias + group * groupOut, groupOut, pixels, y) }
                    GEMM.multiply(transposeA: false, transposeB: false, m: groupOut, n: pixels, k: depth, alpha: 1,
                                  a: weight + group * groupOut * depth, lda: depth, b: b, ldb: pixels,
                                  beta: bias == nil ? 0 : 1, c: y, ldc: pixels, epilogue: epilogue)
                }
            }
        }
    }

    /// `∂x` from `∂y`: `outputGradient` `[N, O, OH, OW]`, `weight` `[O, C/groups, kh, kw]`,
    /// `inputGradient` `[N, C, H, W]` (overwritten). Per image and group, `Wᵀ·∂y` into the column
    /// workspace, then scattered back (col2im).
    static func inputGradient(
        _ shape: Shape, outputGradient: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>, workspace: UnsafeMutablePointer<Float>?, workspaceCount: Int
    ) {
        let parts = parts(shape, workspaceCount: workspace == nil ? 0 : workspaceCount, threads: Swift.min(WorkerPool.threadCount, maximumParts))
        var window = shape.window
        let groups = shape.groups, groupOut = shape.groupOutputChannels, depth = shape.depth, pixels = shape.pixels
        let inCount = shape.inputCount, outCount = shape.outputCount, columns = shape.columnCount
        let groupInCount = window.channels * window.height * window.width
        WorkerPool.run(parts: parts) { part in
            let col = workspace.map { $0 + part * columns }
            for image in shape.batch * part / parts..<shape.batch * (part + 1) / parts {
                for group in 0..<groups {
                    let dx = inputGradient + image * inCount + group * groupInCount
                    let dy = outputGradient + image * outCount + group * groupOut * pixels
                    let c = columns == 0 ? dx : col!
                    GEMM.multiply(transposeA: true, transposeB: false, m: depth, n: pixels, k: groupOut, alpha: 1,
                                  a: weight + group * groupOut * depth, lda: depth, b: dy, ldb: pixels,
                                  beta: 0, c: c, ldc: pixels)
                    if columns != 0 {
                        dx.update(repeating: 0, count: groupInCount)
                        descent_col2im_add_f32(c, &window, dx)
                    }
                }
            }
        }
    }

    /// `∂W` (`[O, C/groups, kh, kw]`, overwritten) and `∂b` (`[O]`, overwritten, when given) from
    /// `input` `[N, C, H, W]` and `outputGradient` `[N, O, OH, OW]`: `Σ_images ∂y·colᵀ`, summed in
    /// ``weightGradientChunks`` fixed chunks (split across threads) and then the chunks in order.
    static func weightGradient(
        _ shape: Shape, input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
        weightGradient: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>?,
        workspace: UnsafeMutablePointer<Float>?, workspaceCount: Int
    ) {
        let chunks = chunkCount(shape), reserve = chunkReserve(shape)
        let available = workspace == nil ? 0 : workspaceCount
        let columns = shape.columnCount
        let threads = Swift.min(chunks, WorkerPool.threadCount,
                                columns == 0 ? Int.max : Swift.max(0, available - reserve) / columns)
        let weightCount = shape.outputChannels * shape.depth, outputChannels = shape.outputChannels
        var window = shape.window
        let groups = shape.groups, groupOut = shape.groupOutputChannels, depth = shape.depth, pixels = shape.pixels
        let inCount = shape.inputCount, outCount = shape.outputCount
        let groupInCount = window.channels * window.height * window.width
        // Chunk `c` sums into the gradients themselves (c = 0) or into its slot of the workspace.
        func chunk(_ c: Int, col: UnsafeMutablePointer<Float>?) {
            let base = workspace.map { $0 + (c - 1) * (weightCount + outputChannels) }
            let dw = c == 0 ? weightGradient : base!
            let db = c == 0 ? biasGradient : base! + weightCount
            let first = shape.batch * c / chunks, end = shape.batch * (c + 1) / chunks
            for image in first..<end {
                for group in 0..<groups {
                    let x = input + image * inCount + group * groupInCount
                    let dy = outputGradient + image * outCount + group * groupOut * pixels
                    let b: UnsafePointer<Float>
                    if columns == 0 {
                        b = x
                    } else {
                        descent_im2col_f32(x, &window, col!)
                        b = UnsafePointer(col!)
                    }
                    GEMM.multiply(transposeA: false, transposeB: true, m: groupOut, n: depth, k: pixels, alpha: 1,
                                  a: dy, lda: pixels, b: b, ldb: pixels, beta: image == first ? 0 : 1,
                                  c: dw + group * groupOut * depth, ldc: depth)
                }
                if let db {
                    let dy = outputGradient + image * outCount
                    for channel in 0..<outputChannels {
                        let sum = descent_sum_f32(dy + channel * pixels, pixels)
                        db[channel] = image == first ? sum : db[channel] + sum
                    }
                }
            }
        }
        if threads <= 1 {
            for c in 0..<chunks { chunk(c, col: workspace.map { $0 + reserve }) }
        } else {
            // Chunks in turn over the threads: part t takes chunks t, t + threads, …
            WorkerPool.run(parts: threads) { part in
                var c = part
                while c < chunks {
                    chunk(c, col: workspace! + reserve + part * columns)
                    c += threads
                }
            }
        }
        for c in 1..<Swift.max(chunks, 1) {
            let base = workspace! + (c - 1) * (weightCount + outputChannels)
            ElementKernels.binary(.add, weightGradient, lhsStride: 1, base, rhsStride: 1, weightGradient, count: weightCount)
            if let biasGradient {
                ElementKernels.binary(.add, biasGradient, lhsStride: 1, base + weightCount, rhsStride: 1, biasGradient, count: outputChannels)
            }
        }
    }
}
