import RealModule
import DescentCore
import DescentKernels

/// The per-element losses that compare each prediction with the target at the same position.
enum PointwiseKind: Sendable, Equatable {
    case squared
    case absolute
    case huber(delta: Double)
    case smoothL1(beta: Double)
    /// `weight` and `positiveWeight` broadcast along the last axis (length 1 or that axis' size).
    case binaryCrossEntropyWithLogits(weight: [Double]?, positiveWeight: [Double]?)
}

/// Computes a pointwise loss and its gradient in fused loops compiled for `Float` and `Double`.
func pointwiseLoss<Scalar: TensorScalar>(
    _ kind: PointwiseKind, _ predictions: Tensor<Scalar>, _ targets: Tensor<Scalar>, reduction: Reduction, name: String
) throws -> Tensor<Scalar> {
    // Equal shapes, or [n, 1] against [n] (a one-output regression model against a target column).
    guard predictions.shape == targets.shape
            || (predictions.scalarCount == targets.scalarCount
                && predictions.shape.filter { $0 != 1 } == targets.shape.filter { $0 != 1 }
                && Swift.abs(predictions.rank - targets.rank) <= 1) else {
        throw LossError.shapeMismatch(name, predictions: predictions.shape, targets: targets.shape)
    }
    let count = predictions.scalarCount
    let lastAxis = predictions.shape.last ?? 1
    if case let .binaryCrossEntropyWithLogits(weight, positiveWeight) = kind {
        for (label, values) in [("weight", weight), ("positiveWeight", positiveWeight)] {
            if let values, values.count != 1 && values.count != lastAxis {
                throw LossError("\(name): \(label) has \(values.count) values; it needs 1 or \(lastAxis) (the size of the predictions' last axis, shape \(predictions.shape))")
            }
        }
    }
    // Per-element values.
    let values = Tensor<Scalar>(shape: predictions.shape) { out in
        predictions.withUnsafeBufferPointer { x in
            targets.withUnsafeBufferPointer { y in
                if Scalar.self == Float.self {
                    pointwiseValues(kind, cast(x.baseAddress!, Float.self), cast(y.baseAddress!, Float.self),
                                    castMutable(out.baseAddress!, Float.self), count: count, lastAxis: lastAxis)
                } else {
                    pointwiseValues(kind, cast(x.baseAddress!, Double.self), cast(y.baseAddress!, Double.self),
                                    castMutable(out.baseAddress!, Double.self), count: count, lastAxis: lastAxis)
                }
            }
        }
    }
    let value: Tensor<Scalar>
    switch reduction {
    case .none: value = values
    case .sum: value = Tensor(Scalar(sumInDouble(values)))
    case .mean: value = Tensor(Scalar(sumInDouble(values) / Double(count)))
    }
    let x = predictions.detached(), y = targets.detached()
    let needX = predictions.requiresGradient, needY = targets.requiresGradient
    let xShape = predictions.shape, yShape = targets.shape
    return Tensor.fusedOperation(value: value, inputs: [predictions, targets]) { upstream in
        // ∂L/∂xᵢ = upstreamᵢ · scale · ℓ′(xᵢ, yᵢ); a reduced loss has one upstream value for all i.
        let stride = reduction == .none ? 1 : 0
        let scale = reduction == .mean ? 1 / Double(count) : 1
        let gradX: Tensor<Scalar>? = needX ? Tensor(zeros: xShape) : nil
        let gradY: Tensor<Scalar>? = needY ? Tensor(zeros: yShape) : nil
        func run<T: KernelScalar>(_ type: T.Type) {
            let px = cast(UnsafePointer(x.storage.pointer), T.self), py = cast(UnsafePointer(y.storage.pointer), T.self)
            let pg = cast(UnsafePointer(upstream.storage.pointer), T.self)
            let ox = gradX.map { castMutable($0.storage.pointer, T.self) }, oy = gradY.map { castMutable($0.storage.pointer, T.self) }
            pointwiseDerivatives(kind, px, py, upstream: pg, upstreamStride: stride, scale: T(scale),
                                 gradientX: ox, gradientY: oy, count: count, lastAxis: lastAxis)
        }
        if Scalar.self == Float.self { run(Float.self) } else { run(Double.self) }
        return [gradX, gradY]
    }
}

@inlinable @inline(__always)
package func cast<From, To>(_ pointer: UnsafePointer<From>, _ type: To.Type) -> UnsafePointer<To> {
    UnsafeRawPointer(pointer).assumingMemoryBound(to: To.self)
}

@inlinable @inline(__always)
package func castMutable<From, To>(_ pointer: UnsafeMutablePointer<From>, _ type: To.Type) -> UnsafeMutablePointer<To> {
    UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: To.self)
}

/// The sum of all elements, accumulated in `Double`.
func sumInDouble<Scalar: TensorScalar>(_ values: Tensor<Scalar>) -> Double {
    values.withUnsafeBufferPointer { buffer in
        if Scalar.self == Float.self {
            return sumLoop(cast(buffer.baseAddress!, Float.self), buffer.count)
        } else {
            return sumLoop(cast(buffer.baseAddress!, Double.self), buffer.count)
        }
    }
}

@inline(__always)
func sumLoop<T: KernelScalar>(_ x: UnsafePointer<T>, _ count: Int) -> Double {
    var total = 0.0
    for i in 0..<count { total += Double(x[i]) }
    return total
}

/// `log σ(x) = min(x, 0) − log(1 + e^{−|x|})`, finite for every finite x.
@inlinable @inline(__always)
package func logSigmoid<T: KernelScalar>(_ x: T) -> T { Swift.min(x, 0) - T.log(onePlus: T.exp(-Swift.abs(x))) }

/// `σ(x)`, computed without overflow.
@inlinable @inline(__always)
package func stableSigmoid<T: KernelScalar>(_ x: T) -> T {
    if x >= 0 { return 1 / (1 + T.exp(-x)) }
    let e = T.exp(x)
    return e / (1 + e)
}

@inline(__always)
func pointwiseValues<T: KernelScalar>(
    _ kind: PointwiseKind, _ x: UnsafePointer<T>, _ y: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, count: Int, lastAxis: Int
) {
    switch kind {
    case .squared:
        for i in 0..<count { let d = x[i] - y[i]; out[i] = d * d }
    case .absolute:
        for i in 0..<count { out[i] = Swift.abs(x[i] - y[i]) }
    case .huber(let deltaValue):
        // ½d² if |d| < δ, else δ(|d| − ½δ)   (torch.nn.HuberLoss)
        let delta = T(deltaValue)
        for i in 0..<count {
            let z = Swift.abs(x[i] - y[i])
            out[i] = z < delta ? 0.5 * z * z : delta * (z - 0.5 * delta)
        }
    case .smoothL1(let betaValue):
        // ½d²/β if |d| < β, else |d| − ½β; β = 0 is L1   (torch.nn.SmoothL1Loss)
        let beta = T(betaValue)
        for i in 0..<count {
            let z = Swift.abs(x[i] - y[i])
            out[i] = betaValue == 0 ? z : (z < beta ? 0.5 * z * z / beta : z - 0.5 * beta)
        }
    case let .binaryCrossEntropyWithLogits(weight, positiveWeight):
        // ℓ = (1 − y)·x − (1 + (p − 1)·y)·log σ(x), times the weight (ATen's stable form).
        let w = weight.map { $0.map { T($0) } }, p = positiveWeight.map { $0.map { T($0) } }
        for i in 0..<count {
            let column = i % lastAxis
            let logWeight: T = p.map { 1 + ($0[$0.count == 1 ? 0 : column] - 1) * y[i] } ?? 1
            var value = (1 - y[i]) * x[i] - logWeight * logSigmoid(x[i])
            if let w { value *= w[w.count == 1 ? 0 : column] }
            out[i] = value
        }
    }
}

@inline(__always)
func pointwiseDerivatives<T: KernelScalar>(
    _ kind: PointwiseKind, _ x: UnsafePointer<T>, _ y: UnsafePointer<T>,
    upstream g: UnsafePointer<T>, upstreamStride: Int, scale: T,
    gradientX: UnsafeMutablePointer<T>?, gradientY: UnsafeMutablePointer<T>?, count: Int, lastAxis: Int
) {
    let w: [T]?, p: [T]?
    if case let .binaryCrossEntropyWithLogits(weight, positiveWeight) = kind {
        w = weight.map { $0.map { T($0) } }
        p = positiveWeight.map { $0.map { T($0) } }
    } else {
        w = nil; p = nil
    }
    for i in 0..<count {
        let d = x[i] - y[i]
        // ∂ℓ/∂x; for the d = x − y losses ∂ℓ/∂y = −∂ℓ/∂x.
        var dx: T
        var dy: T
        switch kind {
        case .squared:
            dx = 2 * d; dy = -dx
        case .absolute:
            dx = d > 0 ? 1 : (d < 0 ? -1 : 0); dy = -dx
        case .huber(let deltaValue):
            let delta = T(deltaValue)
            dx = Swift.min(Swift.max(d, -delta), delta); dy = -dx
        case .smoothL1(let betaValue):
            if betaValue == 0 { dx = d > 0 ? 1 : (d < 0 ? -1 : 0) } else {
                let beta = T(betaValue)
                dx = d <= -beta ? -1 : (d >= beta ? 1 : d / beta)
            }
            dy = -dx
        case .binaryCrossEntropyWithLogits:
            let column = i % lastAxis
            let positive = p.map { $0[$0.count == 1 ? 0 : column] } ?? 1
            let logWeight = 1 + (positive - 1) * y[i]
            // ∂ℓ/∂x = (1 − y) − w·σ(−x)  (= σ(x) − y without a positive weight);
            // ∂ℓ/∂y = −x − (p − 1)·log σ(x).
            dx = (1 - y[i]) - logWeight * stableSigmoid(-x[i])
            dy = -x[i] - (positive - 1) * logSigmoid(x[i])
            if let w {
                let factor = w[w.count == 1 ? 0 : column]
                dx *= factor; dy *= factor
            }
        }
        let upstream = g[i * upstreamStride] * scale
        gradientX?[i] = upstream * dx
        gradientY?[i] = upstream * dy
    }
}
