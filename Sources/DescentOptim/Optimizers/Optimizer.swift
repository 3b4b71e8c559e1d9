import DescentCore
import DescentKernels

/// Something that updates named parameters from their gradients: SGD, Adam and the others.
///
/// The core requirement is ``update(name:value:gradient:)``, which works on raw buffers so that the
/// same optimizer serves tensors, `@differentiable` Swift functions and gradients that were
/// all-reduced across processes; `step(_:)` is a thin layer over it for `Parameter`s.
/// State (moments, step counts) is kept per parameter *name*, can be inspected, and is saved and
/// restored exactly with ``stateSnapshot()`` / ``restore(_:)``.
///
/// As in PyTorch, a parameter whose gradient is `nil` is skipped by `step(_:)`: it gets no state
/// and its step count does not advance. A zero gradient is *not* skipped.
public protocol Optimizer<Scalar>: AnyObject {
    /// The element type of the parameters: `Float` or `Double`.
    associatedtype Scalar: TensorScalar

    /// The optimizer's spec name (`"adam"`).
    var name: String { get }

    /// The learning rate of the default group. Setting it sets every group's rate
    /// (use ``setLearningRates(_:)`` for different rates per group).
    var learningRate: Double { get set }

    /// The parameter groups: the default group first, then the groups added with overrides.
    var groupCount: Int { get }

    /// The learning rate each group had when the optimizer was created or the group was added
    /// (PyTorch's `initial_lr`), which schedules scale. One entry per group.
    var initialLearningRates: [Double] { get }

    /// The current learning rate of each group.
    var learningRates: [Double] { get }

    /// Sets each group's learning rate (one entry per group).
    func setLearningRates(_ rates: [Double])

    /// The value a one-cycle schedule cycles (SGD/RMSprop `momentum`, Adam-family `beta1`) for each
    /// group, or `nil` if this optimizer has no such value (PyTorch then refuses `cycle_momentum`).
    var momenta: [Double]? { get }

    /// Sets the momentum (or `beta1`) of each group; ignored by optimizers without one.
    func setMomenta(_ values: [Double])

    /// Puts the parameters called `names` in a new group whose learning rate and/or weight decay
    /// differ from the defaults (for example no weight decay on biases); returns the group's index.
    /// - Throws: ``OptimizerError`` if a name is already in another group.
    @discardableResult
    func addGroup(names: [String], learningRate: Double?, weightDecay: Double?) throws -> Int

    /// Every hyperparameter of the default group as used, by spec key, in a stable order.
    var hyperparameters: [(key: String, value: Spec.Value)] { get }

    /// Applies one update to the parameter called `name`, in place.
    /// - Throws: ``OptimizerError`` when the sizes disagree or restored state does not fit.
    func update(name: String, value: UnsafeMutableBufferPointer<Scalar>, gradient: UnsafeBufferPointer<Scalar>) throws

    /// The state of every parameter seen so far, as plain values.
    func stateSnapshot() -> OptimizerState<Scalar>

    /// Replaces the state with `snapshot` (for resuming from a checkpoint).
    func restore(_ snapshot: OptimizerState<Scalar>) throws
}

extension Optimizer {
    /// One optimizer step over named parameters (`optimizer.step()` in PyTorch): parameters that
    /// are frozen or whose gradient is `nil` are skipped; the others are updated in place.
    public func step(_ parameters: [(name: String, parameter: Parameter<Scalar>)]) throws {
        for (name, parameter) in parameters {
            guard !parameter.isFrozen, let gradient = parameter.gradient else { continue }
            guard gradient.scalarCount == parameter.value.scalarCount else {
                throw OptimizerError("parameter `\(name)`: gradient of shape \(gradient.shape) does not fit the value of shape \(parameter.shape)")
            }
            try parameter.updateInPlace { value in
                try gradient.withUnsafeBufferPointer { try update(name: name, value: value, gradient: $0) }
            }
        }
    }

    /// One step over a model's parameters given as a dictionary.
    public func step(_ parameters: [String: Parameter<Scalar>]) throws {
        try step(parameters.sorted { $0.key < $1.key }.map { (name: $0.key, parameter: $0.value) })
    }
}

/// An optimizer used wrongly: sizes that disagree, a state that does not fit, a bad hyperparameter.
public struct OptimizerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What was wrong and how to fix it.
    public var message: String
    /// Creates an error with `message`.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The saved state of an optimizer: for each parameter name, its step count and its state buffers
/// by name (PyTorch's `exp_avg`, `exp_avg_sq`, `momentum_buffer`, …), plus the groups' learning rates.
///
/// The scalars are stored as they are (no conversion), so restoring gives bit-identical updates.
public struct OptimizerState<Scalar: TensorScalar>: Codable, Equatable, Sendable {
    /// The state of one parameter.
    public struct ParameterState: Codable, Equatable, Sendable {
        /// How many updates this parameter has received (PyTorch's `state["step"]`).
        public var step: Int
        /// Per-element buffers by name.
        public var buffers: [String: [Scalar]]
        /// Per-parameter scalar state by name (NAdam's `mu_product`).
        public var scalars: [String: Scalar]
        /// Creates a parameter state.
        public init(step: Int, buffers: [String: [Scalar]], scalars: [String: Scalar] = [:]) {
            self.step = step; self.buffers = buffers; self.scalars = scalars
        }
    }
    /// The optimizer's spec name, checked on restore.
    public var optimizer: String
    /// Parameter states by parameter name.
    public var parameters: [String: ParameterState]
    /// The learning rate of each group.
    public var learningRates: [Double]
    /// Creates a snapshot.
    public init(optimizer: String, parameters: [String: ParameterState], learningRates: [Double]) {
        self.optimizer = optimizer; self.parameters = parameters; self.learningRates = learningRates
    }
}
