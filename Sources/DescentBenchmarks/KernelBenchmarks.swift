// Kernel benchmarks: matrix multiply (GFLOP/s) and elementwise loops (GB/s against memcpy).
import DescentKernels

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `kernels/...` benchmarks.
func kernelBenchmarks() -> BenchmarkGroup {
    var benchmarks: [Benchmark] = []
    for type in ["float", "double"] {
        for size in [256, 512, 1024, 2048] {
            for threads in [1, 2] {
                benchmarks.append(Benchmark(path: "kernels/matmul/\(type)/\(size)/threads-\(threads)") { options in
                    type == "float"
                        ? matmul(Float.self, size: size, threads: threads, options: options)
                        : matmul(Double.self, size: size, threads: threads, options: options)
                })
            }
        }
    }
    // What a CPU without AVX-512 (e.g. Zen 3) gets from the AVX2 kernel.
    for size in [256, 1024] {
        for threads in [1, 2] {
            benchmarks.append(Benchmark(path: "kernels/matmul-avx2/float/\(size)/threads-\(threads)") { options in
                let saved = GEMM.instructionSet
                GEMM.instructionSet = .avx2
                defer { GEMM.instructionSet = saved }
                return matmul(Float.self, size: size, threads: threads, options: options)
            })
        }
    }
    // Shapes of a 784-128-10 MLP training step (batch 1 and 32): latency per call.
    for (m, n, k, transposeA, transposeB) in [
        (1, 10, 784, false, false), (1, 128, 784, false, false), (1, 784, 128, false, true),
        (32, 128, 784, false, false), (784, 128, 32, true, false), (32, 10, 128, false, false),
    ] {
        let label = "\(m)x\(n)x\(k)" + (transposeA ? "-tA" : "") + (transposeB ? "-tB" : "")
        benchmarks.append(Benchmark(path: "kernels/gemm-latency/float/\(label)") { options in
            gemmLatency(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, options: options)
        })
    }
    // The products of a 784-256-128-10 MLP training step at batch 32, 128 and 1024 (W stored
    // [out, in]): forward X·Wᵀ (tB), weight gradient dYᵀ·X (tA), input gradient dY·W.
    // Set DESCENT_GEMM_WORK_PER_THREAD to change when a product is split across threads.
    for batch in [32, 128, 1024] {
        for (m, n, k, transposeA, transposeB) in [
            (batch, 256, 784, false, true), (batch, 128, 256, false, true), (batch, 10, 128, false, true),
            (256, 784, batch, true, false), (128, 256, batch, true, false), (10, 128, batch, true, false),
            (batch, 256, 128, false, false), (batch, 128, 10, false, false),
        ] {
            let label = "\(m)x\(n)x\(k)" + (transposeA ? "-tA" : "") + (transposeB ? "-tB" : "")
            for threads in [1, 2] {
                benchmarks.append(Benchmark(path: "kernels/gemm-mlp/float/\(label)/threads-\(threads)") { options in
                    let saved = GEMM.maximumThreadCount
                    GEMM.maximumThreadCount = threads
                    defer { GEMM.maximumThreadCount = saved }
                    return gemmLatency(
                        m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, options: options)
                })
            }
        }
    }
    // The batch-1024 MLP's elementwise passes with ParallelKernels (threads-1 runs the same
    // call on one thread): ReLU backward + bias gradient on 1024×256, the bias fill, and SGD
    // and Adam on the first layer's 200,704 weights.
    for name in ["relu-column-sums-1024x256", "fill-rows-1024x256", "relu-1024x256", "sgd-200704", "adam-200704"] {
        for threads in [1, 2] {
            benchmarks.append(Benchmark(path: "kernels/parallel/float/\(name)/threads-\(threads)") { options in
                let saved = GEMM.maximumThreadCount
                GEMM.maximumThreadCount = threads
                defer { GEMM.maximumThreadCount = saved }
                return parallelKernel(name, options: options)
            })
        }
    }
    // The data loader's batch gather: 1024 random rows of 784 Floats out of 60,000 (188 MB), with
    // RowGather (prefetching) and with a plain memcpy per row.
    for name in ["gather", "gather-plain"] {
        benchmarks.append(Benchmark(path: "kernels/elementwise/float/\(name)") { options in
            gather(prefetching: name == "gather", options: options)
        })
    }
    for name in ["memcpy", "add", "multiply", "exp", "log", "tanh", "sigmoid", "gelu", "sum"] {
        benchmarks.append(Benchmark(path: "kernels/elementwise/float/\(name)") { options in
            elementwise(name, options: options)
        })
    }
    return BenchmarkGroup(name: "kernels", benchmarks: benchmarks)
}

/// Square `size³` product, `C = A·B`, with `threads` threads: GFLOP/s = 2·size³ / seconds.
private func matmul<T: BinaryFloatingPoint>(
    _ type: T.Type, size: Int, threads: Int, options: BenchmarkOptions
) -> [String: JSON] {
    let savedThreads = GEMM.maximumThreadCount
    GEMM.maximumThreadCount = threads
    defer { GEMM.maximumThreadCount = savedThreads }
    let count = size * size
    let a = UnsafeMutablePointer<T>.allocate(capacity: count)
    let b = UnsafeMutablePointer<T>.allocate(capacity: count)
    let c = UnsafeMutablePointer<T>.allocate(capacity: count)
    defer { a.deallocate(); b.deallocate(); c.deallocate() }
    for i in 0..<count {
        a[i] = T(Double((i * 7) % 13) / 13 - 0.5)
        b[i] = T(Double((i * 5) % 11) / 11 - 0.5)
    }
    let times = measure(minimumRepetitions: options.quick ? 2 : 5, minimumSeconds: options.quick ? 0.1 : 1.0) {
        if T.self == Float.self {
            a.withMemoryRebound(to: Float.self, capacity: count) { a in
                b.withMemoryRebound(to: Float.self, capacity: count) { b in
                    c.withMemoryRebound(to: Float.self, capacity: count) { c in
                        GEMM.multiply(transposeA: false, transposeB: false, m: size, n: size, k: size, alpha: 1,
                                      a: a, lda: size, b: b, ldb: size, beta: 0, c: c, ldc: size)
                    }
                }
            }
        } else {
            a.withMemoryRebound(to: Double.self, capacity: count) { a in
                b.withMemoryRebound(to: Double.self, capacity: count) { b in
                    c.withMemoryRebound(to: Double.self, capacity: count) { c in
                        GEMM.multiply(transposeA: false, transposeB: false, m: size, n: size, k: size, alpha: 1,
                                      a: a, lda: size, b: b, ldb: size, beta: 0, c: c, ldc: size)
                    }
                }
            }
        }
    }
    let flops = 2 * Double(size) * Double(size) * Double(size)
    return [
        "unit": .string("GFLOP/s"),
        "best": rounded(flops / times.min()! / 1e9, 1),
        "median": rounded(flops / median(times) / 1e9, 1),
        "repetitions": .number(Double(times.count)),
        "threads": .number(Double(threads)),
        "size": .number(Double(size)),
        "instructionSet": .string(GEMM.instructionSet.description),
    ]
}

/// Microseconds per call of a Float product (with the current thread count).
private func gemmLatency(
    m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, options: BenchmarkOptions
) -> [String: JSON] {
    let a = UnsafeMutablePointer<Float>.allocate(capacity: m * k)
    let b = UnsafeMutablePointer<Float>.allocate(capacity: k * n)
    let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
    defer { a.deallocate(); b.deallocate(); c.deallocate() }
    for i in 0..<(m * k) { a[i] = Float(i % 17) / 17 }
    for i in 0..<(k * n) { b[i] = Float(i % 19) / 19 }
    let lda = transposeA ? m : k, ldb = transposeB ? k : n
    // Batches of calls so the clock's resolution does not matter.
    let batch = Swift.max(1, 20_000_000 / Swift.max(1, m * n * k))
    let times = measure(minimumRepetitions: options.quick ? 3 : 20, minimumSeconds: options.quick ? 0.05 : 0.5) {
        for _ in 0..<batch {
            GEMM.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
                          a: a, lda: lda, b: b, ldb: ldb, beta: 0, c: c, ldc: n)
        }
    }
    let flops = 2 * Double(m * n * k)
    return [
        "unit": .string("microseconds"),
        "best": rounded(times.min()! / Double(batch) * 1e6),
        "median": rounded(median(times) / Double(batch) * 1e6),
        "gflops": rounded(flops / (times.min()! / Double(batch)) / 1e9, 1),
    ]
}

/// One ParallelKernels call on MLP-sized buffers: microseconds per call.
private func parallelKernel(_ name: String, options: BenchmarkOptions) -> [String: JSON] {
    let rows = 1024, columns = 256, count = name.hasSuffix("200704") ? 200_704 : rows * columns
    let buffers = (0..<5).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: count) }
    defer { for buffer in buffers { buffer.deallocate() } }
    for buffer in buffers {
        for i in 0..<count { buffer[i] = Float(i % 1000) / 1000 - 0.4 }
    }
    let (x, g, out, m, v) = (buffers[0], buffers[1], buffers[2], buffers[3], buffers[4])
    for i in 0..<count { v[i] = Swift.abs(v[i]) }
    let body: () -> Void
    switch name {
    case "relu-column-sums-1024x256":
        body = { ParallelKernels.reluDerivativeWithColumnSums(x: x, upstream: g, out, rows: rows, columns: columns, sums: m) }
    case "fill-rows-1024x256":
        body = { ParallelKernels.fillRows(with: x, out, rows: rows, columns: columns) }
    case "relu-1024x256":
        body = { ParallelKernels.unary(.relu, x, out, count: count) }
    case "sgd-200704":
        body = { _ = OptimizerKernels.sgd(out, g, buffer: nil, bufferIsNew: false, count: count, negativeRate: -1e-9, momentum: 0, oneMinusDampening: 1) }
    default:
        body = { _ = OptimizerKernels.plainAdamFloat(out, g, m, v, count: count, w1: 0.1, beta2: 0.999, w2: 0.001, negativeStep: -1e-9, root: 1, epsilon: 1e-8) }
    }
    let times = measure(minimumRepetitions: options.quick ? 3 : 50, minimumSeconds: options.quick ? 0.05 : 0.3) {
        for _ in 0..<10 { body() }
    }
    return [
        "unit": .string("microseconds"),
        "best": rounded(times.min()! / 10 * 1e6),
        "median": rounded(median(times) / 10 * 1e6),
    ]
}

/// One elementwise operation over 4M Floats (16 MiB per array); GB/s counts bytes read plus written.
private func elementwise(_ name: String, options: BenchmarkOptions) -> [String: JSON] {
    let count = 4 * 1024 * 1024
    let x = UnsafeMutablePointer<Float>.allocate(capacity: count)
    let y = UnsafeMutablePointer<Float>.allocate(capacity: count)
    let out = UnsafeMutablePointer<Float>.allocate(capacity: count)
    defer { x.deallocate(); y.deallocate(); out.deallocate() }
    for i in 0..<count {
        x[i] = Float(i % 1000) / 100 - 5
        y[i] = Float(i % 777) / 777 + 0.5
    }
    var arrays = 2  // arrays touched: inputs read plus the output written
    var sink: Float = 0
    let body: () -> Void
    switch name {
    case "memcpy": body = { memcpy(out, x, count * MemoryLayout<Float>.stride) }
    case "add":
        arrays = 3
        body = { ElementKernels.binary(.add, x, lhsStride: 1, y, rhsStride: 1, out, count: count) }
    case "multiply":
        arrays = 3
        body = { ElementKernels.binary(.multiply, x, lhsStride: 1, y, rhsStride: 1, out, count: count) }
    case "exp": body = { ElementKernels.unary(.exp, x, out, count: count) }
    case "log": body = { ElementKernels.unary(.log, y, out, count: count) }
    case "tanh": body = { ElementKernels.unary(.tanh, x, out, count: count) }
    case "sigmoid": body = { ElementKernels.unary(.sigmoid, x, out, count: count) }
    case "gelu": body = { ElementKernels.unary(.gelu, x, out, count: count) }
    case "sum":
        arrays = 1
        body = { ElementKernels.reduce(.sum, x, outer: 1, length: count, inner: 1, out); sink += out[0] }
    default: fatalError("unknown elementwise benchmark \(name)")
    }
    let times = measure(minimumRepetitions: options.quick ? 3 : 10, minimumSeconds: options.quick ? 0.05 : 0.5, body)
    let bytes = Double(arrays * count * MemoryLayout<Float>.stride)
    return [
        "unit": .string("GB/s"),
        "best": rounded(bytes / times.min()! / 1e9, 2),
        "median": rounded(bytes / median(times) / 1e9, 2),
        "milliseconds": rounded(times.min()! * 1e3),
        "count": .number(Double(count)),
        "sink": .number(sink.isFinite ? 0 : 1),
    ]
}

/// 1024 rows of 784 Floats gathered at random from 60,000 (a new index set each call, as the
/// loader's shuffled batches are): GB/s of rows copied, and microseconds per batch.
private func gather(prefetching: Bool, options: BenchmarkOptions) -> [String: JSON] {
    let rows = 60_000, width = 784, batch = 1024, rowBytes = width * MemoryLayout<Float>.stride
    let source = UnsafeMutablePointer<Float>.allocate(capacity: rows * width)
    let destination = UnsafeMutablePointer<Float>.allocate(capacity: batch * width)
    defer { source.deallocate(); destination.deallocate() }
    for i in 0..<(rows * width) { source[i] = Float(i % 1000) }
    var state: UInt64 = 42
    let indexSets: [[Int]] = (0..<64).map { _ in
        (0..<batch).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(rows))
        }
    }
    var call = 0
    let times = measure(minimumRepetitions: options.quick ? 3 : 20, minimumSeconds: options.quick ? 0.05 : 0.5) {
        indexSets[call % indexSets.count].withUnsafeBufferPointer { indices in
            if prefetching {
                RowGather.copyRows(from: source, rowBytes: rowBytes, indices: indices, to: destination)
            } else {
                for (position, index) in indices.enumerated() {
                    memcpy(destination + position * width, source + index * width, rowBytes)
                }
            }
        }
        call += 1
    }
    let bytes = Double(batch * rowBytes)
    return [
        "unit": .string("GB/s"),
        "best": rounded(bytes / times.min()! / 1e9, 2),
        "median": rounded(bytes / median(times) / 1e9, 2),
        "microseconds": rounded(median(times) * 1e6),
    ]
}
