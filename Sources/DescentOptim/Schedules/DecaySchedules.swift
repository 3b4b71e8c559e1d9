#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A constant rate, optionally scaled by `factor` for the first `totalSteps` steps.
///
///     η_t = η₀·factor  for t < totalSteps,   η₀ afterwards
///
/// - Parameters:
///   - factor: the multiplier during the first steps. The default value is `1` (a constant rate;
///     PyTorch's `ConstantLR` defaults to 1/3 for 5 steps).
///   - totalSteps: how many steps use the factor. The default value is `0`.
/// - PyTorch: `torch.optim.lr_scheduler.ConstantLR(factor, total_iters)`.
public struct ConstantSchedule: LearningRateSchedule {
    /// The multiplier (see the type's parameters for its default).
    public var factor: Double
    /// T, the length in steps.
    public var totalSteps: Int
    /// Creates the schedule.
    public init(factor: Double = 1, totalSteps: Int = 0) { self.factor = factor; self.totalSteps = totalSteps }
    public var name: String { "constant" }
    public var hyperparameters: [(key: String, value: Double)] { [("factor", factor), ("totalSteps", Double(totalSteps))] }
    public func learningRate(at step: Int, initialLearningRate: Double) -> Double {
        initialLearningRate * (step >= totalSteps ? 1 : factor)
    }
    public var naturalLength: Int? { totalSteps > 0 ? totalSteps : nil }
}

/// Multiply the rate by γ every `stepSize` steps.
///
///     η_t = η₀·γ^⌊t / stepSize⌋
///
/// - Parameters:
///   - stepSize: the period (required).
///   - gamma: γ. The default value is `0.1`.
/// - PyTorch: `torch.optim.lr_scheduler.StepLR`.
public struct StepSchedule: LearningRateSchedule {
    /// The period in steps.
    public var stepSize: Int
    /// γ, the multiplier per decay.
    public var gamma: Double
    /// Creates the schedule.
    public init(stepSize: Int, gamma: Double = 0.1) { self.stepSize = stepSize; self.gamma = gamma }
    public var name: String { "step" }
    public var hyperparameters: [(key: String, value: Double)] { [("stepSize", Double(stepSize)), ("gamma", gamma)] }
    public func learningRate(at step: Int, initialLearningRate: Double) -> Double {
        initialLearningRate * pow(gamma, Double(step / stepSize))
    }
}

/// Multiply the rate by γ at each milestone.
///
///     η_t = η₀·γ^(number of milestones ≤ t)      (a repeated milestone counts twice)
///
/// - Parameters:
///   - milestones: the steps at which the rate drops (required).
///   - gamma: γ. The default value is `0.1`.
/// - PyTorch: `torch.optim.lr_scheduler.MultiStepLR`.
public struct MultiStepSchedule: LearningRateSchedule {
    /// The steps at which the rate changes.
    public var milestones: [Int]
    /// γ, the multiplier per decay.
    public var gamma: Double
    /// Creates the schedule.
    public init(milestones: [Int], gamma: Double = 0.1) { self.milestones = milestones.sorted(); self.gamma = gamma }
    public var name: String { "multistep" }
    public var hyperparameters: [(key: String, value: Double)] {
        milestones.enumerated().map { ("milestones[\($0.offset)]", Double($0.element)) } + [("gamma", gamma)]
    }
    public func learningRate(at step: Int, initialLearningRate: Double) -> Double {
        initialLearningRate * pow(gamma, Double(milestones.filter { $0 <= step }.count))
    }
}

/// Multiply the rate by γ every step.
///
///     η_t = η₀·γᵗ
///
/// - Parameter gamma: γ (required).
/// - PyTorch: `torch.optim.lr_scheduler.ExponentialLR`.
public struct ExponentialSchedule: LearningRateSchedule {
    /// γ, the multiplier per decay.
    public var gamma: Double
    /// Creates the schedule.
    public init(gamma: Double) { self.gamma = gamma }
    public var name: String { "exponential" }
    public var hyperparameters: [(key: String, value: Double)] { [("gamma", gamma)] }
    public func learningRate(at step: Int, initialLearningRate: Double) -> Double {
        initialLearningRate * pow(gamma, Double(step))
    }
    // PyTorch's chainable form multiplies the previous rate by γ.
    public func chainedLearningRate(at step: Int, previous: Double, initialLearningRate: Double) -> Double { previous * gamma }
}

/// Inverse-time decay.
///
///     η_t = η₀ / (1 + decayRate·t / decaySteps)
///
/// - Parameters:
///   - decayRate: k (required).
///   - decaySteps: the time unit. The default value is `1`.
/// - PyTorch: no class; `LambdaLR(opt, lambda t: 1 / (1 + decayRate * t / decaySteps))`.
///   Keras: `InverseTimeDecay` (without `staircase`).
public struct InverseTimeSchedule: LearningRateSchedule {
    /// k, the decay rate.
    public var decayRate: Double
    /// The time unit of the decay.
    public var decaySteps: Double
    /// Creates the schedule.
    public init(decayRate: Double, decaySteps: Double = 1) { self.decayRate = decayRate; self.decaySteps = decaySteps }
    public var name: String { "inverse-time" }
    public var hyperparameters: [(key: String, value: Double)] { [("decayRate", decayRate), ("decaySteps", decaySteps)] }
    public func learningRate(at step: Int, initialLearningRate: Double) -> Double {
        initialLearningRate * (1 / (1 + decayRate * Double(step) / decaySteps))
    }
}

/// Polynomial decay to zero over `totalSteps`, then zero.
///
///     η_t = η₀·(1 − min(t, T)/T)^power
///
/// - Parameters:
///   - totalSteps: T. The default value is `5` (PyTorch's `total_iters`).
///   - power: the exponent. The default value is `1`.
/// - PyTorch: `torch.optim.lr_scheduler.PolynomialLR`.
public struct PolynomialSchedule: LearningRateSchedule {
    /// T, the length in steps.
    public var totalSteps: Int
    /// The exponent.
    public var power: Double
    /// Creates the schedule.
    public init(totalSteps: Int = 5, power: Double = 1) { self.totalSteps = totalSteps; self.power = power }
    public var name: String { "polynomial" }
    public var hyperparameters: [(key: String, value: Double)] { [("totalSteps", Double(totalSteps)), ("power", power)] }
    public func learningRate(at step: Int, initialLearningRate: Double) -> Double {
        initialLearningRate * pow(1.0 - Double(min(totalSteps, step)) / Double(totalSteps), power)
    }
    public var naturalLength: Int? { totalSteps }
}
