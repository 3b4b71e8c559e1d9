import Testing

@testable import DescentKernels

/// The pooling kernels against direct loops written from PyTorch's definitions (`MaxPool2d`: the
/// window's largest value, padding as −∞, the first maximum's index; `AvgPool2d` with
/// `count_include_pad=True, ceil_mode=False`: the window's sum over `kH·kW`; `AdaptiveAvgPool2d`:
/// windows `⌊i·H/O⌋ ..< ⌈(i+1)·H/O⌉`), with gradients as the adjoint of each map.
@Suite struct PoolingKernelTests {
    static let cases: [Pooling2DGeometry] = [
        .init(batch: 2, channels: 3, inputHeight: 6, inputWidth: 6, kernelHeight: 2, kernelWidth: 2, strideHeight: 2, strideWidth: 2),
        .init(batch: 1, channels: 2, inputHeight: 7, inputWidth: 5, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 1,
              paddingHeight: 1, paddingWidth: 1),
        .init(batch: 2, channels: 1, inputHeight: 9, inputWidth: 8, kernelHeight: 3, kernelWidth: 2, strideHeight: 3, strideWidth: 2,
              paddingHeight: 1, paddingWidth: 1, dilationHeight: 2, dilationWidth: 1),
        .init(batch: 1, channels: 1, inputHeight: 5, inputWidth: 5, kernelHeight: 5, kernelWidth: 5, strideHeight: 1, strideWidth: 1),
    ]

    @Test(arguments: cases) func maxPoolingMatchesTheDirectLoop(_ g: Pooling2DGeometry) throws {
        try g.validate()
        let input = kernelTestValues(g.inputCount, seed: 5), upstream = kernelTestValues(g.outputCount, seed: 6)
        var expected = [Double](), expectedIndices = [Int]()
        var expectedGradient = [Double](repeating: 0, count: g.inputCount)
        let plane = g.inputHeight * g.inputWidth
        for p in 0..<(g.batch * g.channels) {
            for y in 0..<g.outputHeight {
                for x in 0..<g.outputWidth {
                    var best = -Double.infinity, index = -1
                    for i in 0..<g.kernelHeight {
                        for j in 0..<g.kernelWidth {
                            let r = y * g.strideHeight - g.paddingHeight + i * g.dilationHeight
                            let c = x * g.strideWidth - g.paddingWidth + j * g.dilationWidth
                            guard r >= 0, r < g.inputHeight, c >= 0, c < g.inputWidth else { continue }
                            if input[p * plane + r * g.inputWidth + c] > best { best = input[p * plane + r * g.inputWidth + c]; index = r * g.inputWidth + c }
                        }
                    }
                    expectedGradient[p * plane + index] += upstream[expected.count]
                    expected.append(best)
                    expectedIndices.append(index)
                }
            }
        }
        let x = buffer(input, Double.self), u = buffer(upstream, Double.self)
        let out = buffer([Double](repeating: .nan, count: g.outputCount), Double.self)
        let gradient = buffer([Double](repeating: .nan, count: g.inputCount), Double.self)
        let indices = UnsafeMutablePointer<Int>.allocate(capacity: g.outputCount)
        defer { x.deallocate(); u.deallocate(); out.deallocate(); gradient.deallocate(); indices.deallocate() }
        Pooling2D.maxForward(g, input: x, output: out, indices: indices)
        Pooling2D.maxInputGradient(g, outputGradient: u, indices: indices, inputGradient: gradient)
        #expect((0..<g.outputCount).map { out[$0] } == expected)
        #expect((0..<g.outputCount).map { indices[$0] } == expectedIndices)
        #expect((0..<g.inputCount).map { gradient[$0] } == expectedGradient)
    }

    @Test func maxPoolingPropagatesNaNAsPyTorch() {
        let g = Pooling2DGeometry(batch: 1, channels: 1, inputHeight: 2, inputWidth: 2, kernelHeight: 2, kernelWidth: 2, strideHeight: 2, strideWidth: 2)
        let x = buffer([1, .nan, 3, 2], Float.self), out = buffer([0], Float.self)
        let indices = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        defer { x.deallocate(); out.deallocate(); indices.deallocate() }
        Pooling2D.maxForward(g, input: x, output: out, indices: indices)
        #expect(out[0].isNaN && indices[0] == 1)
    }

    @Test(arguments: cases.filter { $0.dilationHeight == 1 && $0.dilationWidth == 1 })
    func averagePoolingMatchesTheDirectLoop(_ g: Pooling2DGeometry) throws {
        try g.validate()
        let input = kernelTestValues(g.inputCount, seed: 7), upstream = kernelTestValues(g.outputCount, seed: 8)
        var expected = [Double]()
        var expectedGradient = [Double](repeating: 0, count: g.inputCount)
        let plane = g.inputHeight * g.inputWidth, divisor = Double(g.kernelHeight * g.kernelWidth)
        for p in 0..<(g.batch * g.channels) {
            for y in 0..<g.outputHeight {
                for x in 0..<g.outputWidth {
                    var total = 0.0
                    for i in 0..<g.kernelHeight {
                        for j in 0..<g.kernelWidth {
                            let r = y * g.strideHeight - g.paddingHeight + i, c = x * g.strideWidth - g.paddingWidth + j
                            guard r >= 0, r < g.inputHeight, c >= 0, c < g.inputWidth else { continue }
                            total += input[p * plane + r * g.inputWidth + c]
                            expectedGradient[p * plane + r * g.inputWidth + c] += upstream[expected.count] / divisor
                        }
                    }
                    expected.append(total / divisor)
                }
            }
        }
        let x = buffer(input, Double.self), u = buffer(upstream, Double.self)
        let out = buffer([Double](repeating: .nan, count: g.outputCount), Double.self)
        let gradient = buffer([Double](repeating: .nan, count: g.inputCount), Double.self)
        defer { x.deallocate(); u.deallocate(); out.deallocate(); gradient.deallocate() }
        Pooling2D.averageForward(g, input: x, output: out)
        Pooling2D.averageInputGradient(g, outputGradient: u, inputGradient: gradient)
        #expect(relativeError((0..<g.outputCount).map { out[$0] }, expected) < 1e-14)
        #expect(relativeError((0..<g.inputCount).map { gradient[$0] }, expectedGradient) < 1e-14)
    }

    @Test(arguments: [(5, 7, 3, 2), (4, 4, 1, 1), (6, 6, 4, 4), (3, 2, 5, 3)])
    func adaptiveAveragePoolingMatchesTheDirectLoop(_ sizes: (Int, Int, Int, Int)) throws {
        let g = AdaptivePooling2DGeometry(batch: 2, channels: 2, inputHeight: sizes.0, inputWidth: sizes.1, outputHeight: sizes.2, outputWidth: sizes.3)
        try g.validate()
        let input = kernelTestValues(g.inputCount, seed: 9), upstream = kernelTestValues(g.outputCount, seed: 10)
        var expected = [Double]()
        var expectedGradient = [Double](repeating: 0, count: g.inputCount)
        let plane = g.inputHeight * g.inputWidth
        for p in 0..<(g.batch * g.channels) {
            for y in 0..<g.outputHeight {
                let r0 = Int((Double(y * g.inputHeight) / Double(g.outputHeight)).rounded(.down))
                let r1 = Int((Double((y + 1) * g.inputHeight) / Double(g.outputHeight)).rounded(.up))
                for x in 0..<g.outputWidth {
                    let c0 = Int((Double(x * g.inputWidth) / Double(g.outputWidth)).rounded(.down))
                    let c1 = Int((Double((x + 1) * g.inputWidth) / Double(g.outputWidth)).rounded(.up))
                    let count = Double((r1 - r0) * (c1 - c0))
                    var total = 0.0
                    for r in r0..<r1 {
                        for c in c0..<c1 {
                            total += input[p * plane + r * g.inputWidth + c]
                            expectedGradient[p * plane + r * g.inputWidth + c] += upstream[expected.count] / count
                        }
                    }
                    expected.append(total / count)
                }
            }
        }
        let x = buffer(input, Double.self), u = buffer(upstream, Double.self)
        let out = buffer([Double](repeating: .nan, count: g.outputCount), Double.self)
        let gradient = buffer([Double](repeating: .nan, count: g.inputCount), Double.self)
        defer { x.deallocate(); u.deallocate(); out.deallocate(); gradient.deallocate() }
        Pooling2D.adaptiveAverageForward(g, input: x, output: out)
        Pooling2D.adaptiveAverageInputGradient(g, outputGradient: u, inputGradient: gradient)
        #expect(relativeError((0..<g.outputCount).map { out[$0] }, expected) < 1e-14)
        #expect(relativeError((0..<g.inputCount).map { gradient[$0] }, expectedGradient) < 1e-14)
    }

    @Test func hostileGeometriesAreErrorsNotTraps() {
        let base = Pooling2DGeometry(batch: 1, channels: 1, inputHeight: 4, inputWidth: 4, kernelHeight: 2, kernelWidth: 2, strideHeight: 2, strideWidth: 2)
        var cases: [(Pooling2DGeometry, String)] = []
        var g = base; g.strideWidth = 0; cases.append((g, "stride width must be at least 1"))
        g = base; g.kernelHeight = 5; cases.append((g, "does not fit"))
        g = base; g.paddingHeight = 2; cases.append((g, "half the kernel"))
        g = base; g.channels = Int.max; cases.append((g, "more elements than memory can address"))
        g = base; g.channels = 0; cases.append((g, "channels must be at least 1"))
        for (geometry, fragment) in cases {
            #expect(throws: KernelGeometryError.self) { try geometry.validate() }
            do { try geometry.validate() } catch { #expect(error.message.contains(fragment), "\(error.message)") }
        }
        let adaptive = AdaptivePooling2DGeometry(batch: 1, channels: 1, inputHeight: 4, inputWidth: 4, outputHeight: 0, outputWidth: 1)
        #expect(throws: KernelGeometryError.self) { try adaptive.validate() }
        let huge = AdaptivePooling2DGeometry(batch: 1, channels: 1, inputHeight: 4, inputWidth: 4, outputHeight: Int.max, outputWidth: 1)
        #expect(throws: KernelGeometryError.self) { try huge.validate() }
    }
}
