import DescentCore

/// How much to trust one parameter's gradient, from its maximum relative error (cs231n's scale;
/// training-semantics §6).
public enum GradientVerdict: String, Codable, Sendable {
    /// ≤ 1e-7: correct.
    case correct = "ok"
    /// ≤ 1e-4: fine for a model with kinks (ReLU, abs, max) crossed by the ±h steps; too large for
    /// a smooth one.
    case acceptableAtKinks = "ok (kinks)"
    /// ≤ 1e-2: probably wrong, or many kinks.
    case doubtful = "doubtful"
    /// > 1e-2 (or NaN): the gradient is wrong.
    case wrong = "WRONG"

    /// The verdict for a maximum relative error.
    public init(maxRelativeError error: Double) {
        if error <= 1e-7 { self = .correct } else if error <= 1e-4 { self = .acceptableAtKinks }
        else if error <= 1e-2 { self = .doubtful } else { self = .wrong }
    }
}

/// The result of checking every parameter of a model: the loss and, per parameter, the analytic
/// and numerical gradients of the loss.
public struct ModelGradientCheck: Codable, Sendable {
    /// The loss at the current parameters.
    public var loss: Double
    /// One result per trainable parameter, in ``Layer/trainableParameters()`` order.
    public var parameters: [GradientCheckResult]
}

extension Layer where Scalar == Double {
    /// Compares the backward pass's gradients of `loss(model(input), targets)` with central
    /// differences `(L(θ + h) − L(θ − h)) / 2h` for every element of every trainable parameter
    /// (cs231n's recipe; the same comparison as ``GradientChecker``, applied to the model's own
    /// parameters in place).
    ///
    /// Every evaluation sees the same randomness and state: dropout generators and buffers (batch
    /// normalisation's running statistics) are restored before each forward pass, so a
    /// training-mode check of a model with dropout is deterministic. The parameters are restored
    /// afterwards. In `Double` with `h = 1e-5` a smooth model gives errors below 1e-7; ReLU kinks
    /// crossed by a step can give up to about 1e-4 (see ``GradientVerdict``).
    ///
    /// The relative error's denominator is floored at `F = 1e7 · 16·ε·max(|L|, 1)/h` (≈ 3.6e-3 for
    /// L ≈ 1, h = 1e-5): an element whose gradients differ only by the difference quotient's
    /// rounding noise (`16·ε·|L|/h`) then scores at most 1e-7, so a gradient that is truly 0 (a bias
    /// before batch normalisation, 1e-17 against 0) does not show a relative error of 1. Elements
    /// larger than `F` (nearly all) get the plain cs231n relative error.
    ///
    /// - Parameters:
    ///   - input: a batch of inputs.
    ///   - targets: the batch's targets, as `loss` expects them.
    ///   - loss: the loss (use `mean` reduction to check the gradient of the mean loss).
    ///   - mode: the forward mode. The default value is `.training`.
    ///   - stepSize: `h`. The default value is `1e-5`, near the optimum ε^(1/3) ≈ 6e-6 for `Double`
    ///     (training-semantics §6); with 1e-6 rounding error dominates for small gradient elements.
    /// - Throws: what the forward pass or the loss throws.
    public func checkGradients(
        input: Tensor<Double>, targets: Tensor<Double>, loss: any Loss,
        mode: ForwardMode = .training, stepSize: Double = 1e-5
    ) throws -> ModelGradientCheck {
        let buffers = namedBuffers().map { ($0.buffer, $0.buffer.value) }
        let dropouts = namedSublayers().compactMap { $0.layer as? Dropout<Double> }.map { ($0, $0.generator) }
        // Channel dropout too: every evaluation draws the same masks.
        let channelDropouts = namedSublayers().compactMap { $0.layer as? Dropout2d<Double> }.map { ($0, $0.generator) }
        func evaluate() throws -> Tensor<Double> {
            for (buffer, value) in buffers { buffer.value = value }
            for (dropout, generator) in dropouts { dropout.generator = generator }
            for (dropout, generator) in channelDropouts { dropout.generator = generator }
            return try loss(forward(input, context: ForwardContext(mode: mode)), targets)
        }
        defer {
            for (buffer, value) in buffers { buffer.value = value }
            for (dropout, generator) in dropouts { dropout.generator = generator }
            for (dropout, generator) in channelDropouts { dropout.generator = generator }
        }
        let parameters = trainableParameters()
        let saved = parameters.map { $0.parameter.gradient }
        defer { for (p, g) in zip(parameters, saved) { p.parameter.gradient = g } }
        for p in parameters { p.parameter.zeroGradient() }
        let value = try evaluate()
        guard value.scalarCount == 1 else {
            throw LossError("checkGradients: the loss must reduce to one number (use reduction mean or sum), got shape \(value.shape)")
        }
        try value.backward()
        // The difference quotient's rounding noise is about ε·|L|/h; with a 16× margin, a difference
        // at that level divided by this floor gives at most 1e-7 ("ok"), so a gradient that is truly
        // 0 does not show a relative error of 1, while a wrong gradient still shows up.
        let noise = 16 * Double.ulpOfOne * Swift.max(Swift.abs(value.scalar), 1) / stepSize
        let floor = noise / 1e-7
        var results: [GradientCheckResult] = []
        for (name, parameter) in parameters {
            let analytic = parameter.gradient?.doubles ?? Array(repeating: 0, count: parameter.value.scalarCount)
            var numeric = [Double](repeating: 0, count: analytic.count)
            for i in 0..<numeric.count {
                let original = parameter.value.withUnsafeBufferPointer { $0[i] }
                parameter.updateInPlace { $0[i] = original + stepSize }
                let plus = try withoutGradients { try evaluate().scalar }
                parameter.updateInPlace { $0[i] = original - stepSize }
                let minus = try withoutGradients { try evaluate().scalar }
                parameter.updateInPlace { $0[i] = original }
                numeric[i] = (plus - minus) / (2 * stepSize)
            }
            results.append(GradientCheckResult(name: name, shape: parameter.shape, analytic: analytic, numeric: numeric, denominatorFloor: floor))
        }
        return ModelGradientCheck(loss: value.scalar, parameters: results)
    }
}
