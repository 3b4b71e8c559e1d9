#if canImport(_Differentiation)
import _Differentiation
import DescentCore

/// Minimises a `@differentiable(reverse)` Swift function of a vector of `Double`s with any Descent
/// optimizer, using Swift's built-in automatic differentiation (`_Differentiation`) for the
/// gradient instead of Descent's tensors.
///
/// The optimizers only ever see named buffers (``Optimizer/update(name:value:gradient:)``), so the
/// same `Adam` or `SGD` that trains a network drives a plain Swift function, step for step as it
/// would drive a tensor parameter of the same values:
///
///     @differentiable(reverse) func bowl(_ p: [Double]) -> Double { p[0] * p[0] + 10 * p[1] * p[1] }
///     let path = try minimize(bowl, from: [3, 1], optimizer: Adam<Double>(learningRate: 0.1), steps: 100)
///     path.last!.parameters   // close to [0, 0]
///
/// - Parameters:
///   - function: the objective `f(p)`.
///   - start: `p₀`.
///   - optimizer: any optimizer over `Double`; its state is kept under the name `"parameters"`.
///   - steps: how many updates to take.
/// - Returns: `steps + 1` points `(p_k, f(p_k), ∇f(p_k))`, the first being the start.
/// - Throws: ``OptimizerError`` if `start` is empty or the function's gradient has another size.
public func minimize(
    _ function: @differentiable(reverse) ([Double]) -> Double,
    from start: [Double], optimizer: any Optimizer<Double>, steps: Int
) throws -> [(parameters: [Double], value: Double, gradient: [Double])] {
    guard !start.isEmpty else { throw OptimizerError("minimize(_:from:optimizer:steps:): the start point is empty") }
    var point = start
    var path: [(parameters: [Double], value: Double, gradient: [Double])] = []
    for step in 0...steps {
        let (value, pullback) = valueWithPullback(at: point, of: function)
        let gradient = pullback(1).base
        guard gradient.count == point.count else {
            throw OptimizerError("minimize: the gradient has \(gradient.count) values for \(point.count) parameters")
        }
        path.append((point, value, gradient))
        if step == steps { break }
        try point.withUnsafeMutableBufferPointer { values in
            try gradient.withUnsafeBufferPointer { try optimizer.update(name: "parameters", value: values, gradient: $0) }
        }
    }
    return path
}
#endif
