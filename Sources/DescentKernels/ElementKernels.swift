import CDescentKernels
import RealModule

/// Scalar types the kernels are written for (`Float`, `Double`).
public protocol KernelScalar: BinaryFloatingPoint, Real {}
extension Float: KernelScalar {}
extension Double: KernelScalar {}

/// Loops over contiguous buffers. Each function switches on the operation once, outside the
/// loop, and is `@inlinable` so that it is specialised and inlined into the concrete
/// `Float`/`Double` call sites of other modules: the loops are compiled for the concrete type
/// (no per-element dispatch or closure call).
///
/// Float `exp`, `log`, `tanh` and `sigmoid` use vectorised AVX2 + FMA code (AVX-512 for exp, tanh
/// and sigmoid where available; `exp`, `log`, `tanh` within 2 ulp and `sigmoid` within 2.5 ulp of the
/// correctly rounded result, IEEE special values preserved) when the CPU has it; Double keeps
/// libm for exact-ish gradient checks. Float `sum` adds eight-lane partial sums per block of
/// 1024 and the block totals in Double.
public enum ElementKernels {
    /// `out[i] = op(x[i])` for `i` in `0..<n`. `out` may be `x` (in place).
    ///
    /// - Parameters:
    ///   - operation: The function to apply.
    ///   - x: `n` inputs. - out: `n` outputs. - n: The element count.
    @inlinable @inline(__always)
    public static func unary<T: KernelScalar>(
        _ operation: UnaryOperation, _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, count n: Int
    ) {
        if T.self == Float.self, let vectorised = vectorisedFloatFunction(operation) {
            // Resolved at specialisation: the Float instantiation calls the C kernel directly.
            vectorised(
                UnsafeRawPointer(x).assumingMemoryBound(to: Float.self),
                UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self), n)
            return
        }
        switch operation {
        case .negate: for i in 0..<n { out[i] = -x[i] }
        case .exp: for i in 0..<n { out[i] = T.exp(x[i]) }
        case .log: for i in 0..<n { out[i] = T.log(x[i]) }
        case .log1p: for i in 0..<n { out[i] = T.log(onePlus: x[i]) }
        case .sqrt: for i in 0..<n { out[i] = x[i].squareRoot() }
        case .abs: for i in 0..<n { out[i] = Swift.abs(x[i]) }
        case .sign: for i in 0..<n { let v = x[i]; out[i] = v > 0 ? 1 : (v < 0 ? -1 : (v.isNaN ? v : 0)) }
        case .sigmoid:
            // Stable form: 1/(1+e^{-x}) for x ≥ 0, e^{x}/(1+e^{x}) for x < 0.
            for i in 0..<n {
                let v = x[i]
                if v >= 0 { out[i] = 1 / (1 + T.exp(-v)) } else { let e = T.exp(v); out[i] = e / (1 + e) }
            }
        case .tanh: for i in 0..<n { out[i] = T.tanh(x[i]) }
        case .relu: for i in 0..<n { let v = x[i]; out[i] = v > 0 ? v : (v.isNaN ? v : 0) }
        case .square: for i in 0..<n { out[i] = x[i] * x[i] }
        case .reciprocal: for i in 0..<n { out[i] = 1 / x[i] }
        case .power(let p):
            let e = T(p)
            if p == 2 { for i in 0..<n { out[i] = x[i] * x[i] } }
            else if p == 1 { for i in 0..<n { out[i] = x[i] } }
            else if p == 0.5 { for i in 0..<n { out[i] = x[i].squareRoot() } }
            // Integer exponents use pow(x, n), which is defined for negative x (pow(x, y) is not).
            else if p == p.rounded(), Swift.abs(p) < 1e9 { let k = Int(p); for i in 0..<n { out[i] = T.pow(x[i], k) } }
            else { for i in 0..<n { out[i] = T.pow(x[i], e) } }
        case .leakyReLU(let s):
            let slope = T(s)
            for i in 0..<n { let v = x[i]; out[i] = v > 0 ? v : slope * v }
        case .clamp(let lo, let hi):
            let lower = T(lo), upper = T(hi)
            for i in 0..<n { let v = x[i]; out[i] = v.isNaN ? v : Swift.min(Swift.max(v, lower), upper) }
        case .gelu:
            let invSqrt2 = 1 / T.sqrt(2)
            for i in 0..<n { let v = x[i]; out[i] = v / 2 * (1 + T.erf(v * invSqrt2)) }
        case .scale(let c):
            let s = T(c)
            for i in 0..<n { out[i] = x[i] * s }
        case .addScalar(let c):
            let s = T(c)
            for i in 0..<n { out[i] = x[i] + s }
        }
    }

    /// The C kernel for a Float function that has a vectorised version.
    @usableFromInline @inline(__always)
    static func vectorisedFloatFunction(
        _ operation: UnaryOperation
    ) -> (@convention(c) (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int) -> Void)? {
        switch operation {
        case .exp: descent_exp_f32
        case .log: descent_log_f32
        case .tanh: descent_tanh_f32
        case .sigmoid: descent_sigmoid_f32
        default: nil
        }
    }

    /// `out[i] = g[i] · op′(x[i])`, given `y = op(x)` too (the backward pass of ``unary(_:_:_:count:)``).
    ///
    /// - Parameters:
    ///   - operation: The function whose derivative is applied.
    ///   - x: The forward inputs. - y: The forward outputs. - g: The upstream gradient.
    ///   - out: `n` outputs. - n: The element count.
    @inlinable @inline(__always)
    public static func unaryDerivative<T: KernelScalar>(
        _ operation: UnaryOperation, x: UnsafePointer<T>, y: UnsafePointer<T>,
        upstream g: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, count n: Int
    ) {
        switch operation {
        case .negate: for i in 0..<n { out[i] = -g[i] }
        case .exp: for i in 0..<n { out[i] = g[i] * y[i] }
        case .log: for i in 0..<n { out[i] = g[i] / x[i] }
        case .log1p: for i in 0..<n { out[i] = g[i] / (1 + x[i]) }
        case .sqrt: for i in 0..<n { out[i] = g[i] / (2 * y[i]) }
        case .abs: for i in 0..<n { let v = x[i]; out[i] = v > 0 ? g[i] : (v < 0 ? -g[i] : 0) }
        case .sign: for i in 0..<n { out[i] = 0 }
        case .sigmoid: for i in 0..<n { let s = y[i]; out[i] = g[i] * s * (1 - s) }
        case .tanh: for i in 0..<n { let t = y[i]; out[i] = g[i] * (1 - t * t) }
        case .relu:
            // A branch per element here mispredicts on half the units: use the branch-free C kernel.
            if T.self == Float.self {
                descent_relu_backward_f32(
                    UnsafeRawPointer(x).assumingMemoryBound(to: Float.self), UnsafeRawPointer(g).assumingMemoryBound(to: Float.self),
                    UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self), n)
            } else if T.self == Double.self {
                descent_relu_backward_f64(
                    UnsafeRawPointer(x).assumingMemoryBound(to: Double.self), UnsafeRawPointer(g).assumingMemoryBound(to: Double.self),
                    UnsafeMutableRawPointer(out).assumingMemoryBound(to: Double.self), n)
            } else {
                for i in 0..<n { out[i] = x[i] > 0 ? g[i] : 0 }
            }
        case .square: for i in 0..<n { out[i] = 2 * x[i] * g[i] }
        case .reciprocal: for i in 0..<n { let r = y[i]; out[i] = -g[i] * r * r }
        case .power(let p):
            // PyTorch: the gradient is 0 where the exponent is 0.
            if p == 0 { for i in 0..<n { out[i] = 0 } }
            else {
                let e = T(p), em1 = T(p - 1)
                if p == p.rounded(), Swift.abs(p) < 1e9 {
                    let k = Int(p) - 1
                    for i in 0..<n { out[i] = g[i] * e * T.pow(x[i], k) }
                } else {
                    for i in 0..<n { out[i] = g[i] * e * T.pow(x[i], em1) }
                }
            }
        case .leakyReLU(let s):
            let slope = T(s)
            for i in 0..<n { out[i] = x[i] > 0 ? g[i] : slope * g[i] }
        case .clamp(let lo, let hi):
            // PyTorch passes the gradient where lower ≤ x ≤ upper (boundaries included).
            let lower = T(lo), upper = T(hi)
            for i in 0..<n { let v = x[i]; out[i] = (v >= lower && v <= upper) ? g[i] : 0 }
        case .gelu:
            let invSqrt2 = 1 / T.sqrt(2)
            let invSqrt2Pi = 1 / T.sqrt(2 * T.pi)
            for i in 0..<n {
                let v = x[i]
                let cdf = (1 + T.erf(v * invSqrt2)) / 2
                let pdf = T.exp(-v * v / 2) * invSqrt2Pi
                out[i] = g[i] * (cdf + v * pdf)
            }
        case .scale(let c):
            let s = T(c)
            for i in 0..<n { out[i] = g[i] * s }
        case .addScalar: for i in 0..<n { out[i] = g[i] }
        }
    }

    /// `out[i] = op(a[i·sa], b[i·sb])`; strides 0 broadcast a scalar. `out` may alias an input.
    ///
    /// - Parameters:
    ///   - operation: The function to apply. - a, b: The operands.
    ///   - sa, sb: Their element strides (`1` contiguous, `0` a single broadcast value).
    ///   - out: `n` contiguous outputs. - n: The element count.
    @inlinable @inline(__always)
    public static func binary<T: KernelScalar>(
        _ operation: BinaryOperation, _ a: UnsafePointer<T>, lhsStride sa: Int,
        _ b: UnsafePointer<T>, rhsStride sb: Int, _ out: UnsafeMutablePointer<T>, count n: Int
    ) {
        // The common strides (1,1), (1,0), (0,1) get their own loops so they vectorise.
        @inline(__always)
        func loop(_ f: (T, T) -> T) {
            if sa == 1 && sb == 1 { for i in 0..<n { out[i] = f(a[i], b[i]) } }
            else if sa == 1 && sb == 0 { let bv = b[0]; for i in 0..<n { out[i] = f(a[i], bv) } }
            else if sa == 0 && sb == 1 { let av = a[0]; for i in 0..<n { out[i] = f(av, b[i]) } }
            else { for i in 0..<n { out[i] = f(a[i * sa], b[i * sb]) } }
        }
        switch operation {
        case .add: loop { $0 + $1 }
        case .subtract: loop { $0 - $1 }
        case .multiply: loop { $0 * $1 }
        case .divide: loop { $0 / $1 }
        case .power: loop { $1 == $1.rounded() && Swift.abs($1) < 1e9 ? T.pow($0, Int($1)) : T.pow($0, $1) }
        case .maximum: loop { ($0.isNaN || $1.isNaN) ? T.nan : Swift.max($0, $1) }
        case .minimum: loop { ($0.isNaN || $1.isNaN) ? T.nan : Swift.min($0, $1) }
        case .equal: loop { $0 == $1 ? 1 : 0 }
        case .notEqual: loop { $0 != $1 ? 1 : 0 }
        case .less: loop { $0 < $1 ? 1 : 0 }
        case .lessEqual: loop { $0 <= $1 ? 1 : 0 }
        case .greater: loop { $0 > $1 ? 1 : 0 }
        case .greaterEqual: loop { $0 >= $1 ? 1 : 0 }
        }
    }

    /// Reduces `x`, viewed as `outer × length × inner` (row-major), along its middle axis into
    /// `out` (`outer × inner`).
    ///
    /// An empty axis (`length == 0`) reads nothing from `x` and writes each reduction's identity:
    /// `0` for `sum`, `−∞` for `max`, `+∞` for `min` (NumPy's `initial`), and `−1` ("no element")
    /// for `argmax` and `argmin` (PyTorch and NumPy refuse these on an empty axis).
    ///
    /// - Parameters:
    ///   - operation: The reduction. - x: The input. - out: `outer·inner` outputs.
    ///   - outer, length, inner: The view's extents.
    @inlinable @inline(__always)
    public static func reduce<T: KernelScalar>(
        _ operation: ReduceOperation, _ x: UnsafePointer<T>, outer: Int, length: Int, inner: Int,
        _ out: UnsafeMutablePointer<T>
    ) {
        if length == 0 {
            let identity: T
            switch operation {
            case .sum: identity = 0
            case .max: identity = -T.infinity
            case .min: identity = T.infinity
            case .argmax, .argmin: identity = -1
            }
            out.update(repeating: identity, count: outer * inner)
            return
        }
        for o in 0..<outer {
            let base = x + o * length * inner
            let dst = out + o * inner
            switch operation {
            case .sum:
                if inner == 1 && T.self == Float.self {
                    let total = descent_sum_f32(UnsafeRawPointer(base).assumingMemoryBound(to: Float.self), length)
                    dst[0] = T(total)
                } else if inner == 1 && T.self == Double.self {
                    let total = descent_sum_f64(UnsafeRawPointer(base).assumingMemoryBound(to: Double.self), length)
                    dst[0] = T(total)
                } else if inner == 1 {
                    var s: T = 0
                    for j in 0..<length { s += base[j] }
                    dst[0] = s
                } else {
                    for i in 0..<inner { dst[i] = base[i] }
                    for j in 1..<Swift.max(length, 1) where length > 1 {
                        let row = base + j * inner
                        for i in 0..<inner { dst[i] += row[i] }
                    }
                }
            case .max, .min, .argmax, .argmin:
                let wantMax = operation == .max || operation == .argmax
                let wantIndex = operation == .argmax || operation == .argmin
                for i in 0..<inner {
                    var best = base[i]
                    var bestIndex = 0
                    if !best.isNaN {
                        for j in 1..<Swift.max(length, 1) where length > 1 {
                            let v = base[j * inner + i]
                            if v.isNaN { best = v; bestIndex = j; break }
                            if wantMax ? (v > best) : (v < best) { best = v; bestIndex = j }
                        }
                    }
                    dst[i] = wantIndex ? T(bestIndex) : best
                }
            }
        }
    }

    /// ReLU's derivative on a `rows × columns` block, `out = x > 0 ? g : 0`, together with the
    /// column sums of `out` (the bias gradient of the layer below) in `sums`. Bit-identical to
    /// ``unaryDerivative(_:x:y:upstream:_:count:)`` followed by ``reduce(_:_:outer:length:inner:_:)``
    /// with `.sum`, `outer: 1`, `length: rows`, `inner: columns` when `columns > 1`.
    @inlinable @inline(__always)
    public static func reluDerivativeWithColumnSums<T: KernelScalar>(
        x: UnsafePointer<T>, upstream g: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>,
        rows: Int, columns: Int, sums: UnsafeMutablePointer<T>
    ) {
        if T.self == Float.self {
            descent_relu_backward_column_sums_f32(
                UnsafeRawPointer(x).assumingMemoryBound(to: Float.self), UnsafeRawPointer(g).assumingMemoryBound(to: Float.self),
                UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self), rows, columns,
                UnsafeMutableRawPointer(sums).assumingMemoryBound(to: Float.self))
        } else if T.self == Double.self {
            descent_relu_backward_column_sums_f64(
                UnsafeRawPointer(x).assumingMemoryBound(to: Double.self), UnsafeRawPointer(g).assumingMemoryBound(to: Double.self),
                UnsafeMutableRawPointer(out).assumingMemoryBound(to: Double.self), rows, columns,
                UnsafeMutableRawPointer(sums).assumingMemoryBound(to: Double.self))
        } else {
            unaryDerivative(.relu, x: x, y: x, upstream: g, out, count: rows * columns)
            reduce(.sum, UnsafePointer(out), outer: 1, length: rows, inner: columns, sums)
        }
    }
}
