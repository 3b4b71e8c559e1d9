import DescentKernels
import RealModule

/// The element type of a ``Tensor``: `Float` or `Double`.
///
/// Generic tensor code only arranges shapes and strides; every loop over elements lives in a
/// kernel that this protocol names and that `Float` and `Double` implement with concrete types,
/// so the loops are compiled for the concrete type and never dispatch per element.
public protocol TensorScalar: BinaryFloatingPoint, Real, Sendable, Codable, CustomStringConvertible
where RawSignificand: FixedWidthInteger {
    /// The safetensors / NumPy name of the type: `"F32"` or `"F64"`.
    static var dtypeName: String { get }

    /// `out[i] = op(x[i])` for `count` contiguous elements.
    static func applyUnary(_ operation: UnaryOperation, _ x: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, count: Int)

    /// `out[i] = upstream[i] · op′(x[i])`, where `y = op(x)` is also given (many derivatives are cheaper from y).
    static func applyUnaryDerivative(
        _ operation: UnaryOperation, x: UnsafePointer<Self>, y: UnsafePointer<Self>,
        upstream: UnsafePointer<Self>, _ out: UnsafeMutablePointer<Self>, count: Int)

    /// `out[i·so] = lhs[i·sl] op rhs[i·sr]` for `count` elements; a stride of 0 repeats one element.
    static func applyBinary(
        _ operation: BinaryOperation, _ lhs: UnsafePointer<Self>, lhsStride: Int,
        _ rhs: UnsafePointer<Self>, rhsStride: Int, _ out: UnsafeMutablePointer<Self>, count: Int)

    /// Reduces the middle axis of a contiguous `[outer, length, inner]` block into `[outer, inner]`.
    static func reduce(
        _ operation: ReduceOperation, _ x: UnsafePointer<Self>, outer: Int, length: Int, inner: Int,
        _ out: UnsafeMutablePointer<Self>)

    /// Row-major `C = alpha·op(A)·op(B) + beta·C` (see `GEMM.multiply`).
    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    // The convolution and pooling kernels of `DescentKernels` (`Convolution2D`, `Pooling2D`), for
    // a validated geometry; implemented in TensorScalar+Convolution.swift.

    /// `Convolution2D.forward`.
    static func convolution2DForward(
        _ geometry: Convolution2DGeometry, input: UnsafePointer<Self>, weight: UnsafePointer<Self>, bias: UnsafePointer<Self>?,
        output: UnsafeMutablePointer<Self>, workspace: UnsafeMutablePointer<Self>)
    /// `Convolution2D.inputGradient`.
    static func convolution2DInputGradient(
        _ geometry: Convolution2DGeometry, outputGradient: UnsafePointer<Self>, weight: UnsafePointer<Self>,
        inputGradient: UnsafeMutablePointer<Self>, workspace: UnsafeMutablePointer<Self>)
    /// `Convolution2D.parameterGradients`.
    static func convolution2DParameterGradients(
        _ geometry: Convolution2DGeometry, input: UnsafePointer<Self>, outputGradient: UnsafePointer<Self>,
        weightGradient: UnsafeMutablePointer<Self>, biasGradient: UnsafeMutablePointer<Self>?, workspace: UnsafeMutablePointer<Self>)
    /// `Pooling2D.maxForward`.
    static func maxPool2DForward(
        _ geometry: Pooling2DGeometry, input: UnsafePointer<Self>, output: UnsafeMutablePointer<Self>, indices: UnsafeMutablePointer<Int>)
    /// `Pooling2D.maxInputGradient`.
    static func maxPool2DInputGradient(
        _ geometry: Pooling2DGeometry, outputGradient: UnsafePointer<Self>, indices: UnsafePointer<Int>, inputGradient: UnsafeMutablePointer<Self>)
    /// `Pooling2D.averageForward`.
    static func averagePool2DForward(_ geometry: Pooling2DGeometry, input: UnsafePointer<Self>, output: UnsafeMutablePointer<Self>)
    /// `Pooling2D.averageInputGradient`.
    static func averagePool2DInputGradient(
        _ geometry: Pooling2DGeometry, outputGradient: UnsafePointer<Self>, inputGradient: UnsafeMutablePointer<Self>)
    /// `Pooling2D.adaptiveAverageForward`.
    static func adaptiveAveragePool2DForward(
        _ geometry: AdaptivePooling2DGeometry, input: UnsafePointer<Self>, output: UnsafeMutablePointer<Self>)
    /// `Pooling2D.adaptiveAverageInputGradient`.
    static func adaptiveAveragePool2DInputGradient(
        _ geometry: AdaptivePooling2DGeometry, outputGradient: UnsafePointer<Self>, inputGradient: UnsafeMutablePointer<Self>)
}

extension Float: TensorScalar {
    public static var dtypeName: String { "F32" }
    public static func applyUnary(_ operation: UnaryOperation, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        ElementKernels.unary(operation, x, out, count: count)
    }
    public static func applyUnaryDerivative(
        _ operation: UnaryOperation, x: UnsafePointer<Float>, y: UnsafePointer<Float>,
        upstream: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int
    ) {
        ElementKernels.unaryDerivative(operation, x: x, y: y, upstream: upstream, out, count: count)
    }
    public static func applyBinary(
        _ operation: BinaryOperation, _ lhs: UnsafePointer<Float>, lhsStride: Int,
        _ rhs: UnsafePointer<Float>, rhsStride: Int, _ out: UnsafeMutablePointer<Float>, count: Int
    ) {
        ElementKernels.binary(operation, lhs, lhsStride: lhsStride, rhs, rhsStride: rhsStride, out, count: count)
    }
    public static func reduce(
        _ operation: ReduceOperation, _ x: UnsafePointer<Float>, outer: Int, length: Int, inner: Int,
        _ out: UnsafeMutablePointer<Float>
    ) {
        ElementKernels.reduce(operation, x, outer: outer, length: length, inner: inner, out)
    }
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        GEMM.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                      a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
}

extension Double: TensorScalar {
    public static var dtypeName: String { "F64" }
    public static func applyUnary(_ operation: UnaryOperation, _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int) {
        ElementKernels.unary(operation, x, out, count: count)
    }
    public static func applyUnaryDerivative(
        _ operation: UnaryOperation, x: UnsafePointer<Double>, y: UnsafePointer<Double>,
        upstream: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, count: Int
    ) {
        ElementKernels.unaryDerivative(operation, x: x, y: y, upstream: upstream, out, count: count)
    }
    public static func applyBinary(
        _ operation: BinaryOperation, _ lhs: UnsafePointer<Double>, lhsStride: Int,
        _ rhs: UnsafePointer<Double>, rhsStride: Int, _ out: UnsafeMutablePointer<Double>, count: Int
    ) {
        ElementKernels.binary(operation, lhs, lhsStride: lhsStride, rhs, rhsStride: rhsStride, out, count: count)
    }
    public static func reduce(
        _ operation: ReduceOperation, _ x: UnsafePointer<Double>, outer: Int, length: Int, inner: Int,
        _ out: UnsafeMutablePointer<Double>
    ) {
        ElementKernels.reduce(operation, x, outer: outer, length: length, inner: inner, out)
    }
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        GEMM.multiply(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                      a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
}
