import DescentCore
import DescentKernels

/// What a fused training step needs from an optimizer: DescentTraining adapts its `Optimizer`
/// (this module cannot see DescentOptim). Pointers are to the parameter's element type.
package protocol CompiledStepUpdater {
    /// The outer-product form of the next update of `name` (state already advanced), or `nil`.
    func outerProductUpdate(name: String, rows: Int, columns: Int) throws -> OuterProductUpdate?
    /// The plain update of `name` from a materialised gradient (`count` elements each).
    func update(name: String, value: UnsafeMutableRawPointer, gradient: UnsafeRawPointer, count: Int) throws
}

extension CompiledStep {
    /// A training step on one sample with the optimizer's update fused into the backward pass
    /// (see ``backward(input:rows:accumulate:updater:)``): the forward pass and the loss as
    /// ``computeGradients(features:labels:)``, then each ``Linear``'s parameters updated as soon
    /// as their gradient is known. Every trainable parameter's ``Parameter/gradient`` is `nil`
    /// afterwards. Bit-identical to `computeGradients` followed by the optimizer's step.
    /// - Precondition: `features` holds one row (the caller falls back otherwise).
    package func trainFused(features: Tensor<Scalar>, labels: [Int]?, targets: Tensor<Scalar>?,
                            updater: any CompiledStepUpdater) throws -> Double {
        try run(features: features, labels: labels, targets: targets, accumulate: false, updater: updater)
    }

    /// The fused backward step of the ``Linear`` at `index`: its input gradient into `spare`
    /// (from the weights before the update, by the unfused pass's GEMM), then the weight update
    /// with `∂W[i, j] = g[i]·x[j]`, then the bias update (its gradient is already in the bias
    /// gradient buffer when `biasGradientDone`).
    func fusedLinearBackward(index: Int, first: Int, x: UnsafePointer<Scalar>, g: UnsafeMutablePointer<Scalar>,
                             spare: UnsafeMutablePointer<Scalar>, biasGradientDone: Bool,
                             updater: any CompiledStepUpdater) throws {
        guard case let .linear(weight, bias) = operations[index].kind else { return }
        let outWidth = operations[index].outputWidth, inWidth = operations[index].inputWidth
        if index > first {
            // ∂X = G·W: [1, out]·[out, in], before W changes.
            Scalar.gemm(transposeA: false, transposeB: false, m: 1, n: inWidth, k: outWidth, alpha: 1,
                        a: g, lda: outWidth, b: weight.value.storage.pointer, ldb: inWidth,
                        beta: 0, c: spare, ldc: inWidth)
        }
        if !weight.isFrozen {
            let name = operations[index].weightName
            if let update = try updater.outerProductUpdate(name: name, rows: outWidth, columns: inWidth) {
                weight.updateInPlace { w in
                    applyOuterProduct(update, w.baseAddress!, u: g, x: x, rows: 0..<outWidth, columns: inWidth)
                }
            } else {
                let target = operations[index].weightGradient!.storage.pointer
                outerProduct(g, x, target, rows: outWidth, columns: inWidth)
                try weight.updateInPlace { w in
                    try updater.update(name: name, value: UnsafeMutableRawPointer(w.baseAddress!), gradient: UnsafeRawPointer(target), count: w.count)
                }
            }
        }
        if let bias, !bias.isFrozen {
            let target = operations[index].biasGradient!.storage.pointer
            if !biasGradientDone { Scalar.reduce(.sum, g, outer: 1, length: 1, inner: outWidth, target) }
            try bias.updateInPlace { b in
                try updater.update(name: operations[index].biasName, value: UnsafeMutableRawPointer(b.baseAddress!),
                                   gradient: UnsafeRawPointer(target), count: b.count)
            }
        }
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
