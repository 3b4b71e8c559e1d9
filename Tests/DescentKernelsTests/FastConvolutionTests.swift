import CDescentKernels
import Testing

@testable import DescentKernels

/// FastConvolution2D and FastPooling2D against naive loops written from the definitions
/// (PyTorch's `conv2d` and `max_pool2d` docs), summed in Double: the fast Float kernels sum in a
/// different order, so they agree to rounding (relative 1e-5 of the largest magnitude, a few ulps
/// of a sum of a few hundred terms). A split across two threads gives the same bits as one, and the
/// second thread is shown to have run.
extension KernelTests {
    @Suite
    struct FastConvolutionTests {
        /// Deterministic values in [−1, 1] with exact zeros now and then.
        static func values(_ count: Int, seed: Int) -> [Float] {
            (0..<count).map { i in
                let k = (i &* 7919 &+ seed &* 104_729) % 2003
                return k % 23 == 0 ? 0 : Float(k - 1001) / 1001
            }
        }

        struct Case: CustomTestStringConvertible, Sendable {
            var shape: FastConvolution2D.Shape
            var testDescription: String {
                let w = shape.window
                return "N\(shape.batch) C\(w.channels * shape.groups) \(w.height)x\(w.width) O\(shape.outputChannels) k\(w.kernelHeight)x\(w.kernelWidth) s\(w.strideHeight),\(w.strideWidth) p\(w.paddingHeight),\(w.paddingWidth) d\(w.dilationHeight),\(w.dilationWidth) g\(shape.groups)"
            }
        }

        static let cases: [Case] = [
            // LeNet-5's two convolutions, a CIFAR-shaped 3×3, then strides, padding, dilation, groups,
            // a pointwise convolution, a batch of one, and odd sizes.
            .init(shape: .init(batch: 3, inputChannels: 1, inputHeight: 28, inputWidth: 28, outputChannels: 6, kernelHeight: 5, kernelWidth: 5, paddingHeight: 2, paddingWidth: 2)),
            .init(shape: .init(batch: 5, inputChannels: 6, inputHeight: 14, inputWidth: 14, outputChannels: 16, kernelHeight: 5, kernelWidth: 5)),
            .init(shape: .init(batch: 2, inputChannels: 3, inputHeight: 32, inputWidth: 32, outputChannels: 32, kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1)),
            .init(shape: .init(batch: 3, inputChannels: 4, inputHeight: 11, inputWidth: 9, outputChannels: 5, kernelHeight: 3, kernelWidth: 2, strideHeight: 2, strideWidth: 3, paddingHeight: 1, paddingWidth: 2)),
            .init(shape: .init(batch: 2, inputChannels: 3, inputHeight: 10, inputWidth: 13, outputChannels: 4, kernelHeight: 3, kernelWidth: 3, paddingHeight: 2, paddingWidth: 1, dilationHeight: 2, dilationWidth: 3)),
            .init(shape: .init(batch: 3, inputChannels: 6, inputHeight: 7, inputWidth: 8, outputChannels: 9, kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1, groups: 3)),
            .init(shape: .init(batch: 2, inputChannels: 4, inputHeight: 5, inputWidth: 5, outputChannels: 4, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2, paddingHeight: 1, paddingWidth: 1, groups: 4)),
            .init(shape: .init(batch: 3, inputChannels: 5, inputHeight: 6, inputWidth: 7, outputChannels: 3, kernelHeight: 1, kernelWidth: 1)),
            .init(shape: .init(batch: 1, inputChannels: 2, inputHeight: 5, inputWidth: 3, outputChannels: 3, kernelHeight: 5, kernelWidth: 3)),
            .init(shape: .init(batch: 9, inputChannels: 3, inputHeight: 9, inputWidth: 7, outputChannels: 7, kernelHeight: 4, kernelWidth: 3, strideHeight: 3, strideWidth: 2, paddingHeight: 3, paddingWidth: 0)),
        ]

        /// The naive forward pass in Double: `y[n, o, p, q] = b[o] + Σ x·w` over the group's taps.
        static func naiveForward(_ s: FastConvolution2D.Shape, _ x: [Float], _ w: [Float], _ b: [Float]?) -> [Double] {
            let win = s.window, C = win.channels, H = win.height, W = win.width, OH = win.outputHeight, OW = win.outputWidth
            let go = s.groupOutputChannels
            var y = [Double](repeating: 0, count: s.batch * s.outputCount)
            for n in 0..<s.batch { for o in 0..<s.outputChannels { for p in 0..<OH { for q in 0..<OW {
                let g = o / go
                var sum = b.map { Double($0[o]) } ?? 0
                for c in 0..<C { for i in 0..<win.kernelHeight { for j in 0..<win.kernelWidth {
                    let ih = p * win.strideHeight - win.paddingHeight + i * win.dilationHeight
                    let iw = q * win.strideWidth - win.paddingWidth + j * win.dilationWidth
                    guard ih >= 0, ih < H, iw >= 0, iw < W else { continue }
                    let xv = x[((n * C * s.groups + g * C + c) * H + ih) * W + iw]
                    let wv = w[((o * C + c) * win.kernelHeight + i) * win.kernelWidth + j]
                    sum += Double(xv) * Double(wv)
                }}}
                y[((n * s.outputChannels + o) * OH + p) * OW + q] = sum
            }}}}
            return y
        }

        /// The naive gradients in Double, by the chain rule over the same loop.
        static func naiveBackward(_ s: FastConvolution2D.Shape, _ x: [Float], _ w: [Float], _ dy: [Float]) -> (dx: [Double], dw: [Double], db: [Double]) {
            let win = s.window, C = win.channels, H = win.height, W = win.width, OH = win.outputHeight, OW = win.outputWidth
            let go = s.groupOutputChannels
            var dx = [Double](repeating: 0, count: s.batch * s.inputCount)
            var dw = [Double](repeating: 0, count: w.count), db = [Double](repeating: 0, count: s.outputChannels)
            for n in 0..<s.batch { for o in 0..<s.outputChannels { for p in 0..<OH { for q in 0..<OW {
                let g = o / go, gy = Double(dy[((n * s.outputChannels + o) * OH + p) * OW + q])
                db[o] += gy
                for c in 0..<C { for i in 0..<win.kernelHeight { for j in 0..<win.kernelWidth {
                    let ih = p * win.strideHeight - win.paddingHeight + i * win.dilationHeight
                    let iw = q * win.strideWidth - win.paddingWidth + j * win.dilationWidth
                    guard ih >= 0, ih < H, iw >= 0, iw < W else { continue }
                    let xi = ((n * C * s.groups + g * C + c) * H + ih) * W + iw
                    let wi = ((o * C + c) * win.kernelHeight + i) * win.kernelWidth + j
                    dx[xi] += gy * Double(w[wi])
                    dw[wi] += gy * Double(x[xi])
                }}}
            }}}}
            return (dx, dw, db)
        }

        static func expectClose(_ fast: [Float], _ naive: [Double], _ what: String, _ c: Case) {
            let scale = Swift.max(1, naive.map(Swift.abs).max() ?? 1)
            let worst = zip(fast, naive).map { Swift.abs(Double($0) - $1) }.max() ?? 0
            #expect(fast.count == naive.count)
            #expect(worst <= 1e-5 * scale, "\(what) of \(c.testDescription): largest difference \(worst) (scale \(scale))")
        }

        struct Results: Equatable {
            var y: [UInt32], dx: [UInt32], dw: [UInt32], db: [UInt32]
        }

        /// Every kernel of `c` on `threads` threads.
        static func run(_ c: Case, threads: Int, bias: Bool = true) -> (y: [Float], dx: [Float], dw: [Float], db: [Float]) {
            let s = c.shape
            let x = values(s.batch * s.inputCount, seed: 1), w = values(s.outputChannels * s.depth, seed: 2)
            let b = values(s.outputChannels, seed: 3), dy = values(s.batch * s.outputCount, seed: 4)
            var y = [Float](repeating: .nan, count: dy.count), dx = [Float](repeating: .nan, count: x.count)
            var dw = [Float](repeating: .nan, count: w.count), db = [Float](repeating: .nan, count: b.count)
            GEMM.withMaximumThreadCount(threads) {
                var work = [Float](repeating: .nan, count: Swift.max(FastConvolution2D.workspaceCount(s), FastConvolution2D.weightGradientWorkspaceCount(s)))
                let count = work.count
                work.withUnsafeMutableBufferPointer { work in
                    b.withUnsafeBufferPointer { b in
                        FastConvolution2D.forward(s, input: x, weight: w, bias: bias ? b.baseAddress! : nil, output: &y,
                                                  workspace: work.baseAddress!, workspaceCount: count)
                    }
                    FastConvolution2D.inputGradient(s, outputGradient: dy, weight: w, inputGradient: &dx,
                                                    workspace: work.baseAddress!, workspaceCount: count)
                    db.withUnsafeMutableBufferPointer { db in
                        FastConvolution2D.weightGradient(s, input: x, outputGradient: dy, weightGradient: &dw,
                                                         biasGradient: db.baseAddress!, workspace: work.baseAddress!, workspaceCount: count)
                    }
                }
            }
            return (y, dx, dw, db)
        }

        @Test(arguments: cases)
        func matchesTheNaiveLoops(c: Case) {
            let s = c.shape
            let x = Self.values(s.batch * s.inputCount, seed: 1), w = Self.values(s.outputChannels * s.depth, seed: 2)
            let b = Self.values(s.outputChannels, seed: 3), dy = Self.values(s.batch * s.outputCount, seed: 4)
            let fast = Self.run(c, threads: 1)
            Self.expectClose(fast.y, Self.naiveForward(s, x, w, b), "forward", c)
            let naive = Self.naiveBackward(s, x, w, dy)
            Self.expectClose(fast.dx, naive.dx, "input gradient", c)
            Self.expectClose(fast.dw, naive.dw, "weight gradient", c)
            Self.expectClose(fast.db, naive.db, "bias gradient", c)
            let unbiased = Self.run(c, threads: 1, bias: false)
            Self.expectClose(unbiased.y, Self.naiveForward(s, x, w, nil), "forward without bias", c)
        }

        @Test func twoThreadsGiveTheBitsOfOne() {
            func bits(_ v: [Float]) -> [UInt32] { v.map(\.bitPattern) }
            let before = WorkerPool.partsRunByWorkers
            for c in Self.cases {
                let one = Self.run(c, threads: 1)
                let two = Self.run(c, threads: 2)
                #expect(bits(one.y) == bits(two.y), "forward of \(c.testDescription)")
                #expect(bits(one.dx) == bits(two.dx), "input gradient of \(c.testDescription)")
                #expect(bits(one.dw) == bits(two.dw), "weight gradient of \(c.testDescription)")
                #expect(bits(one.db) == bits(two.db), "bias gradient of \(c.testDescription)")
            }
            // A worker may wake too late for a tiny job (the caller then runs every part): the
            // largest case is repeated until a worker has taken part, a bounded number of times.
            var tries = 0
            while WorkerPool.partsRunByWorkers == before && tries < 50 {
                _ = Self.run(Self.cases[2], threads: 2)
                tries += 1
            }
            #expect(WorkerPool.partsRunByWorkers > before, "a pool worker ran part of the two-thread convolutions")
        }

        /// The C max pooling (2×2 stride 2 unrolled, the general loop otherwise) against the Swift
        /// reference loop it replaces, bit for bit, with ties, NaNs, −∞ and padding; one thread and
        /// two (split by planes).
        @Test(arguments: [
            Pooling2DGeometry(batch: 3, channels: 6, inputHeight: 28, inputWidth: 28, kernelHeight: 2, kernelWidth: 2, strideHeight: 2, strideWidth: 2),
            Pooling2DGeometry(batch: 2, channels: 3, inputHeight: 9, inputWidth: 7, kernelHeight: 2, kernelWidth: 2, strideHeight: 2, strideWidth: 2),
            Pooling2DGeometry(batch: 2, channels: 3, inputHeight: 9, inputWidth: 8, kernelHeight: 3, kernelWidth: 2, strideHeight: 2, strideWidth: 1, paddingHeight: 1, paddingWidth: 1),
            Pooling2DGeometry(batch: 1, channels: 2, inputHeight: 10, inputWidth: 11, kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 3, paddingHeight: 1, paddingWidth: 1, dilationHeight: 2, dilationWidth: 2),
        ])
        func maxPoolingMatchesTheReferenceLoop(geometry: Pooling2DGeometry) throws {
            try geometry.validate()
            var x = Self.values(geometry.inputCount, seed: 5).map { ($0 * 4).rounded() / 4 }  // many ties
            for i in stride(from: 7, to: x.count, by: 53) { x[i] = .nan }
            for i in stride(from: 11, to: x.count, by: 41) { x[i] = -.infinity }
            let dy = Self.values(geometry.outputCount, seed: 6)
            var refY = [Float](repeating: 0, count: geometry.outputCount), refIndex = [Int](repeating: -1, count: geometry.outputCount)
            var refDx = [Float](repeating: 0, count: geometry.inputCount)
            Pooling2D.maxForwardImplementation(geometry, input: x, output: &refY, indices: &refIndex)
            Pooling2D.maxInputGradientImplementation(geometry, outputGradient: dy, indices: refIndex, inputGradient: &refDx)
            for threads in [1, 2] {
                var y = [Float](repeating: 0, count: geometry.outputCount), index = [Int](repeating: -1, count: geometry.outputCount)
                var dx = [Float](repeating: .nan, count: geometry.inputCount)
                GEMM.withMaximumThreadCount(threads) {
                    ThreadSetting.parallelMinimumCount.with(64) {
                        Pooling2D.maxForward(geometry, input: x, output: &y, indices: &index)
                        Pooling2D.maxInputGradient(geometry, outputGradient: dy, indices: index, inputGradient: &dx)
                    }
                }
                #expect(y.map(\.bitPattern) == refY.map(\.bitPattern), "\(geometry), \(threads) threads")
                #expect(index == refIndex)
                #expect(dx.map(\.bitPattern) == refDx.map(\.bitPattern))
            }
        }
    }
}
