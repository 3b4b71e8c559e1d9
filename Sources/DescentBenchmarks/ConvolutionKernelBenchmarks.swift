// Convolution kernel benchmarks (issue 17): each convolution and pooling of LeNet-5 (batch 64 and
// 256) and of the CIFAR-shaped CNN (batch 128), forward, input gradient and parameter gradients,
// one and two threads: milliseconds per call and GFLOP/s (2 flops per multiply-add), the profile of
// where a step's time goes.
//
// Paths: kernels/conv/<layer>/<pass>/batch-<b>/threads-<t>, e.g. kernels/conv/lenet5-conv1/forward/batch-64/threads-2.
import DescentKernels

/// `kernels/conv/...` benchmarks.
func convolutionKernelBenchmarks() -> BenchmarkGroup {
    var benchmarks: [Benchmark] = []
    let layers: [(String, [Int], Convolution2DGeometry)] = [
        ("lenet5-conv1", [64, 256], Convolution2DGeometry(batch: 1, inputChannels: 1, inputHeight: 28, inputWidth: 28, outputChannels: 6,
                                                          kernelHeight: 5, kernelWidth: 5, paddingHeight: 2, paddingWidth: 2)),
        ("lenet5-conv2", [64, 256], Convolution2DGeometry(batch: 1, inputChannels: 6, inputHeight: 14, inputWidth: 14, outputChannels: 16,
                                                          kernelHeight: 5, kernelWidth: 5)),
        ("cnn-conv1", [128], Convolution2DGeometry(batch: 1, inputChannels: 3, inputHeight: 32, inputWidth: 32, outputChannels: 32,
                                                   kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1)),
        ("cnn-conv2", [128], Convolution2DGeometry(batch: 1, inputChannels: 32, inputHeight: 16, inputWidth: 16, outputChannels: 64,
                                                   kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1)),
        ("cnn-conv3", [128], Convolution2DGeometry(batch: 1, inputChannels: 64, inputHeight: 8, inputWidth: 8, outputChannels: 128,
                                                   kernelHeight: 3, kernelWidth: 3, paddingHeight: 1, paddingWidth: 1)),
    ]
    for (name, batches, base) in layers {
        for batch in batches {
            for pass in ["forward", "input-gradient", "parameter-gradients"] {
                for threads in [1, 2] {
                    var geometry = base
                    geometry.batch = batch
                    benchmarks.append(Benchmark(path: "kernels/conv/\(name)/\(pass)/batch-\(batch)/threads-\(threads)") { options in
                        convolutionPass(geometry, pass: pass, threads: threads, options: options)
                    })
                }
            }
        }
    }
    let pools: [(String, Pooling2DGeometry)] = [
        ("lenet5-pool1", Pooling2DGeometry(batch: 256, channels: 6, inputHeight: 28, inputWidth: 28, kernelHeight: 2, kernelWidth: 2, strideHeight: 2, strideWidth: 2)),
        ("cnn-pool1", Pooling2DGeometry(batch: 128, channels: 32, inputHeight: 32, inputWidth: 32, kernelHeight: 2, kernelWidth: 2, strideHeight: 2, strideWidth: 2)),
    ]
    for (name, geometry) in pools {
        for threads in [1, 2] {
            benchmarks.append(Benchmark(path: "kernels/conv/\(name)/max-forward-backward/batch-\(geometry.batch)/threads-\(threads)") { options in
                maxPoolPasses(geometry, threads: threads, options: options)
            })
        }
    }
    return BenchmarkGroup(name: "convolution kernels", benchmarks: benchmarks)
}

/// Deterministic values in [−1, 1).
private func benchmarkValues(_ count: Int, seed: Int) -> [Float] {
    (0..<count).map { i in Float((i &* 7919 &+ seed &* 104_729) % 2003) / 1001.5 - 1 }
}

private func convolutionPass(_ g: Convolution2DGeometry, pass: String, threads: Int, options: BenchmarkOptions) -> [String: JSON] {
    let x = benchmarkValues(g.inputCount, seed: 1), w = benchmarkValues(g.weightCount, seed: 2)
    let b = benchmarkValues(g.outputChannels, seed: 3), dy = benchmarkValues(g.outputCount, seed: 4)
    var y = [Float](repeating: 0, count: g.outputCount), dx = [Float](repeating: 0, count: g.inputCount)
    var dw = [Float](repeating: 0, count: g.weightCount), db = [Float](repeating: 0, count: g.outputChannels)
    var work = [Float](repeating: 0, count: Swift.max(Convolution2D.forwardWorkspaceCount(g), Convolution2D.parameterGradientWorkspaceCount(g)))
    let times = GEMM.withMaximumThreadCount(threads) {
        measure(minimumRepetitions: options.quick ? 3 : 20, minimumSeconds: options.quick ? 0.05 : 0.5) {
            work.withUnsafeMutableBufferPointer { work in
                switch pass {
                case "forward":
                    b.withUnsafeBufferPointer { b in
                        Convolution2D.forward(g, input: x, weight: w, bias: b.baseAddress!, output: &y, workspace: work.baseAddress!)
                    }
                case "input-gradient":
                    Convolution2D.inputGradient(g, outputGradient: dy, weight: w, inputGradient: &dx, workspace: work.baseAddress!)
                default:
                    db.withUnsafeMutableBufferPointer { db in
                        Convolution2D.parameterGradients(g, input: x, outputGradient: dy, weightGradient: &dw, biasGradient: db.baseAddress!,
                                                         workspace: work.baseAddress!)
                    }
                }
            }
        }
    }
    let flops: Double = 2.0 * Double(g.batch * g.outputChannels * g.outputPlane * g.patchLength)
    let seconds: Double = median(times)
    return ["millisecondsPerCall": rounded(seconds * 1000, 4), "gflops": rounded(flops / seconds / 1e9, 2),
            "threads": .number(Double(threads)), "checksum": .number(Double(y[0] + dx[0] + dw[0] + db[0]).isFinite ? 0 : 1)]
}

private func maxPoolPasses(_ g: Pooling2DGeometry, threads: Int, options: BenchmarkOptions) -> [String: JSON] {
    let x = benchmarkValues(g.inputCount, seed: 1), dy = benchmarkValues(g.outputCount, seed: 2)
    var y = [Float](repeating: 0, count: g.outputCount), dx = [Float](repeating: 0, count: g.inputCount)
    var indices = [Int](repeating: 0, count: g.outputCount)
    let times = GEMM.withMaximumThreadCount(threads) {
        measure(minimumRepetitions: options.quick ? 3 : 20, minimumSeconds: options.quick ? 0.05 : 0.5) {
            Pooling2D.maxForward(g, input: x, output: &y, indices: &indices)
            Pooling2D.maxInputGradient(g, outputGradient: dy, indices: indices, inputGradient: &dx)
        }
    }
    let seconds = median(times)
    // Bytes moved: x read, dx written, y and dy, the indices written and read.
    let bytes: Int = 8 * g.inputCount + 8 * g.outputCount + 16 * g.outputCount
    let rate: Double = Double(bytes) / seconds / 1e9
    return ["millisecondsPerCall": rounded(seconds * 1000, 4), "gigabytesPerSecond": rounded(rate, 2),
            "threads": .number(Double(threads))]
}
