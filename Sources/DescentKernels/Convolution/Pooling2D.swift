import CDescentKernels

/// 2-D max, average and adaptive average pooling over raw NCHW buffers, forward and backward, in
/// `Float` and `Double` (`torch.nn.functional.max_pool2d`, `avg_pool2d`, `adaptive_avg_pool2d`).
///
/// The geometry must have passed its `validate()`; the kernels do not check it again. Outputs and
/// input gradients are overwritten. Every loop runs in a fixed order on the calling thread, so the
/// results do not depend on the thread count. The call shapes are stable: a faster kernel replaces
/// the internals, not the signatures.
public enum Pooling2D {
    // MARK: Float

    /// Max pooling in Float: each output is the largest value of its window (a NaN wins, the last
    /// one of the window, as in PyTorch); `indices` receives, per output, the position `h·W_in + w` of that value in its
    /// channel's plane (PyTorch's `return_indices`), which `maxInputGradient` reads.
    /// - Parameters:
    ///   - input: `[N, C, H_in, W_in]`.
    ///   - output: `[N, C, H_out, W_out]`.
    ///   - indices: `[N, C, H_out, W_out]`.
    public static func maxForward(
        _ geometry: Pooling2DGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int>
    ) {
        // The C loop (a 2×2, stride-2 window unrolled), split across the pool by planes.
        let inputPlane = geometry.inputHeight * geometry.inputWidth, outputPlane = geometry.outputHeight * geometry.outputWidth
        let window = geometry.window
        ParallelKernels.forEachRange(count: geometry.batch * geometry.channels,
                                     parts: ParallelKernels.partCount(for: geometry.inputCount), alignment: 1) { planes in
            var window = window
            let first = planes.lowerBound
            descent_max_pool_forward_f32(input + first * inputPlane, &window, planes.count, output + first * outputPlane,
                                         indices + first * outputPlane)
        }
    }

    /// The input gradient of max pooling in Float: each output's gradient added at its argmax.
    public static func maxInputGradient(
        _ geometry: Pooling2DGeometry, outputGradient: UnsafePointer<Float>, indices: UnsafePointer<Int>, inputGradient: UnsafeMutablePointer<Float>
    ) {
        let inputPlane = geometry.inputHeight * geometry.inputWidth, outputPlane = geometry.outputHeight * geometry.outputWidth
        ParallelKernels.forEachRange(count: geometry.batch * geometry.channels,
                                     parts: ParallelKernels.partCount(for: geometry.inputCount), alignment: 1) { planes in
            let first = planes.lowerBound
            descent_max_pool_backward_f32(outputGradient + first * outputPlane, indices + first * outputPlane, planes.count,
                                          inputPlane, outputPlane, inputGradient + first * inputPlane)
        }
    }

    /// Average pooling in Float: each output is its window's sum divided by the window's size
    /// counted with the padding (`count_include_pad=True`); the geometry's dilation must be 1.
    public static func averageForward(_ geometry: Pooling2DGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        averageForwardImplementation(geometry, input: input, output: output)
    }

    /// The input gradient of average pooling in Float: each output's gradient divided by its
    /// window's size and added to every input of the window.
    public static func averageInputGradient(
        _ geometry: Pooling2DGeometry, outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>
    ) {
        averageInputGradientImplementation(geometry, outputGradient: outputGradient, inputGradient: inputGradient)
    }

    /// Adaptive average pooling in Float (see ``AdaptivePooling2DGeometry`` for the windows).
    public static func adaptiveAverageForward(
        _ geometry: AdaptivePooling2DGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        adaptiveAverageForwardImplementation(geometry, input: input, output: output)
    }

    /// The input gradient of adaptive average pooling in Float.
    public static func adaptiveAverageInputGradient(
        _ geometry: AdaptivePooling2DGeometry, outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>
    ) {
        adaptiveAverageInputGradientImplementation(geometry, outputGradient: outputGradient, inputGradient: inputGradient)
    }

    // MARK: Double

    /// Max pooling in Double. See the Float version.
    public static func maxForward(
        _ geometry: Pooling2DGeometry, input: UnsafePointer<Double>, output: UnsafeMutablePointer<Double>, indices: UnsafeMutablePointer<Int>
    ) {
        maxForwardImplementation(geometry, input: input, output: output, indices: indices)
    }

    /// The input gradient of max pooling in Double.
    public static func maxInputGradient(
        _ geometry: Pooling2DGeometry, outputGradient: UnsafePointer<Double>, indices: UnsafePointer<Int>, inputGradient: UnsafeMutablePointer<Double>
    ) {
        maxInputGradientImplementation(geometry, outputGradient: outputGradient, indices: indices, inputGradient: inputGradient)
    }

    /// Average pooling in Double.
    public static func averageForward(_ geometry: Pooling2DGeometry, input: UnsafePointer<Double>, output: UnsafeMutablePointer<Double>) {
        averageForwardImplementation(geometry, input: input, output: output)
    }

    /// The input gradient of average pooling in Double.
    public static func averageInputGradient(
        _ geometry: Pooling2DGeometry, outputGradient: UnsafePointer<Double>, inputGradient: UnsafeMutablePointer<Double>
    ) {
        averageInputGradientImplementation(geometry, outputGradient: outputGradient, inputGradient: inputGradient)
    }

    /// Adaptive average pooling in Double.
    public static func adaptiveAverageForward(
        _ geometry: AdaptivePooling2DGeometry, input: UnsafePointer<Double>, output: UnsafeMutablePointer<Double>
    ) {
        adaptiveAverageForwardImplementation(geometry, input: input, output: output)
    }

    /// The input gradient of adaptive average pooling in Double.
    public static func adaptiveAverageInputGradient(
        _ geometry: AdaptivePooling2DGeometry, outputGradient: UnsafePointer<Double>, inputGradient: UnsafeMutablePointer<Double>
    ) {
        adaptiveAverageInputGradientImplementation(geometry, outputGradient: outputGradient, inputGradient: inputGradient)
    }
}

// MARK: - The reference implementation

extension Pooling2D {
    static func maxForwardImplementation<T: KernelScalar>(
        _ g: Pooling2DGeometry, input: UnsafePointer<T>, output: UnsafeMutablePointer<T>, indices: UnsafeMutablePointer<Int>
    ) {
        let outputHeight = g.outputHeight, outputWidth = g.outputWidth, inputPlane = g.inputHeight * g.inputWidth
        var o = 0
        for plane in 0..<(g.batch * g.channels) {
            let source = input + plane * inputPlane
            for y in 0..<outputHeight {
                for x in 0..<outputWidth {
                    let top = y * g.strideHeight - g.paddingHeight, left = x * g.strideWidth - g.paddingWidth
                    var best = -T.infinity
                    // PyTorch starts from the first in-bounds position of the window.
                    var firstRow = top, firstColumn = left
                    while firstRow < 0 { firstRow += g.dilationHeight }
                    while firstColumn < 0 { firstColumn += g.dilationWidth }
                    var bestIndex = firstRow * g.inputWidth + firstColumn
                    for i in 0..<g.kernelHeight {
                        let row = top + i * g.dilationHeight
                        guard row >= 0 && row < g.inputHeight else { continue }
                        for j in 0..<g.kernelWidth {
                            let column = left + j * g.dilationWidth
                            guard column >= 0 && column < g.inputWidth else { continue }
                            let index = row * g.inputWidth + column
                            let value = source[index]
                            if value > best || value.isNaN {
                                best = value
                                bestIndex = index
                            }
                        }
                    }
                    output[o] = best
                    indices[o] = bestIndex
                    o += 1
                }
            }
        }
    }

    static func maxInputGradientImplementation<T: KernelScalar>(
        _ g: Pooling2DGeometry, outputGradient: UnsafePointer<T>, indices: UnsafePointer<Int>, inputGradient: UnsafeMutablePointer<T>
    ) {
        let inputPlane = g.inputHeight * g.inputWidth, outputPlane = g.outputHeight * g.outputWidth
        inputGradient.update(repeating: 0, count: g.inputCount)
        for plane in 0..<(g.batch * g.channels) {
            let target = inputGradient + plane * inputPlane
            for p in 0..<outputPlane {
                let o = plane * outputPlane + p
                target[indices[o]] += outputGradient[o]
            }
        }
    }

    /// The window `start ..< end` of output `position` along one axis, clipped to the input, and its
    /// size before clipping to the input (but within the padding), PyTorch's divisor.
    @inline(__always)
    static func averageWindow(_ position: Int, stride: Int, padding: Int, kernel: Int, input: Int) -> (start: Int, end: Int, size: Int) {
        let start = position * stride - padding
        let end = Swift.min(start + kernel, input + padding)
        return (Swift.max(start, 0), Swift.min(end, input), end - start)
    }

    static func averageForwardImplementation<T: KernelScalar>(_ g: Pooling2DGeometry, input: UnsafePointer<T>, output: UnsafeMutablePointer<T>) {
        let outputHeight = g.outputHeight, outputWidth = g.outputWidth, inputPlane = g.inputHeight * g.inputWidth
        var o = 0
        for plane in 0..<(g.batch * g.channels) {
            let source = input + plane * inputPlane
            for y in 0..<outputHeight {
                let rows = averageWindow(y, stride: g.strideHeight, padding: g.paddingHeight, kernel: g.kernelHeight, input: g.inputHeight)
                for x in 0..<outputWidth {
                    let columns = averageWindow(x, stride: g.strideWidth, padding: g.paddingWidth, kernel: g.kernelWidth, input: g.inputWidth)
                    var total: T = 0
                    for row in rows.start..<rows.end {
                        for column in columns.start..<columns.end { total += source[row * g.inputWidth + column] }
                    }
                    output[o] = total / T(rows.size * columns.size)
                    o += 1
                }
            }
        }
    }

    static func averageInputGradientImplementation<T: KernelScalar>(
        _ g: Pooling2DGeometry, outputGradient: UnsafePointer<T>, inputGradient: UnsafeMutablePointer<T>
    ) {
        let outputHeight = g.outputHeight, outputWidth = g.outputWidth, inputPlane = g.inputHeight * g.inputWidth
        inputGradient.update(repeating: 0, count: g.inputCount)
        var o = 0
        for plane in 0..<(g.batch * g.channels) {
            let target = inputGradient + plane * inputPlane
            for y in 0..<outputHeight {
                let rows = averageWindow(y, stride: g.strideHeight, padding: g.paddingHeight, kernel: g.kernelHeight, input: g.inputHeight)
                for x in 0..<outputWidth {
                    let columns = averageWindow(x, stride: g.strideWidth, padding: g.paddingWidth, kernel: g.kernelWidth, input: g.inputWidth)
                    let share = outputGradient[o] / T(rows.size * columns.size)
                    for row in rows.start..<rows.end {
                        for column in columns.start..<columns.end { target[row * g.inputWidth + column] += share }
                    }
                    o += 1
                }
            }
        }
    }

    /// `⌊position·input/output⌋ ..< ⌈(position+1)·input/output⌉`, PyTorch's `start_index` and `end_index`.
    @inline(__always)
    static func adaptiveWindow(_ position: Int, input: Int, output: Int) -> Range<Int> {
        let start = (position * input) / output
        let end = ((position + 1) * input + output - 1) / output
        return start..<end
    }

    static func adaptiveAverageForwardImplementation<T: KernelScalar>(
        _ g: AdaptivePooling2DGeometry, input: UnsafePointer<T>, output: UnsafeMutablePointer<T>
    ) {
        let inputPlane = g.inputHeight * g.inputWidth
        var o = 0
        for plane in 0..<(g.batch * g.channels) {
            let source = input + plane * inputPlane
            for y in 0..<g.outputHeight {
                let rows = adaptiveWindow(y, input: g.inputHeight, output: g.outputHeight)
                for x in 0..<g.outputWidth {
                    let columns = adaptiveWindow(x, input: g.inputWidth, output: g.outputWidth)
                    var total: T = 0
                    for row in rows {
                        for column in columns { total += source[row * g.inputWidth + column] }
                    }
                    output[o] = total / T(rows.count * columns.count)
                    o += 1
                }
            }
        }
    }

    static func adaptiveAverageInputGradientImplementation<T: KernelScalar>(
        _ g: AdaptivePooling2DGeometry, outputGradient: UnsafePointer<T>, inputGradient: UnsafeMutablePointer<T>
    ) {
        let inputPlane = g.inputHeight * g.inputWidth
        inputGradient.update(repeating: 0, count: g.inputCount)
        var o = 0
        for plane in 0..<(g.batch * g.channels) {
            let target = inputGradient + plane * inputPlane
            for y in 0..<g.outputHeight {
                let rows = adaptiveWindow(y, input: g.inputHeight, output: g.outputHeight)
                for x in 0..<g.outputWidth {
                    let columns = adaptiveWindow(x, input: g.inputWidth, output: g.outputWidth)
                    let share = outputGradient[o] / T(rows.count * columns.count)
                    for row in rows {
                        for column in columns { target[row * g.inputWidth + column] += share }
                    }
                    o += 1
                }
            }
        }
    }
}

extension Pooling2DGeometry {
    /// The window of one plane for the C pooling loops.
    var window: descent_window_t {
        descent_window_t(
            channels: 1, height: inputHeight, width: inputWidth, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
            strideHeight: strideHeight, strideWidth: strideWidth, paddingHeight: paddingHeight, paddingWidth: paddingWidth,
            dilationHeight: dilationHeight, dilationWidth: dilationWidth, outputHeight: outputHeight, outputWidth: outputWidth)
    }
}
