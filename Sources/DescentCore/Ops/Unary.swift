import DescentKernels

extension Tensor {
    /// Applies `operation` elementwise and records its derivative, which the kernel computes from
    /// the input and the output together (`ElementKernels.unaryDerivative`).
    func unary(_ operation: UnaryOperation) -> Tensor {
        // Generic code is not specialised across modules, so callers in DescentNN or user code run
        // this through witness tables and metadata lookups; hop to the Float/Double specialisation.
        if Scalar.self == Float.self {
            return unsafeBitCast(unsafeBitCast(self, to: Tensor<Float>.self).unaryImplementation(operation), to: Tensor.self)
        }
        if Scalar.self == Double.self {
            return unsafeBitCast(unsafeBitCast(self, to: Tensor<Double>.self).unaryImplementation(operation), to: Tensor.self)
        }
        return unaryImplementation(operation)
    }

    func unaryImplementation(_ operation: UnaryOperation) -> Tensor {
        let input = self
        var result = Tensor(shape: shape) { out in
            Scalar.applyUnary(operation, input.storage.pointer, out.baseAddress!, count: out.count)
        }
        guard GradientMode.isEnabled, node != nil else { return result }
        let output = result.detached()
        Tensor.record(&result, inputs: [self]) { g in
            [Tensor(shape: g.shape) { out in
                Scalar.applyUnaryDerivative(operation, x: input.storage.pointer, y: output.storage.pointer,
                                            upstream: g.storage.pointer, out.baseAddress!, count: out.count)
            }]
        }
        return result
    }

    /// Elementwise negation.
    public static prefix func - (x: Tensor) -> Tensor { x.unary(.negate) }
    /// `eˣ` elementwise.
    public func exp() -> Tensor { unary(.exp) }
    /// Natural logarithm elementwise (−∞ at 0, NaN below).
    public func log() -> Tensor { unary(.log) }
    /// `log(1 + x)`, accurate for small `x`.
    public func log1p() -> Tensor { unary(.log1p) }
    /// Square root elementwise.
    public func squareRoot() -> Tensor { unary(.sqrt) }
    /// Absolute value; its derivative is taken as 0 at 0 (PyTorch's convention).
    public func abs() -> Tensor { unary(.abs) }
    /// −1, 0 or 1 (NaN stays NaN); zero derivative.
    public func sign() -> Tensor { unary(.sign) }
    /// The logistic function `1/(1+e⁻ˣ)`, computed without overflow.
    public func sigmoid() -> Tensor { unary(.sigmoid) }
    /// Hyperbolic tangent.
    public func tanh() -> Tensor { unary(.tanh) }
    /// `max(x, 0)`; derivative 0 at 0 (PyTorch's convention).
    public func relu() -> Tensor { unary(.relu) }
    /// `x` for `x > 0`, else `negativeSlope·x` (`torch.nn.functional.leaky_relu`, default slope 0.01).
    public func leakyReLU(negativeSlope: Double = 0.01) -> Tensor { unary(.leakyReLU(negativeSlope)) }
    /// Exact GELU `x·Φ(x)` (`torch.nn.functional.gelu`, `approximate='none'`).
    public func gelu() -> Tensor { unary(.gelu) }
    /// `x²`.
    public func squared() -> Tensor { unary(.square) }
    /// `1/x`.
    public func reciprocal() -> Tensor { unary(.reciprocal) }
    /// `x^exponent` for a constant exponent (`torch.pow(x, c)`); derivative 0 where the exponent is 0.
    public func pow(_ exponent: Double) -> Tensor { unary(.power(exponent)) }
    /// `min(max(x, lower), upper)` (`torch.clamp`); the gradient passes where `lower ≤ x ≤ upper`.
    public func clamped(lower: Double = -.infinity, upper: Double = .infinity) -> Tensor { unary(.clamp(lower, upper)) }
    /// `x·c` for a constant, with one kernel pass (no broadcast).
    public func scaled(by factor: Double) -> Tensor { unary(.scale(factor)) }
}
