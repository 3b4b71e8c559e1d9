import DescentCore
import DescentKernels
import DescentNN

extension CompiledStep {
    /// Runs the operations on `rows` samples and returns the last output (`rows × outputWidth`).
    /// Every loop is a kernel call on a whole buffer: one dynamic call per operation, none per element.
    /// With `firstOutputIsReady` the first operation's output buffer already holds its output for
    /// this input (the last fused step's look-ahead) and is not computed again. Any pass uses up
    /// or overwrites that look-ahead.
    func forward(_ input: UnsafePointer<Scalar>, rows: Int, training: Bool, firstOutputIsReady: Bool = false) -> UnsafePointer<Scalar> {
        var x = input
        lookahead = nil
        // Set when a Linear applied the ReLU that follows it (GEMM epilogue): that ReLU's output
        // is the Linear's buffer. ReLU's derivative reads `x > 0`, which holds exactly where
        // `relu(x) > 0` does (NaN gives 0 either way), so the backward pass is unchanged.
        var reluApplied = false
        for index in operations.indices {
            let output = operations[index].output
            let outWidth = operations[index].outputWidth, inWidth = operations[index].inputWidth
            if index == 0 && firstOutputIsReady {
                x = UnsafePointer(output)
                outputs[index] = x
                continue
            }
            if reluApplied {
                reluApplied = false
                outputs[index] = x
                continue
            }
            switch operations[index].kind {
            case let .linear(weight, bias):
                // Start from the bias in every row, then accumulate x·Wᵀ into it (beta = 1), as
                // Tensor.linear does, so the rounding is the same.
                if let bias {
                    let b = bias.valuePointer()
                    for row in 0..<rows { (output + row * outWidth).update(from: b, count: outWidth) }
                }
                let w = weight.valuePointer(), input = x, beta: Scalar = bias == nil ? 0 : 1
                let parts = rows == 1 ? RowSplit.parts(rows: outWidth, columns: inWidth) : 1
                if parts > 1 {
                    // One sample through a large layer: each thread computes the outputs of its
                    // block of weight rows (the rows it updates in a fused step).
                    WorkerPool.run(parts: parts) { part in
                        let block = RowSplit.block(outWidth, part: part, of: parts)
                        Scalar.gemm(transposeA: false, transposeB: true, m: 1, n: block.count, k: inWidth, alpha: 1,
                                    a: input, lda: inWidth, b: w + block.lowerBound * inWidth, ldb: inWidth,
                                    beta: beta, c: output + block.lowerBound, ldc: outWidth)
                    }
                } else {
                    // A batch through a Linear then a ReLU: the ReLU is applied to each block of
                    // the product while it is in cache, instead of in a pass of its own.
                    if rows > 1, index + 1 < operations.count, case .activation(.relu) = operations[index + 1].kind {
                        reluApplied = true
                    }
                    multiply(m: rows, n: outWidth, k: inWidth, a: x, b: w, beta: beta, c: output, epilogue: reluApplied ? .relu : .none)
                }
                x = UnsafePointer(output)
            case let .activation(operation):
                Scalar.applyUnary(operation, x, output, count: rows * outWidth)
                x = UnsafePointer(output)
            case let .dropout(layer):
                guard training, layer.probability > 0 else { break }
                let mask = operations[index].mask!, count = rows * outWidth
                if layer.probability == 1 {
                    mask.update(repeating: 0, count: count)  // as Dropout: no draws, all zero
                } else if Scalar.self == Float.self {
                    let keep = 1 - layer.probability
                    fillDropoutMask(castMutable(mask, Float.self), count, keep: keep, scale: 1 / Float(keep), &layer.generator)
                } else {
                    let keep = 1 - layer.probability
                    fillDropoutMask(castMutable(mask, Double.self), count, keep: keep, scale: 1 / Double(keep), &layer.generator)
                }
                Scalar.applyBinary(.multiply, x, lhsStride: 1, mask, rhsStride: 1, output, count: count)
                x = UnsafePointer(output)
            case .convolution:
                // A convolution then a ReLU: the ReLU is the product's epilogue, as for a Linear.
                if index + 1 < operations.count, case .activation(.relu) = operations[index + 1].kind { reluApplied = true }
                convolutionForward(index: index, x: x, rows: rows, epilogue: reluApplied ? .relu : .none)
                x = UnsafePointer(output)
            case .maxPool, .averagePool, .adaptiveAveragePool:
                poolingForward(index: index, x: x, rows: rows)
                x = UnsafePointer(output)
            }
            outputs[index] = x
        }
        return x
    }

    /// Back-propagates the loss gradient held in the first gradient buffer through the operations,
    /// writing (or adding) the parameters' gradients. Operations before the first trainable one
    /// get no gradient, and the first trainable one computes no input gradient.
    ///
    /// With an `updater` (a batch of one row, not accumulating) the parameters are updated in the
    /// pass and no ``Parameter/gradient`` is set: each ``Linear``'s input gradient is taken from
    /// its old weights, then its weights get the gradient `g[i]·x[j]` formed per element
    /// (``OuterProductUpdate``; applied at the end of the pass, all layers in one split across
    /// threads), or, when the optimizer has no such form, written to the step's gradient buffer
    /// and passed to `update(name:value:gradient:)`; the bias always takes the second way.
    ///
    /// With `nextInput` (a fused step told the next sample) the first layer's update also writes
    /// that sample's first-layer outputs into its output buffer (see ``FirstLayerLookahead``) and
    /// sets ``lookaheadWasComputed``.
    func backward(input: UnsafePointer<Scalar>, rows: Int, accumulate: Bool, updater: (any CompiledStepUpdater)? = nil,
                  nextInput: UnsafePointer<Scalar>? = nil) throws {
        let fused = updater != nil
        lookaheadWasComputed = false
        // The optimizer state of a prepared update has advanced: apply it even if a later
        // update throws.
        defer { if fused { applyPendingUpdates(nextInput: nextInput) } }
        guard let first = operations.firstIndex(where: \.hasTrainableParameters) else { return }
        var g = gradientBuffers.0, spare = gradientBuffers.1
        // Set when a ReLU's pass also summed the bias gradient of the Linear below it.
        var biasGradientDone = false
        for index in stride(from: operations.count - 1, through: first, by: -1) {
            let x = index == 0 ? input : outputs[index - 1]
            let outWidth = operations[index].outputWidth, inWidth = operations[index].inputWidth
            switch operations[index].kind {
            case let .activation(operation):
                if case .relu = operation, index > first, outWidth > 1,
                   case let .linear(_, bias?) = operations[index - 1].kind, !bias.isFrozen {
                    // ReLU's derivative and the bias gradient below it (its column sums) in one
                    // pass; the same arithmetic in the same order as the two separate kernels.
                    let (target, beta) = gradientTarget(operations[index - 1].biasGradient!, of: bias, accumulate: accumulate, assigns: !fused)
                    let sums = beta == 0 ? target : operations[index - 1].biasScratch!
                    reluDerivativeWithColumnSums(x: x, upstream: g, spare, rows: rows, columns: outWidth, sums: sums)
                    if beta != 0 {
                        Scalar.applyBinary(.add, target, lhsStride: 1, sums, rhsStride: 1, target, count: outWidth)
                    }
                    biasGradientDone = true
                } else {
                    Scalar.applyUnaryDerivative(operation, x: x, y: outputs[index], upstream: g, spare, count: rows * outWidth)
                }
                swap(&g, &spare)
            case .convolution:
                try convolutionBackward(index: index, first: first, x: x, g: g, spare: spare, rows: rows,
                                        accumulate: accumulate, updater: updater)
                if index > first { swap(&g, &spare) }
            case .maxPool, .averagePool, .adaptiveAveragePool:
                poolingBackward(index: index, dy: g, dx: spare, rows: rows)
                swap(&g, &spare)
            case .dropout:
                if outputs[index] == x { continue }  // the identity in this pass (p = 0)
                Scalar.applyBinary(.multiply, g, lhsStride: 1, operations[index].mask!, rhsStride: 1, spare, count: rows * outWidth)
                swap(&g, &spare)
            case let .linear(weight, bias):
                if let updater, rows > 1 {
                    try batchLinearBackward(index: index, first: first, x: x, g: g, spare: spare, rows: rows,
                                            biasGradientDone: biasGradientDone, updater: updater)
                    biasGradientDone = false
                    if index > first { swap(&g, &spare) }
                    continue
                }
                if let updater {
                    try fusedLinearBackward(index: index, first: first, x: x, g: g, spare: spare,
                                            biasGradientDone: biasGradientDone, updater: updater)
                    biasGradientDone = false
                    if index > first { swap(&g, &spare) }
                    continue
                }
                if !weight.isFrozen {
                    // ∂W = Gᵀ·X: [out, rows]·[rows, in].
                    let (target, beta) = gradientTarget(operations[index].weightGradient!, of: weight, accumulate: accumulate)
                    if rows == 1 && beta == 0 {
                        // A batch of one: the outer product g·xᵀ, without packing a k = 1 GEMM.
                        outerProduct(g, x, target, rows: outWidth, columns: inWidth)
                    } else {
                        Scalar.gemm(transposeA: true, transposeB: false, m: outWidth, n: inWidth, k: rows, alpha: 1,
                                    a: g, lda: outWidth, b: x, ldb: inWidth, beta: beta, c: target, ldc: inWidth)
                    }
                }
                if biasGradientDone {
                    biasGradientDone = false
                } else if let bias, !bias.isFrozen {
                    // ∂b = Σ_rows G, by the same reduction kernel as the autodiff path; when
                    // accumulating, summed apart and then added, as backward() adds.
                    let (target, beta) = gradientTarget(operations[index].biasGradient!, of: bias, accumulate: accumulate)
                    if beta == 0 {
                        Scalar.reduce(.sum, g, outer: 1, length: rows, inner: outWidth, target)
                    } else {
                        let scratch = operations[index].biasScratch!
                        Scalar.reduce(.sum, g, outer: 1, length: rows, inner: outWidth, scratch)
                        Scalar.applyBinary(.add, target, lhsStride: 1, scratch, rhsStride: 1, target, count: outWidth)
                    }
                }
                if index > first {
                    // ∂X = G·W: [rows, out]·[out, in].
                    Scalar.gemm(transposeA: false, transposeB: false, m: rows, n: inWidth, k: outWidth, alpha: 1,
                                a: g, lda: outWidth, b: weight.valuePointer(), ldb: inWidth,
                                beta: 0, c: spare, ldc: inWidth)
                    swap(&g, &spare)
                }
            }
        }
    }

    /// Where a parameter's gradient is written, and whether to add to it (`beta = 1`).
    ///
    /// The step owns one gradient tensor per parameter and hands it to the parameter. When
    /// accumulating, an existing gradient that is not that tensor (set by someone else, or a copy
    /// made by clipping) is copied into it first; a `nil` gradient counts as zero.
    /// With `assigns` false (a fused step) the tensor is written but not handed to the parameter.
    @inline(__always)
    func gradientTarget(_ owned: Tensor<Scalar>, of parameter: Parameter<Scalar>, accumulate: Bool,
                        assigns: Bool = true) -> (UnsafeMutablePointer<Scalar>, Scalar) {
        let pointer = owned.storage.pointer
        if !assigns { return (pointer, 0) }
        if accumulate, let existing = parameter.gradient {
            if existing.storage !== owned.storage {
                precondition(existing.scalarCount == owned.scalarCount, "CompiledStep: a gradient of shape \(existing.shape) does not fit its parameter of shape \(owned.shape)")
                pointer.update(from: existing.storage.pointer, count: owned.scalarCount)
                parameter.gradient = owned
            }
            return (pointer, 1)
        }
        parameter.gradient = owned
        return (pointer, 0)
    }

    /// The forward product `C = X·Wᵀ + beta·C` (`m × n`, depth `k`, contiguous) with `epilogue`,
    /// through ``GEMM`` for the concrete type.
    func multiply(m: Int, n: Int, k: Int, a: UnsafePointer<Scalar>, b: UnsafePointer<Scalar>, beta: Scalar,
                  c: UnsafeMutablePointer<Scalar>, epilogue: GEMM.Epilogue) {
        if Scalar.self == Float.self {
            GEMM.multiply(transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1, a: cast(a, Float.self), lda: k,
                          b: cast(b, Float.self), ldb: k, beta: Float(beta), c: castMutable(c, Float.self), ldc: n, epilogue: epilogue)
        } else {
            GEMM.multiply(transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1, a: cast(a, Double.self), lda: k,
                          b: cast(b, Double.self), ldb: k, beta: Double(beta), c: castMutable(c, Double.self), ldc: n, epilogue: epilogue)
        }
    }

    /// ``ElementKernels/reluDerivativeWithColumnSums(x:upstream:_:rows:columns:sums:)`` for the concrete type.
    func reluDerivativeWithColumnSums(x: UnsafePointer<Scalar>, upstream g: UnsafePointer<Scalar>, _ out: UnsafeMutablePointer<Scalar>,
                                      rows: Int, columns: Int, sums: UnsafeMutablePointer<Scalar>) {
        if Scalar.self == Float.self {
            ElementKernels.reluDerivativeWithColumnSums(x: cast(x, Float.self), upstream: cast(g, Float.self), castMutable(out, Float.self),
                                                        rows: rows, columns: columns, sums: castMutable(sums, Float.self))
        } else {
            ElementKernels.reluDerivativeWithColumnSums(x: cast(x, Double.self), upstream: cast(g, Double.self), castMutable(out, Double.self),
                                                        rows: rows, columns: columns, sums: castMutable(sums, Double.self))
        }
    }

    /// `out[i, j] = u[i]·v[j]` with the loop compiled for the concrete type.
    func outerProduct(_ u: UnsafePointer<Scalar>, _ v: UnsafePointer<Scalar>, _ out: UnsafeMutablePointer<Scalar>, rows: Int, columns: Int) {
        if Scalar.self == Float.self {
            outerProductLoop(cast(u, Float.self), cast(v, Float.self), castMutable(out, Float.self), rows: rows, columns: columns)
        } else {
            outerProductLoop(cast(u, Double.self), cast(v, Double.self), castMutable(out, Double.self), rows: rows, columns: columns)
        }
    }
}

@inline(__always)
func outerProductLoop<T: KernelScalar>(_ u: UnsafePointer<T>, _ v: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, rows: Int, columns: Int) {
    for i in 0..<rows {
        let ui = u[i], row = out + i * columns
        for j in 0..<columns { row[j] = ui * v[j] }
    }
}
