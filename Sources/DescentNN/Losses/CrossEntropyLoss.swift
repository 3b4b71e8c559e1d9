import RealModule
import DescentCore
import DescentKernels

/// Softmax cross-entropy from logits (`torch.nn.CrossEntropyLoss`), fused: one pass computes
/// `log softmax`, the loss and, in the backward pass, the gradient `p − q`.
///
///     log pₙ,c = xₙ,c − log Σⱼ e^{xₙ,ⱼ}                      (stable: shifted by the row maximum)
///     class labels yₙ:     lₙ = (1 − ε)·(−w_{yₙ} log pₙ,yₙ) + (ε/C)·(−Σ_c w_c log pₙ,c)
///                          mean = Σ lₙ / Σ w_{yₙ}            (over rows whose label is not ignored)
///     probabilities qₙ:    q′ = (1 − ε)·qₙ + ε/C,   lₙ = −Σ_c w_c q′_c log pₙ,c,   mean = Σ lₙ / N
///     ∂lₙ/∂xₙ = p·Σ_c w_c q′_c − w⊙q′   (= pₙ − q′ₙ without class weights)
///
/// Logits have shape `[n, C]`. Targets are either `[n]` class indices (whole numbers in `0..<C`,
/// or ``ignoreIndex``) or `[n, C]` probabilities. Label smoothing spreads ε over *all* C classes,
/// as PyTorch and Optax do (training-semantics §4). No gradient flows to the targets.
public struct CrossEntropyLoss: Loss {
    /// Per-class weights `w` (length C), or `nil` for all 1.
    public var classWeights: [Double]?
    /// ε in [0, 1].
    public var labelSmoothing: Double
    /// Rows whose class label is this value add nothing (PyTorch's `ignore_index`).
    public var ignoreIndex: Int
    /// How per-row values are combined. The default value is `.mean`.
    public var reduction: Reduction

    /// A cross-entropy loss.
    /// - Parameters:
    ///   - classWeights: `w`, one per class. The default value is `nil` (unweighted).
    ///   - labelSmoothing: ε. The default value is `0`.
    ///   - ignoreIndex: a label to skip. The default value is `-100`, as PyTorch.
    ///   - reduction: The default value is `.mean`.
    public init(classWeights: [Double]? = nil, labelSmoothing: Double = 0, ignoreIndex: Int = -100, reduction: Reduction = .mean) {
        precondition(labelSmoothing >= 0 && labelSmoothing <= 1, "CrossEntropyLoss: labelSmoothing must be in [0, 1], got \(labelSmoothing)")
        self.classWeights = classWeights
        self.labelSmoothing = labelSmoothing
        self.ignoreIndex = ignoreIndex
        self.reduction = reduction
    }

    /// What the targets are.
    public var targetKind: LossTargetKind { .classIndices }
    /// The loss as a spec string.
    public var description: String {
        "cross-entropy(labelSmoothing: \(labelSmoothing), reduction: \(reduction.rawValue)\(classWeights == nil ? "" : ", weights: \(classWeights!)"))"
    }

    /// The loss for `[n]` class-index targets (stored as whole numbers) or `[n, C]` probability targets.
    public func callAsFunction<Scalar: TensorScalar>(_ logits: Tensor<Scalar>, _ targets: Tensor<Scalar>) throws -> Tensor<Scalar> {
        if targets.rank == 1 && logits.rank == 2 {
            var labels = [Int](repeating: 0, count: targets.scalarCount)
            try targets.withUnsafeBufferPointer { values in
                for (i, v) in values.enumerated() {
                    guard v == v.rounded(), Swift.abs(v) < 1e15 else {
                        throw LossError.fractionalClassIndex(v, row: i)
                    }
                    labels[i] = Int(v)
                }
            }
            return try callAsFunction(logits, labels: labels)
        }
        guard logits.rank == 2, targets.shape == logits.shape else {
            throw LossError("CrossEntropyLoss: logits must be [n, classes] and targets [n] class indices or [n, classes] probabilities; got logits \(logits.shape) and targets \(targets.shape)")
        }
        return try compute(logits, labels: nil, probabilities: targets.detached())
    }

    /// The loss for `[n, C]` logits and one class index per row.
    /// - Throws: ``LossError`` for a count mismatch or a label outside `0..<C` (other than ``ignoreIndex``).
    public func callAsFunction<Scalar: TensorScalar>(_ logits: Tensor<Scalar>, labels: [Int]) throws -> Tensor<Scalar> {
        guard logits.rank == 2, logits.shape[0] == labels.count else {
            throw LossError.labelCount(labels.count, logits: logits.shape)
        }
        let classes = logits.shape[1]
        if let bad = labels.firstIndex(where: { ($0 < 0 || $0 >= classes) && $0 != ignoreIndex }) {
            throw LossError.labelOutOfRange(labels[bad], row: bad, classes: classes)
        }
        return try compute(logits, labels: labels, probabilities: nil)
    }

    private func compute<Scalar: TensorScalar>(_ logits: Tensor<Scalar>, labels: [Int]?, probabilities: Tensor<Scalar>?) throws -> Tensor<Scalar> {
        let rows = logits.shape[0], classes = logits.shape[1]
        if let classWeights, classWeights.count != classes {
            throw LossError("CrossEntropyLoss: \(classWeights.count) class weights for \(classes) classes")
        }
        let problem = CrossEntropyProblem(
            rows: rows, classes: classes, labels: labels, weights: classWeights,
            smoothing: labelSmoothing, ignoreIndex: ignoreIndex)
        var rowLosses = [Double](repeating: 0, count: rows)
        var logSumExps = [Double](repeating: 0, count: rows)
        var normalizer = 0.0
        let x = logits.detached()
        // Called with a concrete type on each side (a nested generic function taking `T.Type` was
        // not specialised: its loops went through the protocol witnesses for every comparison and
        // addition, most of the time of an evaluation pass; BENCHMARKS.md, "Full-loss pass and
        // checkpoint overheads (issue 15)"). The same operations in the same order either way.
        if Scalar.self == Float.self {
            crossEntropyForward(problem, cast(UnsafePointer(x.storage.pointer), Float.self),
                                probabilities.map { cast(UnsafePointer($0.storage.pointer), Float.self) },
                                losses: &rowLosses, logSumExps: &logSumExps, normalizer: &normalizer)
        } else {
            crossEntropyForward(problem, cast(UnsafePointer(x.storage.pointer), Double.self),
                                probabilities.map { cast(UnsafePointer($0.storage.pointer), Double.self) },
                                losses: &rowLosses, logSumExps: &logSumExps, normalizer: &normalizer)
        }
        // PyTorch: probability targets average over rows; class labels over the targets' weights.
        if probabilities != nil { normalizer = Double(rows) }
        let value: Tensor<Scalar>
        switch reduction {
        case .none: value = Tensor(rowLosses.map { Scalar($0) })
        case .sum: value = Tensor(Scalar(rowLosses.reduce(0, +)))
        case .mean: value = Tensor(Scalar(rowLosses.reduce(0, +) / normalizer))
        }
        let reduction = self.reduction
        let lse = logSumExps
        return Tensor.fusedOperation(value: value, inputs: [logits]) { upstream in
            let gradient = Tensor<Scalar>(zeros: [rows, classes])
            let scale = reduction == .mean ? 1 / normalizer : 1
            if Scalar.self == Float.self {  // concrete types on each side, as in the forward pass
                crossEntropyBackward(problem, cast(UnsafePointer(x.storage.pointer), Float.self),
                                     probabilities.map { cast(UnsafePointer($0.storage.pointer), Float.self) },
                                     logSumExps: lse, upstream: cast(UnsafePointer(upstream.storage.pointer), Float.self),
                                     upstreamStride: reduction == .none ? 1 : 0, scale: scale,
                                     gradient: castMutable(gradient.storage.pointer, Float.self))
            } else {
                crossEntropyBackward(problem, cast(UnsafePointer(x.storage.pointer), Double.self),
                                     probabilities.map { cast(UnsafePointer($0.storage.pointer), Double.self) },
                                     logSumExps: lse, upstream: cast(UnsafePointer(upstream.storage.pointer), Double.self),
                                     upstreamStride: reduction == .none ? 1 : 0, scale: scale,
                                     gradient: castMutable(gradient.storage.pointer, Double.self))
            }
            return [gradient]
        }
    }
}

/// The sizes and options of one cross-entropy evaluation.
struct CrossEntropyProblem {
    let rows: Int, classes: Int
    let labels: [Int]?
    let weights: [Double]?
    let smoothing: Double
    let ignoreIndex: Int
}

/// `log Σⱼ exp(x[n, j])` of each row of `rows × c` logits into `logSumExps[n]`, each row shifted
/// by its maximum for stability (a row without a finite maximum is not shifted). `scratch` holds
/// `rows × c` values. Shared by ``CrossEntropyLoss`` and the compiled step, so both round alike.
///
/// The exponentials of all rows go through one ``ElementKernels/unary(_:_:_:count:)`` call (for
/// Float the vectorised `exp`, within 2 ulp): a libm call per element was a noticeable part of a
/// large batch's non-GEMM time (BENCHMARKS.md, "Design measurements", "Vectorised exp"); each
/// row's terms are then added in order.
@inlinable @inline(__always)
package func rowLogSumExps<T: KernelScalar>(_ x: UnsafePointer<T>, rows: Int, count c: Int, scratch: UnsafeMutablePointer<T>,
                                    logSumExps: UnsafeMutablePointer<T>) {
    for n in 0..<rows {
        let row = x + n * c, shifted = scratch + n * c
        var maximum = -T.infinity
        for j in 0..<c { maximum = Swift.max(maximum, row[j]) }
        if !maximum.isFinite { maximum = 0 }
        for j in 0..<c { shifted[j] = row[j] - maximum }
        logSumExps[n] = maximum
    }
    ElementKernels.unary(.exp, scratch, scratch, count: rows * c)
    for n in 0..<rows {
        let terms = scratch + n * c
        var total: T = 0
        for j in 0..<c { total += terms[j] }
        logSumExps[n] = logSumExps[n] + T.log(total)
    }
}

/// The softmax `exp(x[n, j] − logSumExps[n])` of each row of `rows × c` logits into
/// `probabilities`, with one vectorised `exp` call as in ``rowLogSumExps(_:rows:count:scratch:logSumExps:)``.
@inlinable @inline(__always)
package func rowSoftmax<T: KernelScalar>(_ x: UnsafePointer<T>, rows: Int, count c: Int, logSumExps: UnsafePointer<T>,
                                 probabilities: UnsafeMutablePointer<T>) {
    for n in 0..<rows {
        let row = x + n * c, out = probabilities + n * c, lse = logSumExps[n]
        for j in 0..<c { out[j] = row[j] - lse }
    }
    ElementKernels.unary(.exp, probabilities, probabilities, count: rows * c)
}

@inline(__always)
func crossEntropyForward<T: KernelScalar>(
    _ problem: CrossEntropyProblem, _ x: UnsafePointer<T>, _ probabilities: UnsafePointer<T>?,
    losses: inout [Double], logSumExps: inout [Double], normalizer: inout Double
) {
    let c = problem.classes, epsilon = problem.smoothing
    let scratch = UnsafeMutablePointer<T>.allocate(capacity: Swift.max(problem.rows * (c + 1), 1))
    defer { scratch.deallocate() }
    let rowLSE = scratch + problem.rows * c
    rowLogSumExps(x, rows: problem.rows, count: c, scratch: scratch, logSumExps: rowLSE)
    for n in 0..<problem.rows {
        let row = x + n * c
        let lse = rowLSE[n]
        logSumExps[n] = Double(lse)
        if let labels = problem.labels {
            let label = labels[n]
            if label == problem.ignoreIndex { continue }
            let wy = problem.weights?[label] ?? 1
            normalizer += wy
            let nll = -wy * Double(row[label] - lse)
            var loss = (1 - epsilon) * nll
            if epsilon > 0 {
                var smooth = 0.0
                for j in 0..<c { smooth -= (problem.weights?[j] ?? 1) * Double(row[j] - lse) }
                loss += epsilon / Double(c) * smooth
            }
            losses[n] = loss
        } else if let q = probabilities {
            var loss = 0.0
            for j in 0..<c {
                let target = (1 - epsilon) * Double(q[n * c + j]) + epsilon / Double(c)
                loss -= (problem.weights?[j] ?? 1) * target * Double(row[j] - lse)
            }
            losses[n] = loss
        }
    }
}

@inline(__always)
func crossEntropyBackward<T: KernelScalar>(
    _ problem: CrossEntropyProblem, _ x: UnsafePointer<T>, _ probabilities: UnsafePointer<T>?,
    logSumExps: [Double], upstream: UnsafePointer<T>, upstreamStride: Int, scale: Double, gradient: UnsafeMutablePointer<T>
) {
    let c = problem.classes, epsilon = problem.smoothing
    let weights = problem.weights
    let weightSum = weights?.reduce(0, +) ?? Double(c)
    // The softmax of every row first (one vectorised exp), into the gradient buffer, which each
    // row then overwrites with its gradient.
    let rowLSE = UnsafeMutablePointer<T>.allocate(capacity: Swift.max(problem.rows, 1))
    defer { rowLSE.deallocate() }
    for n in 0..<problem.rows { rowLSE[n] = T(logSumExps[n]) }
    rowSoftmax(x, rows: problem.rows, count: c, logSumExps: rowLSE, probabilities: gradient)
    for n in 0..<problem.rows {
        let factor = Double(upstream[n * upstreamStride]) * scale
        let out = gradient + n * c
        if let labels = problem.labels {
            let label = labels[n]
            if label == problem.ignoreIndex {
                for j in 0..<c { out[j] = 0 }
                continue
            }
            // (1 − ε)·w_y·(p − e_y) + (ε/C)·(p·Σw − w)
            let wy = weights?[label] ?? 1
            let pScale = (1 - epsilon) * wy + epsilon / Double(c) * weightSum
            for j in 0..<c {
                let p = Double(out[j])
                var g = pScale * p - epsilon / Double(c) * (weights?[j] ?? 1)
                if j == label { g -= (1 - epsilon) * wy }
                out[j] = T(factor * g)
            }
        } else if let q = probabilities {
            // p·Σ_c w_c q′_c − w⊙q′
            var weightedTotal = 0.0
            for j in 0..<c { weightedTotal += (weights?[j] ?? 1) * ((1 - epsilon) * Double(q[n * c + j]) + epsilon / Double(c)) }
            for j in 0..<c {
                let p = Double(out[j])
                let target = (1 - epsilon) * Double(q[n * c + j]) + epsilon / Double(c)
                out[j] = T(factor * (p * weightedTotal - (weights?[j] ?? 1) * target))
            }
        }
    }
}
