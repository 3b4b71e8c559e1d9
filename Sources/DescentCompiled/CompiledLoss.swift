import DescentCore
import DescentKernels
import DescentNN

/// The losses a ``CompiledStep`` computes in one fused loop together with their gradient, all with
/// mean reduction. Each loop performs the same floating-point operations in the same order as the
/// autodiff loss (``CrossEntropyLoss``, ``MeanSquaredErrorLoss``,
/// ``BinaryCrossEntropyWithLogitsLoss``), so values and gradients are bit-identical.
enum CompiledLoss: Equatable, Sendable {
    /// Softmax cross-entropy from logits with one class index per row (no class weights, no
    /// label smoothing); rows labelled `ignoreIndex` add nothing.
    case crossEntropy(ignoreIndex: Int)
    /// `mean((x − y)²)`.
    case meanSquaredError
    /// `mean(max(x, 0) − x·y + log(1 + e^{−|x|}))` in its stable form (no weights).
    case binaryCrossEntropyWithLogits

    /// The compiled form of `loss`, or an error saying which option has none.
    init(_ loss: any Loss) throws {
        func unsupported(_ reason: String) -> CompiledStepError {
            CompiledStepError(.unsupportedLoss, "CompiledStep: \(loss) is not compiled (\(reason)); use the autodiff path")
        }
        switch loss {
        case let crossEntropy as CrossEntropyLoss:
            guard crossEntropy.reduction == .mean else { throw unsupported("only mean reduction is compiled") }
            guard crossEntropy.classWeights == nil else { throw unsupported("class weights are not compiled") }
            guard crossEntropy.labelSmoothing == 0 else { throw unsupported("label smoothing is not compiled") }
            self = .crossEntropy(ignoreIndex: crossEntropy.ignoreIndex)
        case let squared as MeanSquaredErrorLoss:
            guard squared.reduction == .mean else { throw unsupported("only mean reduction is compiled") }
            self = .meanSquaredError
        case let binary as BinaryCrossEntropyWithLogitsLoss:
            guard binary.reduction == .mean else { throw unsupported("only mean reduction is compiled") }
            guard binary.weight == nil, binary.positiveWeight == nil else { throw unsupported("weights are not compiled") }
            self = .binaryCrossEntropyWithLogits
        default:
            throw unsupported("compiled losses: cross-entropy with class labels, mse, bce-with-logits")
        }
    }
}

/// Softmax cross-entropy over `rows × classes` logits: returns the mean loss and, when `gradient`
/// is given, writes `∂loss/∂logits = (softmax(x) − onehot(y)) / N` (N = rows not ignored).
///
///     lse = m + log Σⱼ e^{xⱼ − m},  m = maxⱼ xⱼ        loss = Σ (lse − x_y) / N
///
/// `logSumExps` holds one scalar per row and `scratch` one per logit. The same operations as
/// ``CrossEntropyLoss`` (``rowLogSumExps(_:rows:count:scratch:logSumExps:)`` and
/// ``rowSoftmax(_:rows:count:logSumExps:probabilities:)``, shared).
@inline(__always)
func crossEntropyLossAndGradient<T: KernelScalar>(
    _ x: UnsafePointer<T>, labels: UnsafePointer<Int>, rows: Int, classes c: Int, ignoreIndex: Int,
    logSumExps: UnsafeMutablePointer<T>, scratch: UnsafeMutablePointer<T>, gradient: UnsafeMutablePointer<T>?
) -> Double {
    var total = 0.0, normalizer = 0.0
    rowLogSumExps(x, rows: rows, count: c, scratch: scratch, logSumExps: logSumExps)
    for n in 0..<rows {
        let label = labels[n]
        if label == ignoreIndex { continue }
        normalizer += 1
        total += -1 * Double(x[n * c + label] - logSumExps[n])
    }
    guard let gradient else { return total / normalizer }
    // ∂/∂x = (p − e_y)/N, computed in Double and rounded once, as the autodiff loss does.
    let factor = 1 / normalizer
    rowSoftmax(x, rows: rows, count: c, logSumExps: logSumExps, probabilities: gradient)
    for n in 0..<rows {
        let out = gradient + n * c
        let label = labels[n]
        if label == ignoreIndex {
            for j in 0..<c { out[j] = 0 }
            continue
        }
        for j in 0..<c {
            var g = Double(out[j])
            if j == label { g -= 1 }
            out[j] = T(factor * g)
        }
    }
    return total / normalizer
}

/// Mean squared error over `count` elements; `gradient[i] = (1/count)·2(xᵢ − yᵢ)`.
@inline(__always)
func meanSquaredErrorLossAndGradient<T: KernelScalar>(
    _ x: UnsafePointer<T>, _ y: UnsafePointer<T>, count: Int, gradient: UnsafeMutablePointer<T>?
) -> Double {
    var total = 0.0
    for i in 0..<count { let d = x[i] - y[i]; total += Double(d * d) }
    if let gradient {
        let scale = T(1 / Double(count))
        for i in 0..<count { gradient[i] = scale * (2 * (x[i] - y[i])) }
    }
    return total / Double(count)
}

/// Binary cross-entropy on logits over `count` elements, stable form;
/// `gradient[i] = (1/count)·((1 − yᵢ) − σ(−xᵢ))`.
@inline(__always)
func binaryCrossEntropyLossAndGradient<T: KernelScalar>(
    _ x: UnsafePointer<T>, _ y: UnsafePointer<T>, count: Int, gradient: UnsafeMutablePointer<T>?
) -> Double {
    var total = 0.0
    for i in 0..<count { total += Double((1 - y[i]) * x[i] - 1 * logSigmoid(x[i])) }
    if let gradient {
        let scale = T(1 / Double(count))
        for i in 0..<count { gradient[i] = scale * ((1 - y[i]) - 1 * stableSigmoid(-x[i])) }
    }
    return total / Double(count)
}
