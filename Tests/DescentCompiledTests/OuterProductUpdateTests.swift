import DescentCore
import DescentKernels
import Testing

@testable import DescentCompiled
import DescentOptim

/// An optimizer's `ElementwiseUpdate`, as `OuterProductUpdate`, applied to `u·xᵀ` must leave the parameter
/// and the optimizer state bit-identical to `update(name:value:gradient:)` with the materialised
/// gradient `g[i, j] = u[i]·x[j]` (one rounded multiply, as the compiled step's outer product).
/// The reference is the optimizer's own loop, so any difference in operations or order shows.
@Suite struct OuterProductUpdateTests {
    /// Rows and columns: 37 columns leave ragged tails for every vector width (8, 16; 4, 8).
    static let rows = 5, columns = 37

    /// Runs `steps` updates of `makeOptimizer()` both ways with the rate changed between steps,
    /// and returns (fused parameters, reference parameters, fused state, reference state).
    /// `makeReference`, if given, makes the reference instead and steps it on −g (an optimizer with
    /// `maximize` on, whose general Swift loop then computes the rule's operations). With
    /// `computingOutputs` (Float, AVX2 and up), the update is the look-ahead kernel's.
    func run<Scalar: TensorScalar>(
        _: Scalar.Type, instructionSet: GEMM.InstructionSet, steps: Int = 4, computingOutputs: Bool = false,
        _ makeOptimizer: () throws -> any Optimizer<Scalar>, reference makeReference: (() throws -> any Optimizer<Scalar>)? = nil
    ) throws -> ([Scalar], [Scalar], OptimizerState<Scalar>, OptimizerState<Scalar>) {
        let rows = Self.rows, columns = Self.columns
        let fused = try makeOptimizer(), reference = try makeReference?() ?? makeOptimizer()
        var generator = RandomGenerator(seed: 21)
        var a = (0..<rows * columns).map { _ in Scalar(generator.nextNormal()) }
        // Negative zeros in the row whose u is zero: a +0 step turns them into +0 (SGD's
        // unchanged-row shortcut must still store those).
        for j in 0..<columns where j % 3 == 0 { a[2 * columns + j] = -0.0 }
        var b = a
        for step in 0..<steps {
            // A zero in u (a dead ReLU unit) and in x must take the same path both ways.
            var u = (0..<rows).map { _ in Scalar(generator.nextNormal()) }
            u[2] = 0
            var x = (0..<columns).map { _ in Scalar(generator.nextNormal()) }
            x[3] = 0
            let g = (0..<rows * columns).map { u[$0 / columns] * x[$0 % columns] }
            let rate = 0.05 / Double(step + 1)  // as a schedule would set it before each step
            fused.learningRate = rate
            reference.learningRate = rate
            let update = try #require(try fused.outerProductUpdate(name: "w", rows: rows, columns: columns))
            a.withUnsafeMutableBufferPointer { p in
                u.withUnsafeBufferPointer { u in
                    x.withUnsafeBufferPointer { x in
                        if computingOutputs {
                            var outputs = [Float](repeating: 0, count: rows)
                            let computed = update.applyComputingOutputs(
                                to: cast(p.baseAddress!, Float.self), u: cast(u.baseAddress!, Float.self), x: cast(x.baseAddress!, Float.self),
                                rows: 0..<rows, columns: columns, nextInput: cast(x.baseAddress!, Float.self), bias: nil,
                                outputs: &outputs, instructionSet: instructionSet)
                            #expect(computed)
                        } else if Scalar.self == Float.self {
                            update.apply(to: cast(p.baseAddress!, Float.self), u: cast(u.baseAddress!, Float.self), x: cast(x.baseAddress!, Float.self),
                                         rows: 0..<rows, columns: columns, instructionSet: instructionSet)
                        } else {
                            update.apply(to: cast(p.baseAddress!, Double.self), u: cast(u.baseAddress!, Double.self), x: cast(x.baseAddress!, Double.self),
                                         rows: 0..<rows, columns: columns, instructionSet: instructionSet)
                        }
                    }
                }
            }
            let referenceGradient = makeReference == nil ? g : g.map { -$0 }
            try b.withUnsafeMutableBufferPointer { p in
                try referenceGradient.withUnsafeBufferPointer { try reference.update(name: "w", value: p, gradient: $0) }
            }
        }
        return (a, b, fused.stateSnapshot(), reference.stateSnapshot())
    }

    static let optimizers: [(String, Bool)] = ["sgd", "momentum", "dampened", "adam"].flatMap { [($0, false), ($0, true)] }

    func make<Scalar: TensorScalar>(_ name: String, _: Scalar.Type, maximize: Bool = false) throws -> any Optimizer<Scalar> {
        switch name {
        case "sgd": try SGD<Scalar>(learningRate: 0.05, maximize: maximize)
        case "momentum": try SGD<Scalar>(learningRate: 0.05, momentum: 0.9, maximize: maximize)
        case "dampened": try SGD<Scalar>(learningRate: 0.05, momentum: 0.8, dampening: 0.3, maximize: maximize)
        default: try Adam<Scalar>(learningRate: 0.05, maximize: maximize)
        }
    }

    @Test(arguments: GEMM.InstructionSet.allCases, optimizers)
    func fusedUpdateIsBitIdenticalToTheMaterialisedGradient(instructionSet: GEMM.InstructionSet, optimizer: (String, Bool)) throws {
        if optimizer.1 {
            let (a, b, s, t) = try run(Double.self, instructionSet: instructionSet) { try make(optimizer.0, Double.self) }
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
            #expect(s == t)
        } else {
            let (a, b, s, t) = try run(Float.self, instructionSet: instructionSet) { try make(optimizer.0, Float.self) }
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
            #expect(s == t)
            #expect(s.parameters["w"]?.step == 4)
        }
    }

    /// The fused kernels against the general Swift loop, not against the vectorised C loop that
    /// shares their rules (update_rules.h): `maximize` on and −g give the rule's operations (−(−g)
    /// is exact), so a change to a shared rule fails here as well as in VectorisedLoopTests. Every
    /// instruction set, and for Float at AVX2 and up the look-ahead kernel too (its own row loops).
    @Test(arguments: GEMM.InstructionSet.allCases, optimizers)
    func fusedUpdateMatchesTheGeneralLoop(instructionSet: GEMM.InstructionSet, optimizer: (String, Bool)) throws {
        let (name, double) = optimizer
        if double {
            let (a, b, s, t) = try run(Double.self, instructionSet: instructionSet, { try make(name, Double.self) },
                                       reference: { try make(name, Double.self, maximize: true) })
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
            #expect(s == t)
            return
        }
        let lookahead = instructionSet >= .avx2 && GEMM.supportedInstructionSet >= .avx2
        for computingOutputs in lookahead ? [false, true] : [false] {
            let (a, b, s, t) = try run(Float.self, instructionSet: instructionSet, computingOutputs: computingOutputs,
                                       { try make(name, Float.self) }, reference: { try make(name, Float.self, maximize: true) })
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "computing outputs: \(computingOutputs)")
            #expect(s == t, "computing outputs: \(computingOutputs)")
        }
    }

    /// Configurations without an outer-product form return `nil` and leave no state behind.
    @Test func unsupportedConfigurationsReturnNilAndChangeNothing() throws {
        let optimizers: [any Optimizer<Float>] = [
            try SGD(learningRate: 0.1, weightDecay: 0.01), try SGD(learningRate: 0.1, momentum: 0.9, nesterov: true),
            try SGD(learningRate: 0.1, maximize: true), try Adam(amsgrad: true), try Adam(weightDecay: 0.01),
            try Adam(beta1: 0.2), try AdamW(), try RMSprop(),
        ]
        for optimizer in optimizers {
            #expect(try optimizer.outerProductUpdate(name: "w", rows: 2, columns: 3) == nil, "\(optimizer.name) \(optimizer.hyperparameters)")
            #expect(optimizer.stateSnapshot().parameters.isEmpty)
        }
        // A parameter group with weight decay falls back; the default group does not.
        let grouped = try SGD<Float>(learningRate: 0.1)
        try grouped.addGroup(names: ["decayed"], weightDecay: 0.1)
        #expect(try grouped.outerProductUpdate(name: "decayed", rows: 2, columns: 3) == nil)
        #expect(try grouped.outerProductUpdate(name: "plain", rows: 2, columns: 3) != nil)
    }

    /// Restored state that does not fit is reported, as `update` reports it.
    @Test func stateOfAnotherSizeThrows() throws {
        let optimizer = try Adam<Float>()
        var value: [Float] = [1, 2, 3], gradient: [Float] = [0.1, 0.2, 0.3]
        try value.withUnsafeMutableBufferPointer { p in try gradient.withUnsafeMutableBufferPointer { try optimizer.update(name: "w", value: p, gradient: UnsafeBufferPointer($0)) } }
        #expect(throws: OptimizerError.self) { try optimizer.outerProductUpdate(name: "w", rows: 2, columns: 3) }
    }
}

private func cast<From, To>(_ pointer: UnsafeMutablePointer<From>, _: To.Type) -> UnsafeMutablePointer<To> {
    UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: To.self)
}

private func cast<From, To>(_ pointer: UnsafePointer<From>, _: To.Type) -> UnsafePointer<To> {
    UnsafeRawPointer(pointer).assumingMemoryBound(to: To.self)
}

extension Optimizer {
    /// The outer-product form of the next update of `name`, as the fused step asks for it
    /// (through ``OptimizerUpdater``, from the optimizer's ``ElementwiseUpdate``).
    func outerProductUpdate(name: String, rows: Int, columns: Int) throws -> OuterProductUpdate? {
        try OptimizerUpdater(optimizer: self).outerProductUpdate(name: name, rows: rows, columns: columns)
    }
}
