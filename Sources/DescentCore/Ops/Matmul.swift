extension Tensor {
    /// Matrix product (`torch.matmul` for rank ≥ 2).
    ///
    /// - `[m, k] · [k, n] → [m, n]`
    /// - batched: `[..., m, k] · [..., k, n] → [..., m, n]` with equal batch axes, or one operand of
    ///   rank 2 shared across the other's batch.
    ///
    /// The kernel is `GEMM.multiply` (blocked and multi-threaded); the backward pass uses transposed
    /// GEMMs, never materialised transposes: `∂A = G·Bᵀ`, `∂B = Aᵀ·G`.
    public func matmul(_ other: Tensor) -> Tensor {
        // Generic code is not specialised across modules, so callers in DescentNN or user code run
        // this through witness tables and metadata lookups; hop to the Float/Double specialisation.
        if Scalar.self == Float.self {
            return unsafeBitCast(unsafeBitCast(self, to: Tensor<Float>.self)
                .matmulImplementation(unsafeBitCast(other, to: Tensor<Float>.self)), to: Tensor.self)
        }
        if Scalar.self == Double.self {
            return unsafeBitCast(unsafeBitCast(self, to: Tensor<Double>.self)
                .matmulImplementation(unsafeBitCast(other, to: Tensor<Double>.self)), to: Tensor.self)
        }
        return matmulImplementation(other)
    }

    func matmulImplementation(_ other: Tensor) -> Tensor {
        let a = self, b = other
        precondition(a.rank >= 2 && b.rank >= 2, "matmul: needs rank ≥ 2 operands, shapes are \(a.shape) and \(b.shape)")
        let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1]
        let k2 = b.shape[b.rank - 2], n = b.shape[b.rank - 1]
        precondition(k == k2, "matmul: inner sizes differ: shapes \(a.shape) and \(b.shape)")
        let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
        precondition(batchA == batchB || batchA.isEmpty || batchB.isEmpty,
                     "matmul: batch shapes \(batchA) and \(batchB) differ (shapes \(a.shape) and \(b.shape))")
        let batchShape = batchA.isEmpty ? batchB : batchA
        let batches = batchShape.reduce(1, *)
        var result: Tensor
        if batchB.isEmpty {
            // [..., m, k]·[k, n]: one GEMM over all rows of A.
            result = Tensor(shape: batchShape + [m, n]) { out in
                Scalar.gemm(transposeA: false, transposeB: false, m: batches * m, n: n, k: k, alpha: 1,
                            a: a.storage.pointer, lda: k, b: b.storage.pointer, ldb: n, beta: 0, c: out.baseAddress!, ldc: n)
            }
        } else {
            result = Tensor(shape: batchShape + [m, n]) { out in
                for i in 0..<batches {
                    Scalar.gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1,
                                a: a.storage.pointer + (batchA.isEmpty ? 0 : i * m * k), lda: k,
                                b: b.storage.pointer + i * k * n, ldb: n, beta: 0, c: out.baseAddress! + i * m * n, ldc: n)
                }
            }
        }
        Tensor.record(&result, inputs: [a, b]) { g in
            var gradA: Tensor? = nil, gradB: Tensor? = nil
            if a.node != nil {
                var ga = Tensor(zeros: a.shape)
                ga.withUnsafeMutableBufferPointer { out in
                    for i in 0..<batches {
                        // ∂A_i (+)= G_i·B_iᵀ; a shared A sums over the batch (beta 1 after the first).
                        let shared = batchA.isEmpty
                        Scalar.gemm(transposeA: false, transposeB: true, m: m, n: k, k: n, alpha: 1,
                                    a: g.storage.pointer + i * m * n, lda: n,
                                    b: b.storage.pointer + (batchB.isEmpty ? 0 : i * k * n), ldb: n,
                                    beta: shared && i > 0 ? 1 : 0, c: out.baseAddress! + (shared ? 0 : i * m * k), ldc: k)
                    }
                }
                gradA = ga
            }
            if b.node != nil {
                var gb = Tensor(zeros: b.shape)
                gb.withUnsafeMutableBufferPointer { out in
                    if batchB.isEmpty {
                        // ∂B = Aᵀ·G over all rows of the batch at once.
                        Scalar.gemm(transposeA: true, transposeB: false, m: k, n: n, k: batches * m, alpha: 1,
                                    a: a.storage.pointer, lda: k, b: g.storage.pointer, ldb: n, beta: 0, c: out.baseAddress!, ldc: n)
                    } else {
                        for i in 0..<batches {
                            let shared = batchA.isEmpty
                            Scalar.gemm(transposeA: true, transposeB: false, m: k, n: n, k: m, alpha: 1,
                                        a: a.storage.pointer + (shared ? 0 : i * m * k), lda: k,
                                        b: g.storage.pointer + i * m * n, ldb: n, beta: 0, c: out.baseAddress! + i * k * n, ldc: n)
                        }
                    }
                }
                gradB = gb
            }
            return [gradA, gradB]
        }
        return result
    }

    /// The affine map of a fully connected layer, `x·Wᵀ + b`, in one GEMM
    /// (`torch.nn.functional.linear`). `x` is `[..., in]`, `weight` is `[out, in]`, `bias` is `[out]`.
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        // Generic code is not specialised across modules, so callers in DescentNN or user code run
        // this through witness tables and metadata lookups; hop to the Float/Double specialisation.
        if Scalar.self == Float.self {
            return unsafeBitCast(Tensor<Float>.linearImplementation(
                unsafeBitCast(x, to: Tensor<Float>.self), weight: unsafeBitCast(weight, to: Tensor<Float>.self),
                bias: unsafeBitCast(bias, to: Tensor<Float>?.self)), to: Tensor.self)
        }
        if Scalar.self == Double.self {
            return unsafeBitCast(Tensor<Double>.linearImplementation(
                unsafeBitCast(x, to: Tensor<Double>.self), weight: unsafeBitCast(weight, to: Tensor<Double>.self),
                bias: unsafeBitCast(bias, to: Tensor<Double>?.self)), to: Tensor.self)
        }
        return linearImplementation(x, weight: weight, bias: bias)
    }

    static func linearImplementation(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        precondition(x.rank >= 1 && weight.rank == 2 && x.shape[x.rank - 1] == weight.shape[1],
                     "linear: input of shape \(x.shape) does not fit a weight of shape \(weight.shape) ([out, in])")
        if let bias { precondition(bias.shape == [weight.shape[0]], "linear: bias of shape \(bias.shape) does not fit a weight of shape \(weight.shape)") }
        let inFeatures = weight.shape[1], outFeatures = weight.shape[0]
        // The rows are the product of the leading axes, not `scalarCount / inFeatures`: with no
        // input features (`[n, 0]`) there are still n rows, each the bias (or 0).
        let rows = x.shape.dropLast().reduce(1, *)
        let outShape = Array(x.shape.dropLast()) + [outFeatures]
        var result = Tensor(shape: outShape) { out in
            let c = out.baseAddress!
            if let bias {
                // Start from the bias in every row, then accumulate x·Wᵀ into it (beta = 1).
                for r in 0..<rows { (c + r * outFeatures).update(from: bias.storage.pointer, count: outFeatures) }
            }
            Scalar.gemm(transposeA: false, transposeB: true, m: rows, n: outFeatures, k: inFeatures, alpha: 1,
                        a: x.storage.pointer, lda: inFeatures, b: weight.storage.pointer, ldb: inFeatures,
                        beta: bias == nil ? 0 : 1, c: c, ldc: outFeatures)
        }
        var inputs = [x, weight]
        if let bias { inputs.append(bias) }
        record(&result, inputs: inputs) { g in
            var grads: [Tensor?] = [nil, nil, nil]
            if x.node != nil {
                grads[0] = Tensor(shape: x.shape) { out in
                    Scalar.gemm(transposeA: false, transposeB: false, m: rows, n: inFeatures, k: outFeatures, alpha: 1,
                                a: g.storage.pointer, lda: outFeatures, b: weight.storage.pointer, ldb: inFeatures,
                                beta: 0, c: out.baseAddress!, ldc: inFeatures)
                }
            }
            if weight.node != nil {
                grads[1] = Tensor(shape: weight.shape) { out in
                    Scalar.gemm(transposeA: true, transposeB: false, m: outFeatures, n: inFeatures, k: rows, alpha: 1,
                                a: g.storage.pointer, lda: outFeatures, b: x.storage.pointer, ldb: inFeatures,
                                beta: 0, c: out.baseAddress!, ldc: inFeatures)
                }
            }
            if let bias, bias.node != nil {
                grads[2] = g.detached().reshapedUnchecked([rows, outFeatures]).reduceAxis(0, .sum, keepingDimension: false)
            }
            return Array(grads.prefix(inputs.count))
        }
        return result
    }
}
