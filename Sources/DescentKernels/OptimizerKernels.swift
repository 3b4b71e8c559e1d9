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

    /// Plain Adam over `count` Floats or Doubles (no weight decay, AMSGrad or maximize;
    /// |w1| < 0.5): `m = m + w1·(g − m)`, `v = v·β₂ + (w2·g)·g`,
    /// `p = p + (negativeStep·m) / (√v / root + ε)`, lane by lane as DescentOptim's general loop,
    /// at the current instruction set (AVX-512, AVX2, or the portable vector loop), split over the
    /// pool as ``sgd(_:_:buffer:bufferIsNew:count:negativeRate:momentum:oneMinusDampening:)``.
    /// Returns `false` (doing nothing) for other scalar types.
    @inlinable @inline(__always)
    package static func adam<T: KernelScalar>(
        _ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ m: UnsafeMutablePointer<T>, _ v: UnsafeMutablePointer<T>,
        count: Int, w1: T, beta2: T, w2: T, negativeStep: T, root: T, epsilon: T
    ) -> Bool {
        guard T.self == Float.self || T.self == Double.self else { return false }
        ParallelKernels.forEachRange(count: count) { range in
            let i = range.lowerBound
            if T.self == Float.self {
                _ = descent_adam_f32(
                    cast(p + i), cast(g + i), cast(m + i), cast(v + i), range.count, Float(w1), Float(beta2), Float(w2),
                    Float(negativeStep), Float(root), Float(epsilon))
            } else {
                _ = descent_adam_f64(
                    cast(p + i), cast(g + i), cast(m + i), cast(v + i), range.count, Double(w1), Double(beta2), Double(w2),
                    Double(negativeStep), Double(root), Double(epsilon))
            }
        }
        return true
    }

    /// ``adam(_:_:_:_:count:w1:beta2:w2:negativeStep:root:epsilon:)`` over Floats with AVX2 or
    /// AVX-512; returns `false` (doing nothing) below AVX2, as before the C loop had a portable path.
    @inlinable
    public static func plainAdamFloat(
        _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
        count: Int, w1: Float, beta2: Float, w2: Float, negativeStep: Float, root: Float, epsilon: Float
    ) -> Bool {
        guard descent_isa_current() >= DESCENT_ISA_AVX2 else { return false }
        return adam(p, g, m, v, count: count, w1: w1, beta2: beta2, w2: w2, negativeStep: negativeStep, root: root, epsilon: epsilon)
    }

    /// `pointer` as a pointer to `To` (Float or Double, the type `T` is at run time).
    @inlinable @inline(__always)
    static func cast<From, To>(_ pointer: UnsafeMutablePointer<From>) -> UnsafeMutablePointer<To> {
        UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: To.self)
    }

    @inlinable @inline(__always)
    static func cast<From, To>(_ pointer: UnsafePointer<From>) -> UnsafePointer<To> {
        UnsafeRawPointer(pointer).assumingMemoryBound(to: To.self)
    }
}
