import DescentKernels

extension Tensor {
    func normalizedAxis(_ axis: Int, operation: String) -> Int {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < Swift.max(rank, 1), "\(operation): axis \(axis) is out of range for shape \(shape)")
        return a
    }

    /// Reduces one axis with a kernel, without recording anything.
    func reduceAxis(_ axis: Int, _ operation: ReduceOperation, keepingDimension: Bool) -> Tensor {
        if rank == 0 { return self }
        let outer = shape[..<axis].reduce(1, *)
        let length = shape[axis]
        let inner = shape[(axis + 1)...].reduce(1, *)
        var newShape = shape
        if keepingDimension { newShape[axis] = 1 } else { newShape.remove(at: axis) }
        let input = self
        return Tensor(shape: newShape) { out in
            Scalar.reduce(operation, input.storage.pointer, outer: outer, length: length, inner: inner, out.baseAddress!)
        }
    }

    /// Axes to reduce, normalised and sorted descending (so removing them keeps indices valid).
    func reductionAxes(_ axes: [Int]?, operation: String) -> [Int] {
        let list = axes ?? Array(0..<rank)
        return Set(list.map { normalizedAxis($0, operation: operation) }).sorted(by: >)
    }

    /// The shape after reducing `axes` with the dimensions kept as 1.
    func keptShape(reducing axes: [Int]) -> [Int] {
        var s = shape
        for a in axes { s[a] = 1 }
        return s
    }

    /// Sum over `axes` (all axes when `nil`), keeping reduced axes as size 1 when `keepingDimensions`
    /// (`torch.sum(x, dim, keepdim)`).
    public func sum(alongAxes axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        let list = reductionAxes(axes, operation: "sum")
        var result = self.detached()
        if rank > 0 && list.count == rank && !keepingDimensions {
            result = result.reshapedUnchecked([scalarCount]).reduceAxis(0, .sum, keepingDimension: false)
        } else {
            for a in list { result = result.reduceAxis(a, .sum, keepingDimension: true) }
            if !keepingDimensions { result = result.reshapedUnchecked(shape.enumerated().filter { !list.contains($0.offset) }.map { $0.element }) }
        }
        let inputShape = shape, kept = keptShape(reducing: list)
        Tensor.record(&result, inputs: [self]) { g in [g.reshapedUnchecked(kept).broadcastMaterialized(to: inputShape)] }
        return result
    }

    /// Sum along one axis.
    public func sum(alongAxis axis: Int, keepingDimension: Bool = false) -> Tensor {
        sum(alongAxes: [axis], keepingDimensions: keepingDimension)
    }

    /// Mean over `axes` (all when `nil`) (`torch.mean`). The mean of no elements is NaN (0/0), as
    /// PyTorch's; nothing is read.
    public func mean(alongAxes axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        let list = reductionAxes(axes, operation: "mean")
        let count = list.reduce(1) { $0 * shape[$1] }
        return sum(alongAxes: axes, keepingDimensions: keepingDimensions) / Scalar(count)
    }

    /// Mean along one axis.
    public func mean(alongAxis axis: Int, keepingDimension: Bool = false) -> Tensor {
        mean(alongAxes: [axis], keepingDimensions: keepingDimension)
    }

    private func extremum(_ operation: ReduceOperation, axes: [Int]?, keepingDimensions: Bool, name: String) -> Tensor {
        let list = reductionAxes(axes, operation: name)
        var kept = self.detached()
        for a in list { kept = kept.reduceAxis(a, operation, keepingDimension: true) }
        let keptShape = kept.shape
        var result = keepingDimensions ? kept : kept.reshapedUnchecked(shape.enumerated().filter { !list.contains($0.offset) }.map { $0.element })
        let input = self.detached()
        Tensor.record(&result, inputs: [self]) { g in
            // As `torch.amax`: the gradient is split equally between tied extreme elements.
            let mask = input .== kept
            let ties = mask.sum(alongAxes: list, keepingDimensions: true)
            return [mask * (g.reshapedUnchecked(keptShape) / ties)]
        }
        return result
    }

    /// Largest element over `axes` (all when `nil`) (`torch.amax`); ties share the gradient equally.
    /// An empty axis gives `−∞`, the identity of `max` (PyTorch refuses it).
    public func max(alongAxes axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        extremum(.max, axes: axes, keepingDimensions: keepingDimensions, name: "max")
    }

    /// Smallest element over `axes` (all when `nil`) (`torch.amin`); ties share the gradient equally.
    /// An empty axis gives `+∞`, the identity of `min`.
    public func min(alongAxes axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        extremum(.min, axes: axes, keepingDimensions: keepingDimensions, name: "min")
    }

    /// Index of the first largest element along `axis` (`torch.argmax`), as integers; `-1` for
    /// every slice of an empty axis (which PyTorch refuses), so no index is ever made up.
    public func argmax(alongAxis axis: Int = -1) -> [Int] {
        reduceAxis(normalizedAxis(axis, operation: "argmax"), .argmax, keepingDimension: false).wholeNumbers
    }

    /// Index of the first smallest element along `axis` (`torch.argmin`), as integers; `-1` for
    /// every slice of an empty axis.
    public func argmin(alongAxis axis: Int = -1) -> [Int] {
        reduceAxis(normalizedAxis(axis, operation: "argmin"), .argmin, keepingDimension: false).wholeNumbers
    }

    /// The elements, whole numbers (indices), as `Int`s; through `Double`, so the conversion is
    /// the concrete one rather than a generic call per element (`doubles`).
    private var wholeNumbers: [Int] { doubles.map { Int($0) } }

    /// `log Σ exp(x)` over `axes`, computed stably by subtracting the maximum (`torch.logsumexp`).
    public func logSumExp(alongAxes axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        let list = reductionAxes(axes, operation: "logSumExp")
        var shift = self.detached()
        for a in list { shift = shift.reduceAxis(a, .max, keepingDimension: true) }
        // An all −∞ (or +∞) slice would give ∞ − ∞; shift by 0 there, as PyTorch does.
        shift = shift.replacing(with: Tensor(zerosLike: shift), where: shift.abs() .== Tensor(Scalar.infinity))
        let kept = ((self - shift).exp().sum(alongAxes: list, keepingDimensions: true)).log() + shift
        return keepingDimensions ? kept : kept.reshapedUnchecked(shape.enumerated().filter { !list.contains($0.offset) }.map { $0.element })
    }

    /// Variance over `axes` with Bessel's `correction` (`torch.var`, default correction 1).
    public func variance(alongAxes axes: [Int]? = nil, correction: Int = 1, keepingDimensions: Bool = false) -> Tensor {
        let list = reductionAxes(axes, operation: "variance")
        let count = list.reduce(1) { $0 * shape[$1] }
        let centered = self - mean(alongAxes: list, keepingDimensions: true)
        return centered.squared().sum(alongAxes: list, keepingDimensions: keepingDimensions) / Scalar(Swift.max(count - correction, 0))
    }

    /// `softmax` along `axis`: `exp(x − logsumexp(x))` (`torch.softmax`).
    public func softmax(alongAxis axis: Int = -1) -> Tensor { logSoftmax(alongAxis: axis).exp() }

    /// `x − logsumexp(x)` along `axis`, computed stably (`torch.log_softmax`).
    public func logSoftmax(alongAxis axis: Int = -1) -> Tensor {
        self - logSumExp(alongAxes: [axis], keepingDimensions: true)
    }
}
