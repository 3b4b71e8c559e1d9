import CDescentCompiled
import CDescentKernels
import DescentCore
import DescentKernels
import DescentNN

/// What a fused training step needs from an optimizer (``OptimizerUpdater`` adapts an
/// `Optimizer`; tests may supply others). Pointers are to the parameter's element type.
protocol CompiledStepUpdater {
    /// The outer-product form of the next update of `name` (state already advanced), or `nil`.
    func outerProductUpdate(name: String, rows: Int, columns: Int) throws -> OuterProductUpdate?
    /// The plain update of `name` from a materialised gradient (`count` elements each).
    func update(name: String, value: UnsafeMutableRawPointer, gradient: UnsafeRawPointer, count: Int) throws
    /// The rate `r` if the next update of `name` is `θ ← θ + r·g` and nothing else; changes nothing.
    func plainUpdateRate(name: String) -> Double?
}

extension CompiledStep {
    /// A training step with the optimizer's update fused into the backward pass (see
    /// ``backward(input:rows:accumulate:updater:)``): the forward pass and the loss as
    /// ``computeGradients(features:labels:)``, then each ``Linear``'s parameters updated in the
    /// backward pass (one sample: ``fusedLinearBackward``; a batch: ``batchLinearBackward``).
    /// Every trainable parameter's ``Parameter/gradient`` is `nil` afterwards. Bit-identical to
    /// `computeGradients` followed by the optimizer's step.
    /// - Parameter next: the sample the next call will train on, if known: the first layer's
    ///   update then also computes its outputs for it (``FirstLayerLookahead``).
    func trainFused(features: Tensor<Scalar>, labels: [Int]?, targets: Tensor<Scalar>?,
                            updater: any CompiledStepUpdater, next: Tensor<Scalar>? = nil) throws -> Double {
        try run(features: features, labels: labels, targets: targets, accumulate: false, updater: updater, next: next)
    }

    /// The fused backward step of the ``Linear`` at `index`: its input gradient into `spare`
    /// (from the weights before the update, by the unfused pass's GEMM), then the weight update
    /// with `∂W[i, j] = g[i]·x[j]` (prepared, and applied by ``applyPendingUpdates()``), then the
    /// bias update (its gradient is already in the bias gradient buffer when `biasGradientDone`).
    func fusedLinearBackward(index: Int, first: Int, x: UnsafePointer<Scalar>, g: UnsafeMutablePointer<Scalar>,
                             spare: UnsafeMutablePointer<Scalar>, biasGradientDone: Bool,
                             updater: any CompiledStepUpdater) throws {
        guard case let .linear(weight, bias) = operations[index].kind else { return }
        let outWidth = operations[index].outputWidth, inWidth = operations[index].inputWidth
        if index > first {
            // ∂X = G·W: [1, out]·[out, in], before W changes.
            Scalar.gemm(transposeA: false, transposeB: false, m: 1, n: inWidth, k: outWidth, alpha: 1,
                        a: g, lda: outWidth, b: weight.valuePointer(), ldb: inWidth,
                        beta: 0, c: spare, ldc: inWidth)
        }
        if !weight.isFrozen {
            let name = operations[index].weightName
            if let update = try updater.outerProductUpdate(name: name, rows: outWidth, columns: inWidth) {
                // Deferred to the end of the pass (no later layer reads these weights), where all
                // the layers' updates run in one split across threads. `g` is reused by the
                // layers below, so the update keeps a copy.
                let u = operations[index].outputGradient!
                u.update(from: g, count: outWidth)
                // The storage is made unique now; it stays the parameter's until the pass ends.
                let p = weight.uniqueStoragePointer()
                pendingUpdates.append(PendingOuterProduct(update: update, parameter: p, u: u, x: x, rows: outWidth, columns: inWidth,
                                                          operationIndex: index,
                                                          parts: RowSplit.parts(rows: outWidth, columns: inWidth)))
            } else {
                let target = operations[index].weightGradient!.storage.pointer
                outerProduct(g, x, target, rows: outWidth, columns: inWidth)
                try weight.updateInPlace { w in
                    try updater.update(name: name, value: UnsafeMutableRawPointer(w.baseAddress!), gradient: UnsafeRawPointer(target), count: w.count)
                }
            }
        }
        if let bias, !bias.isFrozen {
            try updateBias(bias, index: index, g: g, rows: 1, gradientIsSummed: biasGradientDone, updater: updater)
        }
    }

    /// The backward step of the ``Linear`` at `index` for a batch of `rows > 1` with the update
    /// applied in the pass: the input gradient into `spare` first (from the weights before the
    /// update), then the weight and bias updates. A weight whose update is the plain
    /// `W ← W + r·∂W` (``CompiledStepUpdater/plainUpdateRate(name:)``, SGD without momentum) gets it
    /// inside its gradient product, `W ← r·(Gᵀ·X) + 1·W` (GEMM with `alpha = r`, `beta = 1`), when
    /// ``GEMM/addsCompleteProducts(depth:)`` says that gives the bits of the product followed by
    /// the update: the gradient is never written and read back, and the update needs no pass of
    /// its own. Any other update materialises the gradient and calls the updater, as the bias does.
    func batchLinearBackward(index: Int, first: Int, x: UnsafePointer<Scalar>, g: UnsafeMutablePointer<Scalar>,
                             spare: UnsafeMutablePointer<Scalar>, rows: Int, biasGradientDone: Bool,
                             updater: any CompiledStepUpdater) throws {
        guard case let .linear(weight, bias) = operations[index].kind else { return }
        let outWidth = operations[index].outputWidth, inWidth = operations[index].inputWidth
        if index > first {
            // ∂X = G·W: [rows, out]·[out, in], before W changes.
            Scalar.gemm(transposeA: false, transposeB: false, m: rows, n: inWidth, k: outWidth, alpha: 1,
                        a: g, lda: outWidth, b: weight.valuePointer(), ldb: inWidth, beta: 0, c: spare, ldc: inWidth)
        }
        if !weight.isFrozen {
            let name = operations[index].weightName, count = outWidth * inWidth
            if Scalar.self == Float.self, GEMM.addsCompleteProducts(depth: rows), let rate = updater.plainUpdateRate(name: name),
               try updater.outerProductUpdate(name: name, rows: outWidth, columns: inWidth) != nil {
                // The update has started (the state advanced); it is applied by the product.
                let p = weight.uniqueStoragePointer()
                Scalar.gemm(transposeA: true, transposeB: false, m: outWidth, n: inWidth, k: rows, alpha: Scalar(rate),
                            a: g, lda: outWidth, b: x, ldb: inWidth, beta: 1, c: p, ldc: inWidth)
            } else {
                // ∂W = Gᵀ·X: [out, rows]·[rows, in], then the optimizer's update.
                let target = operations[index].weightGradient!.storage.pointer
                Scalar.gemm(transposeA: true, transposeB: false, m: outWidth, n: inWidth, k: rows, alpha: 1,
                            a: g, lda: outWidth, b: x, ldb: inWidth, beta: 0, c: target, ldc: inWidth)
                let p = weight.uniqueStoragePointer()
                try updater.update(name: name, value: UnsafeMutableRawPointer(p), gradient: UnsafeRawPointer(target), count: count)
            }
        }
        if let bias, !bias.isFrozen {
            try updateBias(bias, index: index, g: g, rows: rows, gradientIsSummed: biasGradientDone, updater: updater)
        }
    }

    /// The bias update of the ``Linear`` at `index` in a fused pass: `∂b = Σ_rows G` into the bias
    /// gradient buffer (unless the ReLU pass already summed it there), then the optimizer's update.
    func updateBias(_ bias: Parameter<Scalar>, index: Int, g: UnsafePointer<Scalar>, rows: Int, gradientIsSummed: Bool,
                    updater: any CompiledStepUpdater) throws {
        let outWidth = operations[index].outputWidth
        let target = operations[index].biasGradient!.storage.pointer
        if !gradientIsSummed { Scalar.reduce(.sum, g, outer: 1, length: rows, inner: outWidth, target) }
        // As `updateInPlace`, without a closure through generic code.
        let b = bias.uniqueStoragePointer()
        try updater.update(name: operations[index].biasName, value: UnsafeMutableRawPointer(b),
                           gradient: UnsafeRawPointer(target), count: outWidth)
    }

    /// Applies the weight updates the pass deferred, split across threads by rows when they are
    /// large enough: part `p` takes block `p` of every weight's rows (the block whose outputs it
    /// computed in the forward pass), so each thread finds its rows in its own cache.
    ///
    /// With `nextInput`, the first operation's update (a ``Linear`` at index 0) also writes that
    /// sample's outputs of the layer into the operation's output buffer, from the updated weights
    /// and bias, and sets ``lookaheadWasComputed``.
    func applyPendingUpdates(nextInput: UnsafePointer<Scalar>? = nil) {
        guard !pendingUpdates.isEmpty else { return }
        var parts = 1
        for pending in pendingUpdates { parts = Swift.max(parts, pending.parts) }
        // Where the first layer's next outputs go, and its bias (already updated by now).
        var lookahead: (next: UnsafePointer<Float>, bias: UnsafePointer<Float>?, outputs: UnsafeMutablePointer<Float>)?
        if let nextInput, Scalar.self == Float.self, pendingUpdates.contains(where: { $0.operationIndex == 0 }),
           case let .linear(_, bias) = operations[0].kind {
            lookahead = (cast(nextInput, Float.self), bias.map { cast($0.valuePointer(), Float.self) },
                         castMutable(operations[0].output, Float.self))
        }
        if lookahead != nil {
            // The look-ahead overwrites the first layer's output buffer while the parts run. A
            // layer that reads that buffer as its input (a Linear right after the first, through
            // a Flatten or an identity Dropout) gets its own copy first, so no part reads what
            // another part writes.
            let firstOutput = UnsafeRawPointer(operations[0].output)
            for index in pendingUpdates.indices where UnsafeRawPointer(pendingUpdates[index].x) == firstOutput {
                lookaheadInputCopy.update(from: pendingUpdates[index].x, count: pendingUpdates[index].columns)
                pendingUpdates[index].x = UnsafePointer(lookaheadInputCopy)
            }
        }
        let instructionSet = GEMM.instructionSet
        // Weights too small to split go whole to part 0 (the caller's, which starts first), as the
        // forward pass keeps them; part 0 then takes correspondingly fewer rows of the split ones,
        // so that every part has about the same number of weights (with the first layer's
        // forward product in the look-ahead, its rows need not match the forward pass's blocks).
        var splitWeights = 0, wholeWeights = 0
        for pending in pendingUpdates {
            if pending.parts == parts {
                splitWeights += pending.rows * pending.columns
            } else {
                wholeWeights += pending.rows * pending.columns
            }
        }
        let firstShare: Double? = lookahead == nil || splitWeights == 0 || parts > 64 ? nil
            : partBalance.firstShare(parts: parts, splitWeights: splitWeights, wholeWeights: wholeWeights)
        // Row ownership is fixed here, once per step, and handed to the parts: the rows of pending
        // update `k` that part `p` applies are `pendingRows[k * parts + p]`. A part never asks the
        // (process-wide, changeable) thread setting again, so every row is applied exactly once.
        pendingRows.removeAll(keepingCapacity: true)
        for pending in pendingUpdates {
            let split = pending.parts == parts
            for part in 0..<parts {
                pendingRows.append(!split ? (part == 0 ? 0..<pending.rows : 0..<0)
                    : firstShare.map { RowSplit.block(pending.rows, part: part, of: parts, firstShare: $0) }
                    ?? RowSplit.block(pending.rows, part: part, of: parts))
            }
        }
        let ticks = partTicks
        pendingUpdates.withUnsafeBufferPointer { list in
            pendingRows.withUnsafeBufferPointer { ownedRows in
                WorkerPool.run(parts: parts) { part in
                    let start = firstShare == nil ? 0 : descent_ticks()
                    defer { if firstShare != nil { ticks[part] = descent_ticks() &- start } }
                    for (index, pending) in list.enumerated() {
                        let rows = ownedRows[index * parts + part]
                        if pending.operationIndex == 0, let lookahead,
                           pending.update.applyComputingOutputs(
                               to: castMutable(pending.parameter, Float.self), u: cast(pending.u, Float.self), x: cast(pending.x, Float.self),
                               rows: rows, columns: pending.columns, nextInput: lookahead.next, bias: lookahead.bias,
                               outputs: lookahead.outputs, instructionSet: instructionSet) {
                            continue
                        }
                        applyOuterProduct(pending.update, pending.parameter, u: pending.u, x: pending.x, rows: rows, columns: pending.columns)
                    }
                }
            }
        }
        if let firstShare, parts > 1 { partBalance.record(ticks: ticks, parts: parts, firstShare: firstShare) }
        lookaheadWasComputed = lookahead != nil && instructionSet >= .avx2
        pendingUpdates.removeAll(keepingCapacity: true)
    }

    /// ``OuterProductUpdate/apply(to:u:x:rows:columns:instructionSet:)`` for the concrete type.
    func applyOuterProduct(_ update: OuterProductUpdate, _ p: UnsafeMutablePointer<Scalar>, u: UnsafePointer<Scalar>,
                           x: UnsafePointer<Scalar>, rows: Range<Int>, columns: Int) {
        if Scalar.self == Float.self {
            update.apply(to: castMutable(p, Float.self), u: cast(u, Float.self), x: cast(x, Float.self), rows: rows, columns: columns)
        } else {
            update.apply(to: castMutable(p, Double.self), u: cast(u, Double.self), x: cast(x, Double.self), rows: rows, columns: columns)
        }
    }
}

/// A weight update prepared during a fused backward pass and applied at its end.
struct PendingOuterProduct<Scalar> {
    var update: OuterProductUpdate
    var parameter: UnsafeMutablePointer<Scalar>
    var u: UnsafePointer<Scalar>
    var x: UnsafePointer<Scalar>
    var rows: Int
    var columns: Int
    /// The index of the ``Linear`` in the step's operations.
    var operationIndex: Int
    /// How many parts ``RowSplit`` splits this weight into, asked once when the update is prepared.
    var parts: Int
}

/// How a batch-1 step splits a large ``Linear`` across threads: each thread owns a contiguous
/// block of the weight's rows for both the forward product and the fused update, so its cache
/// keeps that block between the two. Rows are independent (each output is its own dot product,
/// each weight its own update), so the split changes no result.
enum RowSplit {
    /// Layers with at least this many weights are split: 2¹⁷, so of the MLP 784-256-128-10 only
    /// the 200,704-weight first layer is. Splitting the second layer as well cost more in
    /// fork-joins than it saved with SGD (BENCHMARKS.md, "Design measurements", "Row split").
    /// A thread can lower it for itself with ``with(minimumWeights:minimumRows:_:)``.
    static let minimumWeights = 1 << 17

    /// The fewest weight rows a part gets.
    static let minimumRows = 16

    /// The threshold in force on the calling thread (``minimumWeights`` unless overridden).
    static var currentMinimumWeights: Int { ThreadSetting.rowSplitMinimumWeights.value(otherwise: minimumWeights) }

    /// The fewest rows a part gets on the calling thread (``minimumRows`` unless overridden).
    static var currentMinimumRows: Int { ThreadSetting.rowSplitMinimumRows.value(otherwise: minimumRows) }

    /// Runs `body` with other thresholds on the calling thread only (tests reach the split with
    /// small models this way without changing it for tests running beside them). The split is
    /// planned on the thread that starts the step, so the override covers the whole step.
    static func with<Result>(minimumWeights: Int, minimumRows: Int, _ body: () throws -> Result) rethrows -> Result {
        try ThreadSetting.rowSplitMinimumWeights.with(minimumWeights) {
            try ThreadSetting.rowSplitMinimumRows.with(minimumRows, body)
        }
    }

    /// How many parts to split a `rows × columns` weight into: up to ``GEMM/maximumThreadCount``
    /// (the calling thread's), at least ``currentMinimumRows`` rows each; 1 means no split.
    static func parts(rows: Int, columns: Int) -> Int {
        guard rows * columns >= currentMinimumWeights else { return 1 }
        return Swift.max(1, Swift.min(GEMM.maximumThreadCount, rows / Swift.max(1, currentMinimumRows)))
    }

    /// Part `part` of `0..<count` split into `parts` contiguous blocks.
    static func block(_ count: Int, part: Int, of parts: Int) -> Range<Int> {
        count * part / parts..<count * (part + 1) / parts
    }

    /// Part `part` of `0..<count` split into `parts` contiguous blocks, the first about
    /// `firstShare` of `count` and the others equal; `firstShare = 1/parts` gives
    /// ``block(_:part:of:)``'s blocks.
    static func block(_ count: Int, part: Int, of parts: Int, firstShare: Double) -> Range<Int> {
        guard parts > 1 else { return 0..<count }
        let first = Swift.min(count, Swift.max(0, Int((Double(count) * firstShare).rounded())))
        func boundary(_ k: Int) -> Int { k == 0 ? 0 : first + (count - first) * (k - 1) / (parts - 1) }
        return boundary(part)..<(part + 1 == parts ? count : boundary(part + 1))
    }
}

/// How much of a split weight the caller's part takes when it also updates the layers too small
/// to split (the batch-1 look-ahead step): measured, not assumed.
///
/// Part 0 (the caller's) updates every small layer whole plus a share of the split layer's rows;
/// the other parts share the rest equally. What a small layer's weight costs against a split
/// one's depends on the optimizer (SGD's small-layer update is a plain pass over weights still in
/// cache; Adam's is dominated by its divisions: BENCHMARKS.md, "Part balance") and on the
/// machine, so the step times each part and moves the share until they finish together. Rows are independent, so the split never changes a result.
struct PartBalance {
    /// Part 0's own work (the small layers), as a fraction of the split layer's; `nil` until the
    /// first measurement (then it starts from the weight counts).
    var fixedWork: Double?

    /// The fraction of the split layer's rows part 0 takes, between 0 and 1/parts.
    func firstShare(parts: Int, splitWeights: Int, wholeWeights: Int) -> Double {
        let work = fixedWork ?? Double(wholeWeights) / Double(splitWeights)
        return Swift.min(1 / Double(parts), Swift.max(0, (1 - Double(parts - 1) * work) / Double(parts)))
    }

    /// Updates the estimate from the ticks each part took with part 0 at `firstShare`.
    mutating func record(ticks: UnsafePointer<UInt64>, parts: Int, firstShare: Double) {
        let otherShare = (1 - firstShare) / Double(parts - 1)
        var others = 0.0
        for part in 1..<parts { others += Double(ticks[part]) }
        guard otherShare > 0, others > 0 else { return }
        // Ticks per whole split layer, from the parts that do nothing else.
        let perLayer = others / Double(parts - 1) / otherShare
        let measured = Swift.min(1, Swift.max(0, (Double(ticks[0]) - perLayer * firstShare) / perLayer))
        // Smoothed over about twenty steps: one step's times are noisy (interrupts, the other vCPU).
        fixedWork = fixedWork.map { $0 + 0.05 * (measured - $0) } ?? measured
    }
}
