import DescentKernels

extension Tensor {
    /// Applies a binary kernel with broadcasting, without recording anything.
    static func broadcastApply(_ operation: BinaryOperation, _ a: Tensor, _ b: Tensor, name: String) -> Tensor {
        if a.shape == b.shape {
            return Tensor(shape: a.shape) { out in
                Scalar.applyBinary(operation, a.storage.pointer, lhsStride: 1, b.storage.pointer, rhsStride: 1, out.baseAddress!, count: out.count)
            }
        }
        guard let shape = Broadcasting.shape(a.shape, b.shape) else {
            preconditionFailure("\(name): shapes \(a.shape) and \(b.shape) cannot be broadcast together")
        }
        if b.scalarCount == 1 && shape == a.shape {
            return Tensor(shape: shape) { out in
                Scalar.applyBinary(operation, a.storage.pointer, lhsStride: 1, b.storage.pointer, rhsStride: 0, out.baseAddress!, count: out.count)
            }
        }
        if a.scalarCount == 1 && shape == b.shape {
            return Tensor(shape: shape) { out in
                Scalar.applyBinary(operation, a.storage.pointer, lhsStride: 0, b.storage.pointer, rhsStride: 1, out.baseAddress!, count: out.count)
            }
        }
        let stridesA = Broadcasting.strides(of: a.shape, broadcastTo: shape)
        let stridesB = Broadcasting.strides(of: b.shape, broadcastTo: shape)
        let rowLength = shape.last ?? 1
        let innerA = stridesA.last ?? 0, innerB = stridesB.last ?? 0
        return Tensor(shape: shape) { out in
            let pa = a.storage.pointer, pb = b.storage.pointer, po = out.baseAddress!
            Broadcasting.forEachRow(of: shape, stridesA: stridesA, stridesB: stridesB) { oa, ob, oo in
                Scalar.applyBinary(operation, pa + oa, lhsStride: innerA, pb + ob, rhsStride: innerB, po + oo, count: rowLength)
            }
        }
    }

    /// This tensor broadcast to `shape` (materialised), without recording anything.
    func broadcastMaterialized(to target: [Int]) -> Tensor {
        if shape == target { return self }
        return Tensor.broadcastApply(.add, Tensor(repeating: 0, shape: target), self, name: "broadcast")
    }

    /// Sums a broadcast gradient back to `target` (the operand's shape): over leading axes the
    /// operand did not have and over axes where the operand has size 1.
    func summed(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        var result = self
        let extra = rank - target.count
        // Sum the leading axes away.
        for _ in 0..<extra { result = result.reduceAxis(0, .sum, keepingDimension: false) }
        for axis in 0..<target.count where target[axis] == 1 && result.shape[axis] != 1 {
            result = result.reduceAxis(axis, .sum, keepingDimension: true)
        }
        return result
    }

    static func binary(_ operation: BinaryOperation, _ a: Tensor, _ b: Tensor, name: String) -> Tensor {
        // Generic code is not specialised across modules, so callers in DescentNN or user code run
        // this through witness tables and metadata lookups; hop to the Float/Double specialisation.
        if Scalar.self == Float.self {
            return unsafeBitCast(Tensor<Float>.binaryImplementation(
                operation, unsafeBitCast(a, to: Tensor<Float>.self), unsafeBitCast(b, to: Tensor<Float>.self), name: name), to: Tensor.self)
        }
        if Scalar.self == Double.self {
            return unsafeBitCast(Tensor<Double>.binaryImplementation(
                operation, unsafeBitCast(a, to: Tensor<Double>.self), unsafeBitCast(b, to: Tensor<Double>.self), name: name), to: Tensor.self)
        }
        return binaryImplementation(operation, a, b, name: name)
    }

    static func binaryImplementation(_ operation: BinaryOperation, _ a: Tensor, _ b: Tensor, name: String) -> Tensor {
        var result = broadcastApply(operation, a, b, name: name)
        guard GradientMode.isEnabled, a.node != nil || b.node != nil else { return result }
        let shapeA = a.shape, shapeB = b.shape
        switch operation {
        case .add:
            record(&result, inputs: [a, b]) { g in [g.summed(toShape: shapeA), g.summed(toShape: shapeB)] }
        case .subtract:
            record(&result, inputs: [a, b]) { g in [g.summed(toShape: shapeA), (-g).summed(toShape: shapeB)] }
        case .multiply:
            record(&result, inputs: [a, b]) { g in
                [a.node == nil ? nil : (g * b).summed(toShape: shapeA),
                 b.node == nil ? nil : (g * a).summed(toShape: shapeB)]
            }
        case .divide:
            record(&result, inputs: [a, b]) { g in
                [a.node == nil ? nil : (g / b).summed(toShape: shapeA),
                 b.node == nil ? nil : (-g * a / (b * b)).summed(toShape: shapeB)]
            }
        case .power:
            let y = result.detached()
            record(&result, inputs: [a, b]) { g in
                // d(a^b)/da = b·a^(b−1); d(a^b)/db = a^b·log a.
                [a.node == nil ? nil : (g * b * Tensor.binary(.power, a, b - 1, name: "pow")).summed(toShape: shapeA),
                 b.node == nil ? nil : (g * y * a.log()).summed(toShape: shapeB)]
            }
        case .maximum, .minimum:
            record(&result, inputs: [a, b]) { g in
                // As PyTorch: the gradient goes to the larger (smaller) operand and is split equally on ties.
                let wins = operation == .maximum ? Tensor.broadcastApply(.greater, a, b, name: "max") : Tensor.broadcastApply(.less, a, b, name: "min")
                let ties = Tensor.broadcastApply(.equal, a, b, name: "max")
                let shareA = wins + ties * 0.5
                let shareB = (1 - wins) - ties * 0.5
                return [(g * shareA).summed(toShape: shapeA), (g * shareB).summed(toShape: shapeB)]
            }
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual:
            break  // piecewise constant: no gradient
        }
        return result
    }

    // MARK: Operators

    /// Elementwise sum with broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor { binary(.add, a, b, name: "+") }
    /// Elementwise difference with broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor { binary(.subtract, a, b, name: "-") }
    /// Elementwise product with broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor { binary(.multiply, a, b, name: "*") }
    /// Elementwise quotient with broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor { binary(.divide, a, b, name: "/") }

    public static func + (a: Tensor, b: Scalar) -> Tensor { a + Tensor(b) }
    public static func + (a: Scalar, b: Tensor) -> Tensor { Tensor(a) + b }
    public static func - (a: Tensor, b: Scalar) -> Tensor { a - Tensor(b) }
    public static func - (a: Scalar, b: Tensor) -> Tensor { Tensor(a) - b }
    public static func * (a: Tensor, b: Scalar) -> Tensor { a * Tensor(b) }
    public static func * (a: Scalar, b: Tensor) -> Tensor { Tensor(a) * b }
    public static func / (a: Tensor, b: Scalar) -> Tensor { a / Tensor(b) }
    public static func / (a: Scalar, b: Tensor) -> Tensor { Tensor(a) / b }

    public static func += (a: inout Tensor, b: Tensor) { a = a + b }
    public static func -= (a: inout Tensor, b: Tensor) { a = a - b }
    public static func *= (a: inout Tensor, b: Tensor) { a = a * b }
    public static func /= (a: inout Tensor, b: Tensor) { a = a / b }

    /// Elementwise `self^exponent` with broadcasting (`torch.pow`).
    public func pow(_ exponent: Tensor) -> Tensor { Tensor.binary(.power, self, exponent, name: "pow") }

    /// Elementwise larger of two tensors (`torch.maximum`); NaN if either is NaN.
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor { binary(.maximum, a, b, name: "maximum") }
    /// Elementwise smaller of two tensors (`torch.minimum`); NaN if either is NaN.
    public static func minimum(_ a: Tensor, _ b: Tensor) -> Tensor { binary(.minimum, a, b, name: "minimum") }

    // MARK: Comparisons (masks of 0 and 1, no gradient)

    public static func .== (a: Tensor, b: Tensor) -> Tensor { broadcastApply(.equal, a, b, name: ".==") }
    public static func .!= (a: Tensor, b: Tensor) -> Tensor { broadcastApply(.notEqual, a, b, name: ".!=") }
    public static func .< (a: Tensor, b: Tensor) -> Tensor { broadcastApply(.less, a, b, name: ".<") }
    public static func .<= (a: Tensor, b: Tensor) -> Tensor { broadcastApply(.lessEqual, a, b, name: ".<=") }
    public static func .> (a: Tensor, b: Tensor) -> Tensor { broadcastApply(.greater, a, b, name: ".>") }
    public static func .>= (a: Tensor, b: Tensor) -> Tensor { broadcastApply(.greaterEqual, a, b, name: ".>=") }
    public static func .== (a: Tensor, b: Scalar) -> Tensor { a .== Tensor(b) }
    public static func .< (a: Tensor, b: Scalar) -> Tensor { a .< Tensor(b) }
    public static func .> (a: Tensor, b: Scalar) -> Tensor { a .> Tensor(b) }
    public static func .<= (a: Tensor, b: Scalar) -> Tensor { a .<= Tensor(b) }
    public static func .>= (a: Tensor, b: Scalar) -> Tensor { a .>= Tensor(b) }

    /// Elements of `other` where `mask` is nonzero, else of `self`: `torch.where(mask, other, self)`.
    /// All three are broadcast together; the gradient flows only to the chosen elements.
    public func replacing(with other: Tensor, where mask: Tensor) -> Tensor {
        let shape = Broadcasting.shape(Broadcasting.shape(self.shape, other.shape) ?? [], mask.shape)
        guard let shape, Broadcasting.shape(self.shape, other.shape) != nil else {
            preconditionFailure("replacing(with:where:): shapes \(self.shape), \(other.shape) and mask \(mask.shape) cannot be broadcast together")
        }
        let m = mask.broadcastMaterialized(to: shape), a = self.detached().broadcastMaterialized(to: shape)
        let b = other.detached().broadcastMaterialized(to: shape)
        var result = Tensor(shape: shape) { out in
            let pm = m.storage.pointer, pa = a.storage.pointer, pb = b.storage.pointer
            for i in 0..<out.count { out[i] = pm[i] != 0 ? pb[i] : pa[i] }
        }
        let shapeA = self.shape, shapeB = other.shape
        Tensor.record(&result, inputs: [self, other]) { g in
            let zero = Tensor(zerosLike: g)
            return [g.replacing(with: zero, where: m).summed(toShape: shapeA),
                    zero.replacing(with: g, where: m).summed(toShape: shapeB)]
        }
        return result
    }
}

infix operator .== : ComparisonPrecedence
infix operator .!= : ComparisonPrecedence
infix operator .< : ComparisonPrecedence
infix operator .<= : ComparisonPrecedence
infix operator .> : ComparisonPrecedence
infix operator .>= : ComparisonPrecedence
