import DescentCore
import DescentKernels

/// The hyperparameters of one optimizer, as a value that a parameter group can override.
public protocol OptimizerOptions: Sendable, Equatable {
    /// η, the learning rate.
    var learningRate: Double { get set }
    /// λ, the weight decay (L2 or decoupled, as the optimizer defines it).
    var weightDecay: Double { get set }
    /// The value a one-cycle schedule cycles (`momentum` or `beta1`), or `nil` if there is none.
    var cycledMomentum: Double? { get set }
    /// Every hyperparameter by spec key, in a stable order.
    var hyperparameters: [(key: String, value: Spec.Value)] { get }
}

extension OptimizerOptions {
    public var cycledMomentum: Double? { get { nil } set {} }
}

/// A set of parameters (by name) with their own hyperparameters, such as "no weight decay on
/// biases" (PyTorch's `param_groups`). Parameters in no group use the optimizer's default options.
public struct ParameterGroup<Options: OptimizerOptions>: Sendable, Equatable {
    /// The parameter names in this group.
    public var names: Set<String>
    /// The hyperparameters used for these parameters.
    public var options: Options
    /// The learning rate when the group was added (PyTorch's `initial_lr`).
    public var initialLearningRate: Double
}

/// The state of one parameter: its step count and lazily created per-element buffers.
///
/// Buffers are allocated once, on the parameter's first update, and reused on every later step,
/// so optimizer steps do not allocate.
final class ParameterStorage<Scalar: TensorScalar> {
    let count: Int
    var step = 0
    private(set) var buffers: [UnsafeMutablePointer<Scalar>?]
    var scalars: [Scalar]

    init(count: Int, bufferCount: Int, scalars: [Scalar]) {
        self.count = count
        buffers = Array(repeating: nil, count: bufferCount)
        self.scalars = scalars
    }

    deinit { for buffer in buffers { buffer.map { UnsafeMutableRawPointer($0).deallocate() } } }

    var hasNoBuffers: Bool { buffers.allSatisfy { $0 == nil } }

    /// Buffer `index`, created filled with `initial` if absent.
    func buffer(_ index: Int, initial: Scalar = 0) -> UnsafeMutablePointer<Scalar> {
        if let buffer = buffers[index] { return buffer }
        let buffer = Self.allocateState(count)
        buffer.initialize(repeating: initial, count: count)
        buffers[index] = buffer
        return buffer
    }

    /// Buffer `index` if it exists; otherwise creates it uninitialised and reports it as new, so
    /// that the update can fill it (SGD's first momentum buffer is a copy of the gradient).
    func bufferCreatingIfNeeded(_ index: Int) -> (pointer: UnsafeMutablePointer<Scalar>, isNew: Bool) {
        if let buffer = buffers[index] { return (buffer, false) }
        let buffer = Self.allocateState(count)
        buffer.initialize(repeating: 0, count: count)
        buffers[index] = buffer
        return (buffer, true)
    }

    /// `count` scalars aligned to a cache line (as tensor storage is), so the vector loops read
    /// whole lines and never split a load across two.
    private static func allocateState(_ count: Int) -> UnsafeMutablePointer<Scalar> {
        UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Scalar>.stride, alignment: 64)
            .bindMemory(to: Scalar.self, capacity: max(count, 1))
    }

    func setBuffer(_ index: Int, _ values: [Scalar]) {
        let pointer = buffer(index)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }
}

/// Up to three state buffers handed to an element rule (unused ones are `nil`).
struct StatePointers<T> {
    var first: UnsafeMutablePointer<T>?
    var second: UnsafeMutablePointer<T>?
    var third: UnsafeMutablePointer<T>?
    init(_ first: UnsafeMutablePointer<T>? = nil, _ second: UnsafeMutablePointer<T>? = nil, _ third: UnsafeMutablePointer<T>? = nil) {
        self.first = first; self.second = second; self.third = third
    }
}

/// The per-element part of an optimizer: one loop over a parameter, written once for any
/// ``KernelScalar`` and compiled separately for `Float` and `Double` (see ``GradientOptimizer/run(_:_:_:_:count:)``).
protocol ElementRule {
    func apply<T: KernelScalar>(_ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ state: StatePointers<T>, count: Int)
}

/// The shared machinery of every optimizer in Descent (the MLX-style base): parameter groups,
/// per-name state, lazily created buffers, snapshots. A concrete optimizer only says which
/// buffers it keeps and how one parameter is updated (`apply(_:_:_:_:count:)`).
public class GradientOptimizer<Scalar: TensorScalar, Options: OptimizerOptions>: Optimizer {
    /// The optimizer's spec name (`"adam"`).
    public let name: String
    /// The default group first, then the groups added with ``addGroup(names:_:)``.
    public private(set) var groups: [ParameterGroup<Options>]
    let bufferNames: [String]
    let scalarStateNames: [String]
    let scalarStateInitialValues: [Scalar]
    var storages: [String: ParameterStorage<Scalar>] = [:] {
        didSet { recentStorages.removeAll(keepingCapacity: true); recentCursor = 0 }
    }
    /// The storages in the order updates asked for them, and where the next is expected: a
    /// training loop updates the same parameters in the same order every step, so the next name
    /// is found with one string comparison (a pointer or 16-byte compare) instead of hashing it
    /// for the dictionary, which at batch size 1 was a noticeable part of the optimizer's share
    /// of a step (BENCHMARKS.md, "Design measurements", "Optimizer state lookup").
    /// Cleared whenever ``storages`` changes.
    private var recentStorages: [(name: String, storage: ParameterStorage<Scalar>)] = []
    private var recentCursor = 0
    var groupIndexByName: [String: Int] = [:]

    init(name: String, options: Options, bufferNames: [String], scalarState: [(String, Scalar)] = []) {
        self.name = name
        groups = [ParameterGroup(names: [], options: options, initialLearningRate: options.learningRate)]
        self.bufferNames = bufferNames
        scalarStateNames = scalarState.map(\.0)
        scalarStateInitialValues = scalarState.map(\.1)
    }

    /// The default group's hyperparameters.
    public var options: Options {
        get { groups[0].options }
        set { groups[0].options = newValue }
    }

    /// Adds a group of parameters that use the default options changed by `configure`, for example
    /// `optimizer.addGroup(names: ["fc.bias"]) { $0.weightDecay = 0 }`.
    /// - Throws: ``OptimizerError`` if a name is already in another group.
    @discardableResult
    public func addGroup(names: [String], _ configure: (inout Options) -> Void = { _ in }) throws -> Int {
        for name in names where groupIndexByName[name] != nil {
            throw OptimizerError("parameter `\(name)` is already in parameter group \(groupIndexByName[name]!); a parameter belongs to one group")
        }
        var options = groups[0].options
        configure(&options)
        groups.append(ParameterGroup(names: Set(names), options: options, initialLearningRate: options.learningRate))
        for name in names { groupIndexByName[name] = groups.count - 1 }
        return groups.count - 1
    }

    @discardableResult
    public func addGroup(names: [String], learningRate: Double? = nil, weightDecay: Double? = nil) throws -> Int {
        try addGroup(names: names) { options in
            if let learningRate { options.learningRate = learningRate }
            if let weightDecay { options.weightDecay = weightDecay }
        }
    }

    public var learningRate: Double {
        get { groups[0].options.learningRate }
        set { for index in groups.indices { groups[index].options.learningRate = newValue } }
    }
    public var groupCount: Int { groups.count }
    public var initialLearningRates: [Double] { groups.map(\.initialLearningRate) }
    public var learningRates: [Double] { groups.map(\.options.learningRate) }

    public func setLearningRates(_ rates: [Double]) {
        precondition(rates.count == groups.count, "setLearningRates: \(rates.count) rates for \(groups.count) groups")
        for index in groups.indices { groups[index].options.learningRate = rates[index] }
    }

    public var momenta: [Double]? {
        groups[0].options.cycledMomentum == nil ? nil : groups.map { $0.options.cycledMomentum ?? 0 }
    }

    public func setMomenta(_ values: [Double]) {
        guard groups[0].options.cycledMomentum != nil else { return }
        for index in groups.indices where index < values.count { groups[index].options.cycledMomentum = values[index] }
    }

    public var hyperparameters: [(key: String, value: Spec.Value)] { groups[0].options.hyperparameters }

    /// The options used for the parameter called `name`.
    // The per-parameter entry points below run once per parameter per step, called through the
    // `Optimizer` existential, so unspecialised: every call looked up generic metadata for the
    // state dictionary and the options, a sizeable part of a batch-1 step. `@_specialize` adds a
    // check at the top that jumps to code compiled for the common concrete types (the compiler's
    // documented pre-specialisation), which removes most of that cost (BENCHMARKS.md, "Design
    // measurements", "Optimizer pre-specialisation"). Results are unchanged.
    @_specialize(exported: false, where Scalar == Float, Options == SGDOptions)
    @_specialize(exported: false, where Scalar == Float, Options == AdamOptions)
    @_specialize(exported: false, where Scalar == Double, Options == SGDOptions)
    @_specialize(exported: false, where Scalar == Double, Options == AdamOptions)
    public func options(for name: String) -> Options {
        groups.count == 1 ? groups[0].options : groups[groupIndexByName[name] ?? 0].options
    }

    @_specialize(exported: false, where Scalar == Float, Options == SGDOptions)
    @_specialize(exported: false, where Scalar == Float, Options == AdamOptions)
    @_specialize(exported: false, where Scalar == Double, Options == SGDOptions)
    @_specialize(exported: false, where Scalar == Double, Options == AdamOptions)
    public func update(name: String, value: UnsafeMutableBufferPointer<Scalar>, gradient: UnsafeBufferPointer<Scalar>) throws {
        guard value.count == gradient.count else {
            throw OptimizerError("parameter `\(name)`: \(gradient.count) gradient elements for \(value.count) values")
        }
        let storage = try advancedStorage(name: name, count: value.count)
        guard value.count > 0 else { return }
        apply(options(for: name), storage, value.baseAddress!, gradient.baseAddress!, count: value.count)
    }

    @_specialize(exported: false, where Scalar == Float, Options == SGDOptions)
    @_specialize(exported: false, where Scalar == Float, Options == AdamOptions)
    @_specialize(exported: false, where Scalar == Double, Options == SGDOptions)
    @_specialize(exported: false, where Scalar == Double, Options == AdamOptions)
    package func elementwiseUpdate(name: String, count: Int) throws -> ElementwiseUpdate? {
        let options = options(for: name)
        guard hasElementwiseRule(options) else { return nil }
        return makeElementwiseUpdate(options, try advancedStorage(name: name, count: count))
    }

    @_specialize(exported: false, where Scalar == Float, Options == SGDOptions)
    @_specialize(exported: false, where Scalar == Float, Options == AdamOptions)
    @_specialize(exported: false, where Scalar == Double, Options == SGDOptions)
    @_specialize(exported: false, where Scalar == Double, Options == AdamOptions)
    package func plainUpdateRate(name: String) -> Double? {
        let options = options(for: name)
        guard hasElementwiseRule(options), let rate = plainRate(options), Scalar(rate) != 0 else { return nil }
        return Double(Scalar(rate))
    }

    /// The rate of `options`' update when it is the plain `θ ← θ + r·g` whose outer-product form
    /// (``makeElementwiseUpdate(_:_:)``) keeps no state; `nil` otherwise. Overridden by SGD.
    func plainRate(_ options: Options) -> Double? { nil }

    /// The state of the parameter called `name` with `count` elements, created if new, with its
    /// step count already advanced for the update about to be applied.
    /// - Throws: ``OptimizerError`` if restored state has another size.
    @_specialize(exported: false, where Scalar == Float, Options == SGDOptions)
    @_specialize(exported: false, where Scalar == Float, Options == AdamOptions)
    @_specialize(exported: false, where Scalar == Double, Options == SGDOptions)
    @_specialize(exported: false, where Scalar == Double, Options == AdamOptions)
    func advancedStorage(name: String, count: Int) throws -> ParameterStorage<Scalar> {
        if let recent = recentStorage(name: name), recent.count == count {
            recent.step += 1
            return recent
        }
        var storage: ParameterStorage<Scalar>
        if let existing = storages[name] {
            storage = existing
            if existing.count != count {
                guard existing.hasNoBuffers else {
                    throw OptimizerError("parameter `\(name)`: the optimizer state has \(existing.count) elements but the parameter has \(count); was the state restored from another model?")
                }
                // A restored state without buffers (SGD without momentum) does not know the size yet.
                storage = ParameterStorage<Scalar>(count: count, bufferCount: bufferNames.count, scalars: existing.scalars)
                storage.step = existing.step
                storages[name] = storage
            }
        } else {
            storage = ParameterStorage(count: count, bufferCount: bufferNames.count, scalars: scalarStateInitialValues)
            storages[name] = storage
        }
        storage.step += 1
        if recentStorages.count < 256 {
            recentStorages.append((name, storage))
            recentCursor = recentStorages.count
        }
        return storage
    }

    /// The storage of `name` if an update asked for it since ``storages`` last changed.
    @inline(__always)
    private func recentStorage(name: String) -> ParameterStorage<Scalar>? {
        if recentCursor < recentStorages.count, recentStorages[recentCursor].name == name {
            recentCursor += 1
            return recentStorages[recentCursor - 1].storage
        }
        guard let index = recentStorages.firstIndex(where: { $0.name == name }) else { return nil }
        recentCursor = index + 1
        return recentStorages[index].storage
    }

    /// Whether ``makeElementwiseUpdate(_:_:)`` has a rule for `options` (checked before any
    /// state changes). Overridden by the optimizers that have one; `false` here.
    func hasElementwiseRule(_ options: Options) -> Bool { false }

    /// One update with `options` on `storage` (its step already advanced) as data. Called only
    /// when ``hasElementwiseRule(_:)`` is `true` (a subclass that says it has a rule and gives
    /// none is a bug in Descent, not bad input).
    func makeElementwiseUpdate(_ options: Options, _ storage: ParameterStorage<Scalar>) -> ElementwiseUpdate {
        fatalError("\(type(of: self)) must override makeElementwiseUpdate when hasElementwiseRule is true")
    }

    /// Updates one parameter; `storage.step` has already been incremented. Overridden by each optimizer.
    func apply(_ options: Options, _ storage: ParameterStorage<Scalar>, _ p: UnsafeMutablePointer<Scalar>, _ g: UnsafePointer<Scalar>, count: Int) {
        fatalError("\(type(of: self)) must override apply")
    }

    /// Runs `rule` over one parameter with the loop compiled for the concrete scalar type.
    @inline(__always)
    final func run<R: ElementRule>(_ rule: R, _ p: UnsafeMutablePointer<Scalar>, _ g: UnsafePointer<Scalar>, _ state: StatePointers<Scalar>, count: Int) {
        // Generic code is not specialised across modules; this branch makes each loop concrete.
        if Scalar.self == Double.self {
            rule.apply(Self.cast(p, Double.self), UnsafePointer(Self.cast(UnsafeMutablePointer(mutating: g), Double.self)),
                       StatePointers(state.first.map { Self.cast($0, Double.self) }, state.second.map { Self.cast($0, Double.self) },
                                     state.third.map { Self.cast($0, Double.self) }), count: count)
        } else {
            rule.apply(Self.cast(p, Float.self), UnsafePointer(Self.cast(UnsafeMutablePointer(mutating: g), Float.self)),
                       StatePointers(state.first.map { Self.cast($0, Float.self) }, state.second.map { Self.cast($0, Float.self) },
                                     state.third.map { Self.cast($0, Float.self) }), count: count)
        }
    }

    @inline(__always)
    static func cast<T>(_ pointer: UnsafeMutablePointer<Scalar>, _ type: T.Type) -> UnsafeMutablePointer<T> {
        UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: T.self)
    }

    public func stateSnapshot() -> OptimizerState<Scalar> {
        var parameters: [String: OptimizerState<Scalar>.ParameterState] = [:]
        for (name, storage) in storages {
            var buffers: [String: [Scalar]] = [:]
            for (index, buffer) in storage.buffers.enumerated() {
                if let buffer { buffers[bufferNames[index]] = Array(UnsafeBufferPointer(start: buffer, count: storage.count)) }
            }
            var scalars: [String: Scalar] = [:]
            for (index, key) in scalarStateNames.enumerated() { scalars[key] = storage.scalars[index] }
            parameters[name] = .init(step: storage.step, buffers: buffers, scalars: scalars)
        }
        return OptimizerState(optimizer: name, parameters: parameters, learningRates: learningRates)
    }

    /// - Throws: ``OptimizerError`` for another optimizer, another number of groups, unknown state
    ///   names, buffers of different sizes, or a step count outside `0…maximumStepCount`.
    public func restore(_ snapshot: OptimizerState<Scalar>) throws {
        guard snapshot.optimizer == name else {
            throw OptimizerError("cannot restore \(snapshot.optimizer) state into a \(name) optimizer")
        }
        guard snapshot.learningRates.count == groups.count else {
            throw OptimizerError("the saved state has \(snapshot.learningRates.count) parameter groups, this optimizer has \(groups.count)")
        }
        var restored: [String: ParameterStorage<Scalar>] = [:]
        for (parameterName, state) in snapshot.parameters {
            // A checksum detects accidents, not edits: the step count is untrusted input.
            guard state.step >= 0, state.step <= maximumStepCount else {
                throw OptimizerError("parameter `\(parameterName)`: the saved step count \(state.step) is outside 0…\(maximumStepCount) "
                                     + "(the most steps Descent counts); the checkpoint was edited or damaged: resume from another one or start again")
            }
            let counts = Set(state.buffers.values.map(\.count))
            guard counts.count <= 1 else { throw OptimizerError("parameter `\(parameterName)`: state buffers of different sizes \(counts.sorted())") }
            var scalars = scalarStateInitialValues
            for (key, value) in state.scalars {
                guard let index = scalarStateNames.firstIndex(of: key) else {
                    throw OptimizerError("parameter `\(parameterName)`: unknown state `\(key)` for \(name) (expected \(scalarStateNames))")
                }
                scalars[index] = value
            }
            let storage = ParameterStorage<Scalar>(count: counts.first ?? 0, bufferCount: bufferNames.count, scalars: scalars)
            storage.step = state.step
            for (key, values) in state.buffers {
                guard let index = bufferNames.firstIndex(of: key) else {
                    throw OptimizerError("parameter `\(parameterName)`: unknown state buffer `\(key)` for \(name) (expected \(bufferNames.joined(separator: ", ")))")
                }
                storage.setBuffer(index, values)
            }
            restored[parameterName] = storage
        }
        storages = restored
        setLearningRates(snapshot.learningRates)
    }
}

extension GradientOptimizer: ElementwiseUpdating {}
