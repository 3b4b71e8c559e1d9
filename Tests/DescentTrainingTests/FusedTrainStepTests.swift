import DescentCore
import DescentData
import DescentKernels
@testable import DescentNN
import DescentOptim
import DescentTraining
import Testing

/// `CompiledStep.trainStep(features:labels:optimizer:)` (the update fused into the backward pass
/// for one row) against the unfused reference `computeGradients` + `optimizer.step(parameters)`
/// on twin models built from the same seed. The expected bits come from the reference path, so a
/// different operation or order anywhere in the fused step (loss, input gradient, update, state)
/// makes these tests fail.
@Suite struct FusedTrainStepTests {
    /// 12 → 16 (ReLU: the bias gradient comes from the ReLU pass) → 9 (Tanh: from the sum
    /// reduction) → 5, with dropout, so every backward branch of the fused pass runs.
    func model<Scalar: TensorScalar>(_: Scalar.Type, dropout: Double = 0.25) -> Sequential<Scalar> {
        var g = RandomGenerator(seed: 17)
        return Sequential {
            Linear<Scalar>(12, 16, generator: &g)
            ReLU<Scalar>()
            Dropout<Scalar>(probability: dropout, generator: &g)
            Linear<Scalar>(16, 9, generator: &g)
            Tanh<Scalar>()
            Linear<Scalar>(9, 5, generator: &g)
        }
    }

    func sample<Scalar: TensorScalar>(_: Scalar.Type, _ index: Int, rows: Int = 1) -> (Tensor<Scalar>, [Int]) {
        var generator = RandomGenerator(seed: 40 + UInt64(index))
        let x = Tensor<Scalar>.normal(shape: [rows, 12], mean: 0, standardDeviation: 1, generator: &generator)
        return (x, (0..<rows).map { ($0 + index * 3) % 5 })
    }

    /// Runs `steps` steps both ways, with the learning rate changed before each (a schedule), and
    /// checks parameters, losses and optimizer state for identity; returns the fused side.
    @discardableResult
    func compare<Scalar: TensorScalar>(
        _: Scalar.Type, steps: Int = 6, rows: Int = 1, freeze: Bool = false, dropout: Double = 0.25,
        _ makeOptimizer: () throws -> any Optimizer<Scalar>
    ) throws -> (CompiledStep<Scalar>, any Optimizer<Scalar>) {
        let fusedModel = model(Scalar.self, dropout: dropout), referenceModel = model(Scalar.self, dropout: dropout)
        if freeze {
            fusedModel.namedParameters()[0].parameter.isFrozen = true
            referenceModel.namedParameters()[0].parameter.isFrozen = true
        }
        let fused = try CompiledStep(model: fusedModel, loss: CrossEntropyLoss(), maximumBatchSize: rows)
        let reference = try CompiledStep(model: referenceModel, loss: CrossEntropyLoss(), maximumBatchSize: rows)
        let fusedOptimizer = try makeOptimizer(), referenceOptimizer = try makeOptimizer()
        for step in 0..<steps {
            let rate = fusedOptimizer.initialLearningRates[0] * (1 - 0.1 * Double(step))
            fusedOptimizer.learningRate = rate
            referenceOptimizer.learningRate = rate
            let (x, y) = sample(Scalar.self, step, rows: rows)
            let fusedLoss = try fused.trainStep(features: x, labels: y, optimizer: fusedOptimizer)
            let referenceLoss = try reference.computeGradients(features: x, labels: y)
            try referenceOptimizer.step(reference.parameters)
            #expect(fusedLoss == referenceLoss)
            for (name, parameter) in fused.parameters where !parameter.isFrozen {
                #expect(parameter.gradient == nil, "\(name): trainStep consumes the gradients")
            }
        }
        for ((name, a), (_, b)) in zip(fused.parameters, reference.parameters) {
            #expect(a.value.scalars == b.value.scalars, "\(name) differs")
        }
        #expect(fusedOptimizer.stateSnapshot() == referenceOptimizer.stateSnapshot())
        #expect(fused.parameters[0].parameter.value.scalars != model(Scalar.self).namedParameters()[0].parameter.value.scalars || freeze,
                "training changed nothing")
        return (fused, fusedOptimizer)
    }

    static let fusedOptimizers = ["sgd", "momentum", "adam"]

    func make<Scalar: TensorScalar>(_ name: String, _: Scalar.Type) throws -> any Optimizer<Scalar> {
        switch name {
        case "sgd": try SGD<Scalar>(learningRate: 0.05)
        case "momentum": try SGD<Scalar>(learningRate: 0.05, momentum: 0.9, dampening: 0.2)
        default: try Adam<Scalar>(learningRate: 0.01)
        }
    }

    @Test(arguments: fusedOptimizers)
    func fusedStepIsBitIdenticalInFloat(optimizer: String) throws {
        try compare(Float.self) { try make(optimizer, Float.self) }
    }

    @Test(arguments: fusedOptimizers)
    func fusedStepIsBitIdenticalInDouble(optimizer: String) throws {
        try compare(Double.self) { try make(optimizer, Double.self) }
    }

    /// Optimizers without an outer-product form fall back per parameter (a group with weight
    /// decay next to plain ones too), and larger batches fall back to the unfused step.
    @Test func fallbacksAreBitIdentical() throws {
        try compare(Float.self) { try SGD<Float>(learningRate: 0.05, momentum: 0.9, weightDecay: 0.01, nesterov: true) }
        try compare(Float.self) { try Adam<Float>(learningRate: 0.01, amsgrad: true) }
        try compare(Double.self) { try RMSprop<Double>(learningRate: 0.01) }
        try compare(Float.self) {
            let optimizer = try Adam<Float>(learningRate: 0.01)
            let names = ["3.weight", "0.bias"]
            #expect(Set(names).isSubset(of: model(Float.self).namedParameters().map(\.name)))
            try optimizer.addGroup(names: names, weightDecay: 0.1)
            return optimizer
        }
        try compare(Float.self, rows: 3) { try Adam<Float>(learningRate: 0.01) }
    }

    /// A frozen first layer is neither updated nor given state; the layers above still train.
    @Test func frozenParametersAreSkipped() throws {
        let (step, optimizer) = try compare(Float.self, freeze: true) { try Adam<Float>(learningRate: 0.01) }
        #expect(step.parameters[0].parameter.value.scalars == model(Float.self).namedParameters()[0].parameter.value.scalars)
        #expect(optimizer.stateSnapshot().parameters[step.parameters[0].name] == nil)
    }

    /// Regression targets go through the same fused path.
    @Test func tensorTargetsAreBitIdentical() throws {
        var g = RandomGenerator(seed: 3)
        let build = { (g: inout RandomGenerator) in Sequential<Double> { Linear<Double>(4, 6, generator: &g); GELU<Double>(); Linear<Double>(6, 2, generator: &g) } }
        var h = g
        let fused = try CompiledStep(model: build(&g), loss: MeanSquaredErrorLoss(), maximumBatchSize: 1)
        let reference = try CompiledStep(model: build(&h), loss: MeanSquaredErrorLoss(), maximumBatchSize: 1)
        let a = try Adam<Double>(learningRate: 0.02), b = try Adam<Double>(learningRate: 0.02)
        for step in 0..<5 {
            var data = RandomGenerator(seed: UInt64(step))
            let x = Tensor<Double>.normal(shape: [1, 4], mean: 0, standardDeviation: 1, generator: &data)
            let y = Tensor<Double>.normal(shape: [1, 2], mean: 0, standardDeviation: 1, generator: &data)
            let fusedLoss = try fused.trainStep(features: x, targets: y, optimizer: a)
            let referenceLoss = try reference.computeGradients(features: x, targets: y)
            try b.step(reference.parameters)
            #expect(fusedLoss == referenceLoss)
        }
        #expect(fused.parameters.map(\.parameter.value.scalars) == reference.parameters.map(\.parameter.value.scalars))
        #expect(a.stateSnapshot() == b.stateSnapshot())
    }

    /// State saved after fused steps restores into a fresh optimizer that continues exactly.
    @Test func stateSavedAfterFusedStepsResumesExactly() throws {
        // Without dropout, so that the second model needs only the weights (not the dropout generator).
        let (step, optimizer) = try compare(Float.self, steps: 3, dropout: 0) { try Adam<Float>(learningRate: 0.01) }
        let saved = optimizer.stateSnapshot()
        let weights = step.parameters.map(\.parameter.value)
        let resumed = try Adam<Float>(learningRate: 0.01)
        try resumed.restore(saved)
        // The same three further steps from the saved point: once on, once after a restore.
        let other = try CompiledStep(model: model(Float.self, dropout: 0), loss: CrossEntropyLoss(), maximumBatchSize: 1)
        for ((_, parameter), value) in zip(other.parameters, weights) { parameter.value = value }
        for index in 3..<6 {
            let (x, y) = sample(Float.self, index)
            try step.trainStep(features: x, labels: y, optimizer: optimizer)
            try other.trainStep(features: x, labels: y, optimizer: resumed)
        }
        #expect(step.parameters.map(\.parameter.value.scalars) == other.parameters.map(\.parameter.value.scalars))
        #expect(optimizer.stateSnapshot() == resumed.stateSnapshot())
        #expect(resumed.stateSnapshot().parameters["0.weight"]?.step == 6)
    }

    /// Through the trainer: batch-1 training with a schedule runs the fused step and ends with the
    /// bits of the plain autodiff loop (`usesCompiledStep = false`), step losses included.
    @Test(arguments: ["sgd(lr: 0.05, momentum: 0.9)", "adam(lr: 0.01)"])
    func trainerAtBatchOneMatchesTheAutodiffLoop(optimizer: String) throws {
        let make = { try MoonsRun<Float>(count: 40, hidden: [8, 8], dropout: 0.2, optimizer: optimizer,
                                         schedule: "step(stepSize: 7, gamma: 0.5)", batchSize: 1) }
        let fused = try make(), plain = try make()
        plain.trainer.usesCompiledStep = false
        let fusedResult = try fused.trainer.fit(epochs: 2, training: fused.training)
        let plainResult = try plain.trainer.fit(epochs: 2, training: plain.training)
        #expect(fused.trainer.compiledStep != nil)
        #expect(bits(fused.parameters) == bits(plain.parameters))
        #expect(fusedResult.history.steps.map(\.batchLoss) == plainResult.history.steps.map(\.batchLoss))
        #expect(fused.trainer.optimizer.stateSnapshot() == plain.trainer.optimizer.stateSnapshot())
        #expect(fused.model.parameters().allSatisfy { $0.gradient == nil }, "the fused step consumes the gradients")
    }

    /// With the layers split across threads by rows (thresholds lowered, two threads: every
    /// layer, or only the first with the small ones whole on one thread), the forward products
    /// and the fused updates still give the reference bits.
    @Test(arguments: [1, 150])
    func rowSplitAcrossThreadsIsBitIdentical(minimumWeights: Int) throws {
        let saved = (RowSplit.minimumWeights, RowSplit.minimumRows, RowSplit.plannedThreads, GEMM.maximumThreadCount)
        RowSplit.minimumWeights = minimumWeights
        RowSplit.minimumRows = 2
        RowSplit.plannedThreads = 2
        GEMM.maximumThreadCount = 2
        defer { (RowSplit.minimumWeights, RowSplit.minimumRows, RowSplit.plannedThreads, GEMM.maximumThreadCount) = saved }
        #expect(RowSplit.parts(rows: 16, columns: 12) == 2)
        #expect(RowSplit.parts(rows: 9, columns: 16) == (minimumWeights == 1 ? 2 : 1))
        for optimizer in Self.fusedOptimizers {
            try compare(Float.self) { try make(optimizer, Float.self) }
            try compare(Double.self) { try make(optimizer, Double.self) }
        }
    }
}
