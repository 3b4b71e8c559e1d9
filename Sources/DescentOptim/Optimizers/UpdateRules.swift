import DescentKernels

// The pieces every optimizer is built from (Optax-style), each written once and inlined into the
// per-element loops. Each follows the operation order of PyTorch's single-tensor CPU path, so
// that results match PyTorch to the last bits in most cases.

/// `g ← (maximize ? −∇ : ∇) + λ·θ`: the gradient the update sees, with L2 (coupled) weight decay
/// added after the sign flip, as PyTorch does (`grad.add(param, alpha=weight_decay)`).
@inline(__always)
func decayedGradient<T: KernelScalar>(_ gradient: T, _ parameter: T, maximize: Bool, weightDecay: T) -> T {
    let g = maximize ? -gradient : gradient
    return weightDecay != 0 ? g + weightDecay * parameter : g
}

/// ATen's `lerp(start, end, weight)`: `start + w·(end − start)` if |w| < 0.5, else
/// `end − (end − start)·(1 − w)`. Used for exponential moving averages `m ← lerp(m, g, 1 − β)`.
@inline(__always)
func lerp<T: KernelScalar>(_ start: T, _ end: T, _ weight: T) -> T {
    let difference = end - start
    return Swift.abs(weight) < 0.5 ? start + weight * difference : end - difference * (1 - weight)
}

/// `v ← v·β + (1 − β)·g·g` in PyTorch's order (`mul_(β).addcmul_(g, g, value=1−β)`).
@inline(__always)
func squaredAverage<T: KernelScalar>(_ v: T, _ g: T, beta: T, oneMinusBeta: T) -> T {
    v * beta + oneMinusBeta * g * g
}

/// Decoupled weight decay `θ ← θ·(1 − η·λ)` (AdamW, Lion, NAdam/RAdam with
/// `decoupledWeightDecay`); `factor` is `1 − η·λ` computed in double precision.
@inline(__always)
func decoupledDecay<T: KernelScalar>(_ parameter: T, factor: T) -> T { parameter * factor }

/// Bias corrections `1 − βᵗ`, computed in double precision as PyTorch's single-tensor path does
/// (its step counter is read back as a Python float).
@inline(__always)
func biasCorrection(_ beta: Double, step: Int) -> Double { 1 - pow(beta, Double(step)) }

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `xʸ` with the C library's `pow`, the function Python's `**` calls, so that scalars such as
/// `(1 − β₂ᵗ) ** 0.5` round exactly as in PyTorch.
@inline(__always)
func power(_ x: Double, _ y: Double) -> Double { pow(x, y) }
