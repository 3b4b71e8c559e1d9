import Testing
@testable import DescentCore

/// The convolution and pooling ops against central differences in Double (`GradientChecker`,
/// h = 1e-6), for every input (image, weight, bias): normwise, `max|a − n| / max|n|` below 1e-8,
/// and elementwise (cs231n's metric) below 1e-5. The elementwise bound is looser than the 1e-7 of
/// `GradientCheckTests` because a convolution's checked scalar sums hundreds of products: its
/// rounding (≈ ε·|f|/h ≈ 1e-8 absolute) is a visible fraction of the smallest gradient entries.
/// (The kernels' exactness is pinned separately, to 1e-12, by `ConvolutionKernelTests`.) Max
/// pooling is checked on random inputs, whose window maxima are far apart compared with h.
struct ConvolutionGradientCheckTests {
    enum Check {
        static func expectGradient(
            _ shapes: [[Int]], sourceLocation: SourceLocation = #_sourceLocation, _ f: ([Tensor<Double>]) -> Tensor<Double>
        ) throws {
            let parameters = shapes.enumerated().map { (name: "p\($0.offset)", value: GradientCheckTests.input($0.element, seed: UInt64($0.offset + 1))) }
            let results = try GradientChecker.check(parameters) { GradientCheckTests.weighted(f($0)) }
            for r in results {
                let scale = r.numeric.map(Swift.abs).max() ?? 0
                let normwise = zip(r.analytic, r.numeric).map { Swift.abs($0 - $1) }.max()! / scale
                #expect(normwise < 1e-8, "\(r.name) \(r.shape): normwise error \(normwise)", sourceLocation: sourceLocation)
                #expect(r.maxRelativeError < 1e-5, "\(r.name) \(r.shape): max relative error \(r.maxRelativeError)", sourceLocation: sourceLocation)
                #expect(scale > 0, "\(r.name): gradient is all zero", sourceLocation: sourceLocation)
            }
        }
    }

    @Test(arguments: [
        (stride: Size2D(1), padding: Size2D(0), dilation: Size2D(1), groups: 1),
        (stride: Size2D(height: 2, width: 1), padding: Size2D(height: 1, width: 2), dilation: Size2D(1), groups: 1),
        (stride: Size2D(2), padding: Size2D(1), dilation: Size2D(height: 2, width: 1), groups: 2),
    ])
    func convolutionWithBias(_ settings: (stride: Size2D, padding: Size2D, dilation: Size2D, groups: Int)) throws {
        try Check.expectGradient([[2, 4, 7, 6], [6, 4 / settings.groups, 3, 2], [6]]) { p in
            try! Tensor.convolution2D(p[0], weight: p[1], bias: p[2], stride: settings.stride, padding: settings.padding,
                                      dilation: settings.dilation, groups: settings.groups)
        }
    }

    @Test func depthwiseConvolutionWithoutBias() throws {
        try Check.expectGradient([[1, 3, 5, 5], [3, 1, 3, 3]]) { p in
            try! Tensor.convolution2D(p[0], weight: p[1], padding: 1, groups: 3)
        }
    }

    @Test func maxPooling() throws {
        try Check.expectGradient([[2, 2, 7, 6]]) { p in try! p[0].maxPool2D(kernelSize: 2) }
        try Check.expectGradient([[1, 2, 7, 9]]) { p in try! p[0].maxPool2D(kernelSize: 3, stride: 2, padding: 1, dilation: 1) }
        try Check.expectGradient([[1, 1, 7, 6]]) { p in try! p[0].maxPool2D(kernelSize: 2, stride: 1, dilation: 2) }
    }

    @Test func averagePooling() throws {
        try Check.expectGradient([[2, 2, 7, 6]]) { p in try! p[0].averagePool2D(kernelSize: 2) }
        try Check.expectGradient([[1, 2, 7, 8]]) { p in try! p[0].averagePool2D(kernelSize: 3, stride: 2, padding: 1) }
    }

    @Test func adaptiveAveragePooling() throws {
        try Check.expectGradient([[2, 3, 5, 7]]) { p in try! p[0].adaptiveAveragePool2D(outputSize: 1) }
        try Check.expectGradient([[1, 2, 7, 5]]) { p in try! p[0].adaptiveAveragePool2D(outputSize: Size2D(height: 3, width: 2)) }
    }

    @Test func aConvolutionalStackEndToEnd() throws {
        // conv → relu → max pool → conv → global average pool: the gradients flow through every op.
        try Check.expectGradient([[2, 1, 8, 8], [3, 1, 3, 3], [3], [4, 3, 2, 2], [4]]) { p in
            let a = try! Tensor.convolution2D(p[0], weight: p[1], bias: p[2], padding: 1).relu()
            let b = try! a.maxPool2D(kernelSize: 2)
            return try! Tensor.convolution2D(b, weight: p[3], bias: p[4]).adaptiveAveragePool2D(outputSize: 1)
        }
    }

    @Test func hostileShapesThrowInsteadOfTrapping() {
        let x = Tensor<Double>(zeros: [1, 2, 4, 4])
        #expect(throws: TensorError.self) { try Tensor.convolution2D(x, weight: Tensor(zeros: [3, 2, 5, 5])) }  // kernel > input
        #expect(throws: TensorError.self) { try Tensor.convolution2D(x, weight: Tensor(zeros: [3, 2, 3, 3]), stride: 0) }
        #expect(throws: TensorError.self) { try Tensor.convolution2D(x, weight: Tensor(zeros: [3, 1, 3, 3]), groups: 3) }
        #expect(throws: TensorError.self) { try Tensor.convolution2D(x, weight: Tensor(zeros: [3, 1, 3, 3]), groups: 0) }
        #expect(throws: TensorError.self) { try Tensor.convolution2D(Tensor<Double>(zeros: [2, 4, 4]), weight: Tensor(zeros: [3, 2, 3, 3])) }
        #expect(throws: TensorError.self) { try Tensor.convolution2D(x, weight: Tensor(zeros: [3, 2, 3, 3]), bias: Tensor(zeros: [2])) }
        #expect(throws: TensorError.self) { try Tensor.convolution2D(x, weight: Tensor(zeros: [3, 2, 1, 1]), padding: Size2D(Int.max / 2)) }
        #expect(throws: TensorError.self) { try x.maxPool2D(kernelSize: 5) }
        #expect(throws: TensorError.self) { try x.maxPool2D(kernelSize: 2, stride: 0) }
        #expect(throws: TensorError.self) { try x.averagePool2D(kernelSize: 2, padding: 2) }
        #expect(throws: TensorError.self) { try x.adaptiveAveragePool2D(outputSize: 0) }
        #expect(throws: TensorError.self) { try x.adaptiveAveragePool2D(outputSize: Size2D(height: Int.max, width: 1)) }
    }
}
