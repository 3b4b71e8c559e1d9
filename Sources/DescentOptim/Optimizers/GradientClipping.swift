import DescentCore
import DescentKernels

/// Gradient clipping by global norm and by value, on raw buffers or on `Parameter`s.
///
/// Clipping happens between `backward()` and the optimizer step, and changes the gradients in place.
public enum GradientClipping {
    /// Scales all gradients together so that their global L2 norm is at most `maxNorm`.
    ///
    ///     n = ‖(‖g₁‖, ‖g₂‖, …)‖₂          (the norm of the per-tensor norms)
    ///     c = min(maxNorm / (n + 1e-6), 1)
    ///     gᵢ ← c·gᵢ
    ///
    /// - Parameters:
    ///   - gradients: the gradient buffers, changed in place.
    ///   - maxNorm: the largest global norm allowed.
    /// - Returns: n, the global norm before clipping (`inf`/`nan` if a gradient is not finite; the
    ///   gradients are then scaled by a `nan`/0 coefficient, as PyTorch does by default).
    /// - PyTorch: `torch.nn.utils.clip_grad_norm_(parameters, max_norm)`. Reference: Pascanu,
    ///   Mikolov & Bengio, 2013, *On the difficulty of training recurrent neural networks*.
    @discardableResult
    public static func clipByGlobalNorm<Scalar: TensorScalar>(_ gradients: [UnsafeMutableBufferPointer<Scalar>], maxNorm: Double) -> Double {
        var sumOfSquaredNorms = 0.0
        for gradient in gradients {
            let norm = (sumOfSquares(UnsafeBufferPointer(gradient))).squareRoot()
            sumOfSquaredNorms += norm * norm
        }
        let total = sumOfSquaredNorms.squareRoot()
        let coefficient = Swift.min(maxNorm / (total + 1e-6), 1)
        for gradient in gradients { scale(gradient, by: coefficient) }
        return total
    }

    /// Clamps every gradient element to `[−limit, limit]`.
    /// - PyTorch: `torch.nn.utils.clip_grad_value_(parameters, clip_value)`.
    public static func clipByValue<Scalar: TensorScalar>(_ gradients: [UnsafeMutableBufferPointer<Scalar>], limit: Double) {
        for gradient in gradients { clamp(gradient, limit: limit) }
    }

    /// ``clipByGlobalNorm(_:maxNorm:)`` on the gradients of `parameters` (those without one are skipped).
    @discardableResult
    public static func clipByGlobalNorm<Scalar: TensorScalar>(_ parameters: [Parameter<Scalar>], maxNorm: Double) -> Double {
        var gradients = parameters.compactMap(\.gradient)
        let norm = withMutableBuffers(&gradients) { clipByGlobalNorm($0, maxNorm: maxNorm) }
        store(gradients, into: parameters)
        return norm
    }

    /// ``clipByValue(_:limit:)`` on the gradients of `parameters` (those without one are skipped).
    public static func clipByValue<Scalar: TensorScalar>(_ parameters: [Parameter<Scalar>], limit: Double) {
        var gradients = parameters.compactMap(\.gradient)
        withMutableBuffers(&gradients) { clipByValue($0, limit: limit) }
        store(gradients, into: parameters)
    }

    // The gradient tensors are copied once on write (their storage is shared with the autodiff
    // slot), then stored back: clipping is once per step, not per element.
    static func withMutableBuffers<Scalar: TensorScalar, R>(_ tensors: inout [Tensor<Scalar>], _ body: ([UnsafeMutableBufferPointer<Scalar>]) -> R) -> R {
        var buffers: [UnsafeMutableBufferPointer<Scalar>] = []
        for index in tensors.indices { tensors[index].withUnsafeMutableBufferPointer { buffers.append($0) } }
        return body(buffers)  // the storages stay alive in `tensors` and are now unique
    }

    static func store<Scalar: TensorScalar>(_ gradients: [Tensor<Scalar>], into parameters: [Parameter<Scalar>]) {
        var index = 0
        for parameter in parameters where parameter.gradient != nil {
            parameter.gradient = gradients[index]
            index += 1
        }
    }

    static func sumOfSquares<Scalar: TensorScalar>(_ x: UnsafeBufferPointer<Scalar>) -> Double {
        guard let base = x.baseAddress else { return 0 }
        if Scalar.self == Double.self {
            return sumOfSquaresLoop(UnsafeRawPointer(base).assumingMemoryBound(to: Double.self), x.count)
        }
        return sumOfSquaresLoop(UnsafeRawPointer(base).assumingMemoryBound(to: Float.self), x.count)
    }

    static func scale<Scalar: TensorScalar>(_ x: UnsafeMutableBufferPointer<Scalar>, by coefficient: Double) {
        guard let base = x.baseAddress else { return }
        if Scalar.self == Double.self {
            scaleLoop(UnsafeMutableRawPointer(base).assumingMemoryBound(to: Double.self), x.count, coefficient)
        } else {
            scaleLoop(UnsafeMutableRawPointer(base).assumingMemoryBound(to: Float.self), x.count, Float(coefficient))
        }
    }

    static func clamp<Scalar: TensorScalar>(_ x: UnsafeMutableBufferPointer<Scalar>, limit: Double) {
        guard let base = x.baseAddress else { return }
        if Scalar.self == Double.self {
            clampLoop(UnsafeMutableRawPointer(base).assumingMemoryBound(to: Double.self), x.count, limit)
        } else {
            clampLoop(UnsafeMutableRawPointer(base).assumingMemoryBound(to: Float.self), x.count, Float(limit))
        }
    }
}

@inline(__always)
func sumOfSquaresLoop<T: KernelScalar>(_ x: UnsafePointer<T>, _ n: Int) -> Double {
    var sum = 0.0
    for i in 0..<n { let v = Double(x[i]); sum += v * v }
    return sum
}

@inline(__always)
func scaleLoop<T: KernelScalar>(_ x: UnsafeMutablePointer<T>, _ n: Int, _ c: T) {
    for i in 0..<n { x[i] *= c }
}

@inline(__always)
func clampLoop<T: KernelScalar>(_ x: UnsafeMutablePointer<T>, _ n: Int, _ limit: T) {
    for i in 0..<n { x[i] = Swift.min(Swift.max(x[i], -limit), limit) }
}
