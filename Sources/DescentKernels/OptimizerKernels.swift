import CDescentKernels

/// Vectorised optimizer loops (AVX2 when the CPU has it), bit-identical to the plain Swift loops
/// they replace: the same operations per element in the same order, without FMA contraction.
public enum OptimizerKernels {
    /// Plain SGD, optionally with a momentum buffer, for `count` elements:
    /// without `buffer`, `p[i] = p[i] + negativeRate·g[i]`; with it, `b[i] = g[i]` on the first
    /// step (`bufferIsNew`), else `b[i] = b[i]·momentum + oneMinusDampening·g[i]`, then
    /// `p[i] = p[i] + negativeRate·b[i]`. (No weight decay, maximize or Nesterov: callers keep
    /// their Swift loop for those.) Large counts are split over the ``WorkerPool`` by
    /// ``ParallelKernels/forEachRange(count:parts:alignment:_:)`` (disjoint ranges, the caller's
    /// subnormal flushing in every part), so the bits are the same on any number of threads.
    @inlinable @inline(__always)
    public static func sgd<T: KernelScalar>(
        _ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, buffer: UnsafeMutablePointer<T>?, bufferIsNew: Bool,
        count: Int, negativeRate: T, momentum: T, oneMinusDampening: T
    ) -> Bool {
        guard T.self == Float.self || T.self == Double.self else { return false }
        let mode: Int32 = buffer == nil ? 0 : (bufferIsNew ? 1 : 2)
        ParallelKernels.forEachRange(count: count) { range in
            let i = range.lowerBound, p = p + i, g = g + i, b = buffer.map { $0 + i }
            if T.self == Float.self {
                descent_sgd_f32(
                    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self), UnsafeRawPointer(g).assumingMemoryBound(to: Float.self),
                    b.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: Float.self) }, range.count,
                    Float(negativeRate), Float(momentum), Float(oneMinusDampening), mode)
            } else {
                descent_sgd_f64(
                    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Double.self), UnsafeRawPointer(g).assumingMemoryBound(to: Double.self),
                    b.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: Double.self) }, range.count,
                    Double(negativeRate), Double(momentum), Double(oneMinusDampening), mode)
            }
        }
        return true
    }

    /// Plain Adam over `count` Floats with AVX2 (no weight decay, AMSGrad or maximize):
    /// `m = m + w1·(g − m)`, `v = v·β₂ + (w2·g)·g`, `p = p + (negativeStep·m) / (√v / root + ε)`,
    /// lane by lane as DescentOptim's SIMD loop, split over the pool as ``sgd(_:_:buffer:bufferIsNew:count:negativeRate:momentum:oneMinusDampening:)``.
    /// Returns `false` (doing nothing) without AVX2.
    @inlinable
    public static func plainAdamFloat(
        _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
        count: Int, w1: Float, beta2: Float, w2: Float, negativeStep: Float, root: Float, epsilon: Float
    ) -> Bool {
        guard descent_isa_current() >= DESCENT_ISA_AVX2 else { return false }
        ParallelKernels.forEachRange(count: count) { range in
            let i = range.lowerBound
            _ = descent_adam_f32(p + i, g + i, m + i, v + i, range.count, w1, beta2, w2, negativeStep, root, epsilon)
        }
        return true
    }
}
