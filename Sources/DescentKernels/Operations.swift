/// Elementwise functions of one tensor, applied by ``ElementKernels/unary(_:_:_:count:)``.
///
/// Parameters are stored as `Double` and converted once per kernel call.
public enum UnaryOperation: Sendable, Equatable, Hashable {
    case negate, exp, log, log1p, sqrt, abs, sign, sigmoid, tanh, relu, square, reciprocal
    /// `x^p` for a constant exponent.
    case power(Double)
    /// `x` for `x > 0`, else `slope·x`.
    case leakyReLU(Double)
    /// `min(max(x, lower), upper)`.
    case clamp(Double, Double)
    /// The exact GELU, `x·Φ(x) = x/2·(1 + erf(x/√2))` (PyTorch's default `approximate='none'`).
    case gelu
    /// `x·c`.
    case scale(Double)
    /// `x + c`.
    case addScalar(Double)
}

/// Elementwise functions of two tensors, applied by ``ElementKernels/binary(_:_:lhsStride:_:rhsStride:_:count:)``.
///
/// Comparisons give 1 where true and 0 where false.
public enum BinaryOperation: Sendable, Equatable, Hashable {
    case add, subtract, multiply, divide, power, maximum, minimum
    case equal, notEqual, less, lessEqual, greater, greaterEqual
}

/// Reductions along one axis, applied by ``ElementKernels/reduce(_:_:outer:length:inner:_:)``.
public enum ReduceOperation: Sendable, Equatable, Hashable {
    /// Sum of the elements.
    case sum
    /// Largest element; NaN if any element is NaN (as PyTorch).
    case max
    /// Smallest element; NaN if any element is NaN.
    case min
    /// Index of the first largest element, stored as a floating-point number.
    case argmax
    /// Index of the first smallest element.
    case argmin
}
