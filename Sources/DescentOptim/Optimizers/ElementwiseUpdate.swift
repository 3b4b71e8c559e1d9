/// One optimizer update of one parameter, described as data: which per-element rule, its
/// constants and its state buffers, with the parameter's state already advanced for it.
///
/// A caller that never materialises the gradient (DescentCompiled's fused step, where a linear
/// layer's weight gradient is the outer product `u[i]·x[j]` of one sample) applies the rule to
/// each element itself and gets the bits of ``Optimizer/update(name:value:gradient:)``, because
/// the rules are the same operations in the same order as the optimizer's own loops. This is
/// package-internal on purpose: the public ``Optimizer`` protocol carries no fusion hooks, and an
/// optimizer written outside Descent takes the plain path (gradient, then `update`) everywhere.
package struct ElementwiseUpdate: @unchecked Sendable {
    /// The per-element rule, with `g` the element's gradient.
    package enum Rule: Int32, Sendable {
        /// `θ ← θ + (−η)·g`.
        case sgd = 0
        /// First step with a momentum buffer: `b ← g`, `θ ← θ + (−η)·b`.
        case sgdMomentumFirstStep = 1
        /// `b ← b·μ + (1 − τ)·g`, `θ ← θ + (−η)·b`.
        case sgdMomentum = 2
        /// Plain Adam: `m ← m + w₁·(g − m)`, `v ← v·β₂ + (w₂·g)·g`, `θ ← θ + (s·m) / (√v / root + ε)`.
        case adam = 3
    }

    /// The rule applied to each element.
    package let rule: Rule
    /// The momentum buffer (SGD) or the first moment (Adam), one scalar of the parameter's type
    /// per element; `nil` for plain SGD.
    package let firstState: UnsafeMutableRawPointer?
    /// The second moment (Adam); `nil` otherwise.
    package let secondState: UnsafeMutableRawPointer?
    /// The rule's constants in double precision, in the order of the C kernels' `c0…c5`; each is
    /// rounded to the parameter's type as the optimizer's loop rounds it.
    package let constants: (Double, Double, Double, Double, Double, Double)

    /// Plain SGD (`θ ← θ + negativeRate·g`) or SGD with a momentum buffer.
    /// - Parameters: `negativeRate` −η; `momentumBuffer` `b` or `nil` without momentum;
    ///   `isFirstStep` `true` if `b` was just created (it is set to the gradient); `momentum` μ;
    ///   `oneMinusDampening` 1 − τ.
    package static func sgd(negativeRate: Double, momentumBuffer: UnsafeMutableRawPointer?, isFirstStep: Bool,
                            momentum: Double, oneMinusDampening: Double) -> ElementwiseUpdate {
        let rule: Rule = momentumBuffer == nil ? .sgd : (isFirstStep ? .sgdMomentumFirstStep : .sgdMomentum)
        return ElementwiseUpdate(rule: rule, firstState: momentumBuffer, secondState: nil,
                                 constants: (negativeRate, momentum, oneMinusDampening, 0, 0, 0))
    }

    /// Plain Adam (no weight decay, AMSGrad or maximize).
    /// - Parameters: `firstMoment` m and `secondMoment` v; `w1` 1 − β₁; `beta2` β₂; `w2` 1 − β₂;
    ///   `negativeStep` −η / (1 − β₁ᵗ); `root` √(1 − β₂ᵗ); `epsilon` ε.
    package static func adam(firstMoment: UnsafeMutableRawPointer, secondMoment: UnsafeMutableRawPointer,
                             w1: Double, beta2: Double, w2: Double, negativeStep: Double, root: Double,
                             epsilon: Double) -> ElementwiseUpdate {
        ElementwiseUpdate(rule: .adam, firstState: firstMoment, secondState: secondMoment,
                          constants: (w1, beta2, w2, negativeStep, root, epsilon))
    }
}

/// An optimizer whose updates can be handed out as ``ElementwiseUpdate`` values (Descent's own
/// ``GradientOptimizer`` subclasses). Package-internal: see ``ElementwiseUpdate``.
package protocol ElementwiseUpdating {
    /// Starts the next update of the `count`-element parameter called `name` and returns it as
    /// data, its state advanced exactly as ``Optimizer/update(name:value:gradient:)`` would; or
    /// `nil`, changing nothing, when the options for `name` have no elementwise rule (weight
    /// decay, Nesterov, maximize, AMSGrad, other optimizers). Apply it to every element once
    /// before the optimizer is used again.
    /// - Throws: ``OptimizerError`` when restored state does not fit the size.
    func elementwiseUpdate(name: String, count: Int) throws -> ElementwiseUpdate?

    /// The rate `r` when the next update of `name` is the plain step `θ ← θ + r·g` (no state but
    /// a step count; `r` as the update rounds it to the parameter's type, never 0), else `nil`.
    /// Changes nothing. A caller that adds `r` times a gradient product to the parameter starts
    /// the update with ``elementwiseUpdate(name:count:)`` first, so that the state advances.
    func plainUpdateRate(name: String) -> Double?
}
