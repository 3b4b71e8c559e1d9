import Testing

@testable import DescentKernels

/// The convolution kernels (im2col + GEMM) against a naive direct loop written from the definition
/// (PyTorch's `torch.nn.Conv2d` formula: `out[n,o,y,x] = b[o] + Σ_{c,i,j} w[o,c,i,j]·in[n, g·C/g + c, y·s − p + i·d, x·s − p + j·d]`),
/// accumulated in Double: the expected values come from the formula, not from the code under test.
@Suite struct ConvolutionKernelTests {
    static let cases: [Convolution2DGeometry] = [
        .init(batch: 2, inputChannels: 3, inputHeight: 7, inputWidth: 5, outputChannels: 4, kernelHeight: 3, kernelWidth: 3),
        .init(batch: 1, inputChannels: 1, inputHeight: 28, inputWidth: 28, outputChannels: 6, kernelHeight: 5, kernelWidth: 5,
              paddingHeight: 2, paddingWidth: 2),
        .init(batch: 3, inputChannels: 4, inputHeight: 9, inputWidth: 11, outputChannels: 6, kernelHeight: 3, kernelWidth: 2,
              strideHeight: 2, strideWidth: 3, paddingHeight: 1, paddingWidth: 2, dilationHeight: 2, dilationWidth: 1, groups: 2),
        .init(batch: 2, inputChannels: 4, inputHeight: 6, inputWidth: 6, outputChannels: 4, kernelHeight: 3, kernelWidth: 3,
              paddingHeight: 1, paddingWidth: 1, groups: 4),  // depthwise
        .init(batch: 1, inputChannels: 2, inputHeight: 3, inputWidth: 3, outputChannels: 5, kernelHeight: 1, kernelWidth: 1),
        .init(batch: 2, inputChannels: 2, inputHeight: 2, inputWidth: 3, outputChannels: 3, kernelHeight: 4, kernelWidth: 4,
              paddingHeight: 2, paddingWidth: 1),  // kernel larger than the input, made to fit by padding
    ]

    @Test(arguments: cases) func doubleMatchesTheDirectLoop(_ geometry: Convolution2DGeometry) throws {
        try geometry.validate()
        let error = runAndCompare(Double.self, geometry, bias: true)
        #expect(error < 1e-12, "\(geometry): relative error \(error)")
        #expect(runAndCompare(Double.self, geometry, bias: false) < 1e-12)
    }

    @Test(arguments: cases) func floatMatchesTheDirectLoop(_ geometry: Convolution2DGeometry) throws {
        let error = runAndCompare(Float.self, geometry, bias: true)
        #expect(error < 1e-5, "\(geometry): relative error \(error)")
    }

    @Test func hostileGeometriesAreErrorsNotTraps() {
        let base = Convolution2DGeometry(batch: 1, inputChannels: 3, inputHeight: 8, inputWidth: 8, outputChannels: 4, kernelHeight: 3, kernelWidth: 3)
        var cases: [(Convolution2DGeometry, String)] = []
        var g = base; g.inputChannels = 0; cases.append((g, "input channels must be at least 1"))
        g = base; g.outputChannels = 0; cases.append((g, "output channels must be at least 1"))
        g = base; g.strideHeight = 0; cases.append((g, "stride height must be at least 1"))
        g = base; g.dilationWidth = -1; cases.append((g, "dilation width must be at least 1"))
        g = base; g.paddingWidth = -1; cases.append((g, "padding width must be at least 0"))
        g = base; g.groups = 2; cases.append((g, "groups (2) must divide"))
        g = base; g.kernelHeight = 9; cases.append((g, "does not fit the input"))
        g = base; g.outputChannels = Int.max; cases.append((g, "more elements than memory can address"))
        g = base; g.inputChannels = 1 << 40; g.outputChannels = 1 << 40; cases.append((g, "more elements than memory can address"))
        g = base; g.paddingHeight = Int.max / 2 + 1; cases.append((g, "padding height"))
        g = base; g.dilationHeight = Int.max; cases.append((g, "dilated kernel height"))
        for (geometry, fragment) in cases {
            #expect(throws: KernelGeometryError.self) { try geometry.validate() }
            do { try geometry.validate() } catch { #expect(error.message.contains(fragment), "\(error.message)") }
        }
    }

    @Test func outputSizeFollowsPyTorch() {
        // torch.nn.Conv2d(1, 1, 3, stride=2, padding=1, dilation=2) on 10×7: ⌊(10 + 2 − 4 − 1)/2⌋ + 1 = 4, ⌊(7 + 2 − 4 − 1)/2⌋ + 1 = 3.
        let g = Convolution2DGeometry(batch: 1, inputChannels: 1, inputHeight: 10, inputWidth: 7, outputChannels: 1, kernelHeight: 3, kernelWidth: 3,
                                      strideHeight: 2, strideWidth: 2, paddingHeight: 1, paddingWidth: 1, dilationHeight: 2, dilationWidth: 2)
        #expect(g.outputHeight == 4 && g.outputWidth == 3)
    }
}

/// Deterministic values in [−1, 1).
func kernelTestValues(_ count: Int, seed: UInt64) -> [Double] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1
    return (0..<count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double(state >> 11) / Double(1 << 53) * 2 - 1
    }
}

/// `max|a − b| / max|b|`.
func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    let scale = b.map(Swift.abs).max() ?? 0
    let difference = zip(a, b).map { Swift.abs($0 - $1) }.max() ?? 0
    return scale == 0 ? difference : difference / scale
}

/// The direct loops: output, input gradient, weight gradient and bias gradient in Double.
func directConvolution(_ g: Convolution2DGeometry, input: [Double], weight: [Double], bias: [Double]?, upstream: [Double])
    -> (output: [Double], input: [Double], weight: [Double], bias: [Double]) {
    let oh = g.outputHeight, ow = g.outputWidth, cg = g.inputChannelsPerGroup, og = g.outputChannelsPerGroup
    var output = [Double](repeating: 0, count: g.outputCount)
    var gInput = [Double](repeating: 0, count: g.inputCount)
    var gWeight = [Double](repeating: 0, count: g.weightCount)
    var gBias = [Double](repeating: 0, count: g.outputChannels)
    for n in 0..<g.batch {
        for o in 0..<g.outputChannels {
            let group = o / og
            for y in 0..<oh {
                for x in 0..<ow {
                    let outIndex = ((n * g.outputChannels + o) * oh + y) * ow + x
                    var total = bias?[o] ?? 0
                    let u = upstream[outIndex]
                    gBias[o] += u
                    for c in 0..<cg {
                        for i in 0..<g.kernelHeight {
                            for j in 0..<g.kernelWidth {
                                let row = y * g.strideHeight - g.paddingHeight + i * g.dilationHeight
                                let column = x * g.strideWidth - g.paddingWidth + j * g.dilationWidth
                                guard row >= 0, row < g.inputHeight, column >= 0, column < g.inputWidth else { continue }
                                let inIndex = ((n * g.inputChannels + group * cg + c) * g.inputHeight + row) * g.inputWidth + column
                                let wIndex = ((o * cg + c) * g.kernelHeight + i) * g.kernelWidth + j
                                total += weight[wIndex] * input[inIndex]
                                gInput[inIndex] += weight[wIndex] * u
                                gWeight[wIndex] += input[inIndex] * u
                            }
                        }
                    }
                    output[outIndex] = total
                }
            }
        }
    }
    return (output, gInput, gWeight, gBias)
}

/// Runs forward, input gradient and parameter gradients in `T` and returns the largest relative
/// error of the four results against ``directConvolution``.
func runAndCompare<T: ConvolutionScalar>(_ type: T.Type, _ g: Convolution2DGeometry, bias withBias: Bool) -> Double {
    let input = kernelTestValues(g.inputCount, seed: 1).map { Double(T($0)) }
    let weight = kernelTestValues(g.weightCount, seed: 2).map { Double(T($0)) }
    let bias = withBias ? kernelTestValues(g.outputChannels, seed: 3).map { Double(T($0)) } : nil
    let upstream = kernelTestValues(g.outputCount, seed: 4).map { Double(T($0)) }
    let expected = directConvolution(g, input: input, weight: weight, bias: bias, upstream: upstream)
    let x = buffer(input, T.self), w = buffer(weight, T.self), u = buffer(upstream, T.self)
    let b = bias.map { buffer($0, T.self) }
    let output = buffer([Double](repeating: .nan, count: g.outputCount), T.self)
    let gInput = buffer([Double](repeating: .nan, count: g.inputCount), T.self)
    let gWeight = buffer([Double](repeating: .nan, count: g.weightCount), T.self)
    let gBias = buffer([Double](repeating: .nan, count: g.outputChannels), T.self)
    let ws = buffer([Double](repeating: .nan, count: Swift.max(
        Convolution2D.forwardWorkspaceCount(g), Convolution2D.inputGradientWorkspaceCount(g), Convolution2D.parameterGradientWorkspaceCount(g))), T.self)
    defer { for p in [x, w, u, output, gInput, gWeight, gBias, ws] + (b.map { [$0] } ?? []) { p.deallocate() } }
    if T.self == Float.self {
        func f(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> { UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self) }
        Convolution2D.forward(g, input: f(x), weight: f(w), bias: b.map { UnsafePointer(f($0)) }, output: f(output), workspace: f(ws))
        Convolution2D.inputGradient(g, outputGradient: f(u), weight: f(w), inputGradient: f(gInput), workspace: f(ws))
        Convolution2D.parameterGradients(g, input: f(x), outputGradient: f(u), weightGradient: f(gWeight), biasGradient: f(gBias), workspace: f(ws))
    } else {
        func d(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Double> { UnsafeMutableRawPointer(p).assumingMemoryBound(to: Double.self) }
        Convolution2D.forward(g, input: d(x), weight: d(w), bias: b.map { UnsafePointer(d($0)) }, output: d(output), workspace: d(ws))
        Convolution2D.inputGradient(g, outputGradient: d(u), weight: d(w), inputGradient: d(gInput), workspace: d(ws))
        Convolution2D.parameterGradients(g, input: d(x), outputGradient: d(u), weightGradient: d(gWeight), biasGradient: d(gBias), workspace: d(ws))
    }
    func doubles(_ p: UnsafeMutablePointer<T>, _ count: Int) -> [Double] { (0..<count).map { Double(p[$0]) } }
    return [
        relativeError(doubles(output, g.outputCount), expected.output), relativeError(doubles(gInput, g.inputCount), expected.input),
        relativeError(doubles(gWeight, g.weightCount), expected.weight), relativeError(doubles(gBias, g.outputChannels), expected.bias),
    ].max()!
}

/// A freshly allocated buffer holding `values` converted to `T` (the caller deallocates it).
func buffer<T: BinaryFloatingPoint>(_ values: [Double], _ type: T.Type) -> UnsafeMutablePointer<T> {
    let p = UnsafeMutablePointer<T>.allocate(capacity: Swift.max(values.count, 1))
    for (i, v) in values.enumerated() { p[i] = T(v) }
    return p
}
