/// The comparison of analytic and numerical gradients for one parameter tensor.
public struct GradientCheckResult: Sendable, Codable, Equatable {
    /// The parameter's name.
    public var name: String
    /// The parameter's shape.
    public var shape: [Int]
    /// `∂f/∂θ` from the backward pass, row-major.
    public var analytic: [Double]
    /// `(f(θ+h) − f(θ−h)) / 2h`, row-major.
    public var numeric: [Double]
    /// The largest `|a − n| / max(|a|, |n|)` over the elements (0 where both are 0).
    public var maxRelativeError: Double
}

/// Checks analytic gradients against central differences (cs231n's recipe; PyTorch's
/// `torch.autograd.gradcheck` does the same with an absolute/relative tolerance instead).
///
/// For each element θᵢ of each parameter, `nᵢ = (f(θ + h·eᵢ) − f(θ − h·eᵢ)) / 2h`, and the result
/// reports the maximum relative error `|aᵢ − nᵢ| / max(|aᵢ|, |nᵢ|)`.
///
/// Use `Double`: with `h = 1e-6` the error floor is about 1e-10 and a correct smooth gradient gives
/// less than 1e-7. At kinks (`relu`, `abs`, `max`) crossed between θ−h and θ+h expect up to about
/// 1e-4. `Float` needs `h ≈ 1e-3` and thresholds near 1e-2 (rounding error grows as ε/h).
public enum GradientChecker {
    /// The default step `h` for `Double`.
    public static let defaultStepSize = 1e-6

    /// Compares the gradient of the scalar `function` of `parameters` with central differences.
    ///
    /// - Parameters:
    ///   - parameters: named tensors; each is passed to `function` as a leaf that requires a gradient.
    ///   - stepSize: `h`. The default value is `1e-6` (right for `Double`; use about `1e-3` for `Float`).
    ///   - function: computes a one-element tensor from the parameters, in the same order.
    /// - Throws: what `function` or the backward pass throws.
    public static func check<Scalar: TensorScalar>(
        _ parameters: [(name: String, value: Tensor<Scalar>)],
        stepSize: Double = defaultStepSize,
        function: ([Tensor<Scalar>]) throws -> Tensor<Scalar>
    ) throws -> [GradientCheckResult] {
        let leaves = parameters.map { $0.value.detached().requiringGradient() }
        let output = try function(leaves)
        try output.backward()
        var results: [GradientCheckResult] = []
        for (index, parameter) in parameters.enumerated() {
            let analytic = leaves[index].gradient?.doubles ?? [Double](repeating: 0, count: parameter.value.scalarCount)
            var numeric = [Double](repeating: 0, count: analytic.count)
            var inputs = parameters.map { $0.value.detached() }
            for i in 0..<numeric.count {
                let original = inputs[index].storage.pointer[i]
                inputs[index].withUnsafeMutableBufferPointer { $0[i] = Scalar(Double(original) + stepSize) }
                let plus = try withoutGradients { Double(try function(inputs).scalar) }
                inputs[index].withUnsafeMutableBufferPointer { $0[i] = Scalar(Double(original) - stepSize) }
                let minus = try withoutGradients { Double(try function(inputs).scalar) }
                inputs[index].withUnsafeMutableBufferPointer { $0[i] = original }
                numeric[i] = (plus - minus) / (2 * stepSize)
            }
            results.append(GradientCheckResult(
                name: parameter.name, shape: parameter.value.shape, analytic: analytic, numeric: numeric,
                maxRelativeError: maxRelativeError(analytic, numeric)))
        }
        return results
    }

    /// `max |a − n| / max(|a|, |n|, denominatorFloor)`, counting elements where that denominator is
    /// 0 as 0 (both gradients 0), and NaN if any element's error is NaN.
    /// - Parameters:
    ///   - analytic: the gradient from the backward pass, row-major.
    ///   - numeric: the central-difference estimate, in the same order.
    ///   - denominatorFloor: the smallest denominator. The default value is `0` (cs231n's metric).
    public static func maxRelativeError(_ analytic: [Double], _ numeric: [Double], denominatorFloor: Double = 0) -> Double {
        var worst = 0.0
        for (a, n) in zip(analytic, numeric) {
            let scale = Swift.max(Swift.abs(a), Swift.abs(n), denominatorFloor)
            if scale == 0 { continue }
            let error = Swift.abs(a - n) / scale
            if error.isNaN { return .nan }
            worst = Swift.max(worst, error)
        }
        return worst
    }
}
