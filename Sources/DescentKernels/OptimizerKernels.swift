import CDescentKernels

/// Vectorised optimizer loops (AVX2 when the CPU has it), bit-identical to the plain Swift loops
/// they replace: the same operations per element in the same order, without FMA contraction.
public enum OptimizerKernels {
    /// Plain SGD, optionally with a momentum buffer, for `count` elements:
    /// without `buffer`, `p[i] = p[i] + negativeRate·g[i]`; with it, `b[i] = g[i]` on the first
    /// step (`bufferIsNew`), else `b[i] = b[i]·momentum + oneMinusDampening·g[i]`, then
    /// `p[i] = p[i] + negativeRate·b[i]`. (No weight decay, maximize or Nesterov: callers keep
    /// their Swift loop for those.)
    @inlinable @inline(__always)
    public static func sgd<T: KernelScalar>(
        _ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, buffer: UnsafeMutablePointer<T>?, bufferIsNew: Bool,
        count: Int, negativeRate: T, momentum: T, oneMinusDampening: T
    ) -> Bool {
        let mode: Int32 = buffer == nil ? 0 : (bufferIsNew ? 1 : 2)
        if count >= parallelThreshold && WorkerPool.threadCount > 1 {
            ParallelKernels.forEachRange(count: count) { range in
                let i = range.lowerBound
                _ = sgdSerial(p + i, g + i, buffer: buffer.map { $0 + i }, mode: mode, count: range.count,
                              negativeRate: negativeRate, momentum: momentum, oneMinusDampening: oneMinusDampening)
            }
            return T.self == Float.self || T.self == Double.self
        }
        return sgdSerial(p, g, buffer: buffer, mode: mode, count: count, negativeRate: negativeRate,
                         momentum: momentum, oneMinusDampening: oneMinusDampening)
    }

    /// ``sgd(_:_:buffer:bufferIsNew:count:negativeRate:momentum:oneMinusDampening:)`` on the calling thread.
    @inlinable @inline(__always)
    static func sgdSerial<T: KernelScalar>(
        _ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, buffer: UnsafeMutablePointer<T>?, mode: Int32,
        count: Int, negativeRate: T, momentum: T, oneMinusDampening: T
    ) -> Bool {
        if T.self == Float.self {
            descent_sgd_f32(
                UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self), UnsafeRawPointer(g).assumingMemoryBound(to: Float.self),
                buffer.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: Float.self) }, count,
                Float(negativeRate), Float(momentum), Float(oneMinusDampening), mode)
            return true
        }
        if T.self == Double.self {
            descent_sgd_f64(
                UnsafeMutableRawPointer(p).assumingMemoryBound(to: Double.self), UnsafeRawPointer(g).assumingMemoryBound(to: Double.self),
                buffer.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: Double.self) }, count,
                Double(negativeRate), Double(momentum), Double(oneMinusDampening), mode)
            return true
        }
        return false
    }

    /// Plain Adam over `count` Floats with AVX2 (no weight decay, AMSGrad or maximize):
    /// `m = m + w1·(g − m)`, `v = v·β₂ + (w2·g)·g`, `p = p + (negativeStep·m) / (√v / root + ε)`,
    /// lane by lane as DescentOptim's SIMD loop. Returns `false` (doing nothing) without AVX2.
    @inlinable
    public static func plainAdamFloat(
        _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
        count: Int, w1: Float, beta2: Float, w2: Float, negativeStep: Float, root: Float, epsilon: Float
    ) -> Bool {
        if count >= parallelThreshold && WorkerPool.threadCount > 1 && descent_isa_current() >= DESCENT_ISA_AVX2 {
            ParallelKernels.forEachRange(count: count) { range in
                let i = range.lowerBound
                _ = descent_adam_f32(p + i, g + i, m + i, v + i, range.count, w1, beta2, w2, negativeStep, root, epsilon)
            }
            return true
        }
        return descent_adam_f32(p, g, m, v, count, w1, beta2, w2, negativeStep, root, epsilon) != 0
    }

    /// Element counts from which ``sgd(_:_:buffer:bufferIsNew:count:negativeRate:momentum:oneMinusDampening:)``
    /// and ``plainAdamFloat(_:_:_:_:count:w1:beta2:w2:negativeStep:root:epsilon:)`` split the loop
    /// over the ``WorkerPool`` (``ParallelKernels/forEachRange(count:parts:alignment:_:)``): 2¹⁶
    /// (a 784×256 weight has 200,704). Below it a fork-join (about a microsecond) costs more than
    /// half the loop saves. The split is by disjoint ranges and the pool runs every part under the
    /// caller's floating-point control (subnormal flushing), so results are the same bits on any
    /// number of threads.
    public static let parallelThreshold = 1 << 16
}
