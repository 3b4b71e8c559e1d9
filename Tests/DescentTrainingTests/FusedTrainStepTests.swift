import DescentCore
import DescentData
import DescentKernels
@testable import DescentCompiled
import DescentNN
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
    /// `hidden` changes the first layer's 16 outputs (18: four-row groups and a remainder in
    /// the look-ahead kernel).
    ///
    /// `adjacent` puts the second Linear straight after the first (`"linear"`), behind a
    /// `Flatten` (`"flatten"`) or behind an identity `Dropout(p: 0)` (`"dropout0"`): the second
    /// layer's input is then the first layer's output buffer, which the look-ahead overwrites.
    func model<Scalar: TensorScalar>(_: Scalar.Type, dropout: Double = 0.25, inputs: Int = 12, hidden: Int = 16,
                                     adjacent: String? = nil) -> Sequential<Scalar> {
        var g = RandomGenerator(seed: 17)
        if let adjacent {
            return Sequential {
                Linear<Scalar>(inputs, hidden, generator: &g)
                if adjacent == "flatten" { Flatten<Scalar>() }
                if adjacent == "dropout0" { Dropout<Scalar>(probability: 0, generator: &g) }
                Linear<Scalar>(hidden, 9, generator: &g)
                Tanh<Scalar>()
                Linear<Scalar>(9, 5, generator: &g)
            }
        }
        return Sequential {
            Linear<Scalar>(inputs, hidden, generator: &g)
            ReLU<Scalar>()
            Dropout<Scalar>(probability: dropout, generator: &g)
            Linear<Scalar>(hidden, 9, generator: &g)
            Tanh<Scalar>()
            Linear<Scalar>(9, 5, generator: &g)
        }
    }

    func sample<Scalar: TensorScalar>(_: Scalar.Type, _ index: Int, rows: Int = 1, inputs: Int = 12) -> (Tensor<Scalar>, [Int]) {
        var generator = RandomGenerator(seed: 40 + UInt64(index))
        let x = Tensor<Scalar>.normal(shape: [rows, inputs], mean: 0, standardDeviation: 1, generator: &generator)
        return (x, (0..<rows).map { ($0 + index * 3) % 5 })
    }

    /// Runs `steps` steps both ways, with the learning rate changed before each (a schedule), and
    /// checks parameters, losses and optimizer state for identity; returns the fused side.
    @discardableResult
    ///
    /// With `lookahead` the fused side is told each next sample (`nextFeatures:`), and the test
    /// checks that the first layer's next outputs were computed (Float, AVX2 or better).
    func compare<Scalar: TensorScalar>(
        _: Scalar.Type, steps: Int = 6, rows: Int = 1, freeze: Bool = false, dropout: Double = 0.25,
        inputs: Int = 12, hidden: Int = 16, adjacent: String? = nil, lookahead: Bool = false,
        _ makeOptimizer: () throws -> any Optimizer<Scalar>
    ) throws -> (CompiledStep<Scalar>, any Optimizer<Scalar>) {
        let fusedModel = model(Scalar.self, dropout: dropout, inputs: inputs, hidden: hidden, adjacent: adjacent)
        let referenceModel = model(Scalar.self, dropout: dropout, inputs: inputs, hidden: hidden, adjacent: adjacent)
        if freeze {
            fusedModel.namedParameters()[0].parameter.isFrozen = true
            referenceModel.namedParameters()[0].parameter.isFrozen = true
        }
        let fused = try CompiledStep(model: fusedModel, loss: CrossEntropyLoss(), maximumBatchSize: rows)
        let reference = try CompiledStep(model: referenceModel, loss: CrossEntropyLoss(), maximumBatchSize: rows)
        let fusedOptimizer = try makeOptimizer(), referenceOptimizer = try makeOptimizer()
        let samples = (0...steps).map { sample(Scalar.self, $0, rows: rows, inputs: inputs) }
        let expectsLookahead = lookahead && Scalar.self == Float.self && GEMM.instructionSet >= .avx2 && rows == 1 && !freeze
        for step in 0..<steps {
            let rate = fusedOptimizer.initialLearningRates[0] * (1 - 0.1 * Double(step))
            fusedOptimizer.learningRate = rate
            referenceOptimizer.learningRate = rate
            let (x, y) = samples[step]
            let next = lookahead && step + 1 < steps ? samples[step + 1].0 : nil
            let fusedLoss = try fused.trainStep(features: x, labels: y, optimizer: fusedOptimizer, nextFeatures: next)
            #expect((fused.lookahead != nil) == (expectsLookahead && next != nil), "step \(step): look-ahead computed")
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
        #expect(fused.parameters[0].parameter.value.scalars != model(Scalar.self, inputs: inputs, hidden: hidden).namedParameters()[0].parameter.value.scalars || freeze,
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

    /// With the next sample given, the first layer's update computes its next outputs, and every
    /// step still gives the reference bits: at both instruction sets (AVX-512 is lowered to the
    /// supported level), with inputs that fill no vector (12), fill some and leave a tail (37),
    /// and fill them exactly (32).
    @Test(arguments: fusedOptimizers)
    func lookaheadIsBitIdentical(optimizer: String) throws {
        for instructionSet in [GEMM.InstructionSet.avx2, .avx512] {
            try GEMM.withInstructionSet(instructionSet) {
                for inputs in [12, 37, 32] {
                    try compare(Float.self, inputs: inputs, lookahead: true) { try make(optimizer, Float.self) }
                }
                // 18 rows: four-row groups and two rows left over.
                try compare(Float.self, inputs: 37, hidden: 18, lookahead: true) { try make(optimizer, Float.self) }
                try compare(Double.self, lookahead: true) { try make(optimizer, Double.self) }
                try compare(Float.self, freeze: true, lookahead: true) { try make(optimizer, Float.self) }
            }
        }
    }

    /// The look-ahead is used only for the sample it was computed for and only while nothing
    /// changed: a different next sample, a prediction in between (which overwrites the first
    /// layer's buffer), a changed weight or bias, or a changed instruction set each make the
    /// step compute the first layer again (a stale output would change the loss and the bits).
    @Test func lookaheadIsDiscardedWhenAnythingChanged() throws {
        let fusedModel = model(Float.self, inputs: 37), referenceModel = model(Float.self, inputs: 37)
        let fused = try CompiledStep(model: fusedModel, loss: CrossEntropyLoss(), maximumBatchSize: 1)
        let reference = try CompiledStep(model: referenceModel, loss: CrossEntropyLoss(), maximumBatchSize: 1)
        let fusedOptimizer = try SGD<Float>(learningRate: 0.05), referenceOptimizer = try SGD<Float>(learningRate: 0.05)
        let samples = (0..<8).map { sample(Float.self, $0, inputs: 37) }
        func step(_ index: Int, announcing next: Tensor<Float>?) throws {
            let fusedLoss = try fused.trainStep(features: samples[index].0, labels: samples[index].1, optimizer: fusedOptimizer,
                                                nextFeatures: next)
            let referenceLoss = try reference.computeGradients(features: samples[index].0, labels: samples[index].1)
            try referenceOptimizer.step(reference.parameters)
            #expect(fusedLoss == referenceLoss, "step on sample \(index)")
        }
        let hasKernel = GEMM.instructionSet >= .avx2
        // Announced 1, trains on 2: the announced outputs are not used.
        try step(0, announcing: samples[1].0)
        #expect((fused.lookahead != nil) == hasKernel)
        try step(2, announcing: samples[3].0)
        // A prediction between the steps overwrites the first layer's buffer.
        _ = try fused.predict(samples[5].0)
        _ = try reference.predict(samples[5].0)
        #expect(fused.lookahead == nil)
        try step(3, announcing: samples[4].0)
        // The weight and the bias change between the steps.
        for model in [fusedModel, referenceModel] {
            model.namedParameters()[0].parameter.updateInPlace { $0[3] += 0.5 }
        }
        try step(4, announcing: samples[5].0)
        for model in [fusedModel, referenceModel] {
            model.namedParameters()[1].parameter.updateInPlace { $0[2] -= 0.25 }
        }
        try step(5, announcing: samples[6].0)
        // A copy of the announced sample (other storage) does not use it either.
        let copy = try Tensor<Float>(shape: samples[6].0.shape, scalars: samples[6].0.scalars)
        let fusedLoss = try fused.trainStep(features: copy, labels: samples[6].1, optimizer: fusedOptimizer, nextFeatures: samples[7].0)
        let referenceLoss = try reference.computeGradients(features: copy, labels: samples[6].1)
        try referenceOptimizer.step(reference.parameters)
        #expect(fusedLoss == referenceLoss)
        // Another instruction set for the step after.
        try GEMM.withInstructionSet(.portable) { try step(7, announcing: nil) }
        for ((name, a), (_, b)) in zip(fused.parameters, reference.parameters) {
            #expect(a.value.scalars == b.value.scalars, "\(name) differs")
        }
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

    /// Batches of more than one row: plain SGD's weight steps are folded into the weight-gradient
    /// products (`W ← (−η)·Gᵀ·X + W`) and must give the reference bits, at both instruction sets,
    /// through the direct path (small layers) and the packed path with two threads (64 × 300
    /// weights, 40 rows), with a frozen first layer, and with a parameter group whose momentum
    /// sends one weight through the optimizer instead; momentum and Adam (no plain form) as well.
    @Test func batchStepsFoldPlainSGDIntoTheProducts() throws {
        try GEMM.withMaximumThreadCount(2) { try foldedBatchSteps() }  // on this thread only
    }

    func foldedBatchSteps() throws {
        for instructionSet in [GEMM.InstructionSet.avx2, .avx512] {
            try GEMM.withInstructionSet(instructionSet) {
                for rows in [2, 7, 40] {
                    #expect(GEMM.addsCompleteProducts(depth: rows) == (GEMM.backend == "descent" && GEMM.instructionSet >= .avx2))
                    for optimizer in Self.fusedOptimizers {
                        try compare(Float.self, rows: rows) { try make(optimizer, Float.self) }
                    }
                    try compare(Float.self, rows: rows, inputs: 300, hidden: 64) { try make("sgd", Float.self) }
                    try compare(Float.self, rows: rows, freeze: true) { try make("sgd", Float.self) }
                    try compare(Float.self, rows: rows) {
                        let optimizer = try SGD<Float>(learningRate: 0.05)
                        try optimizer.addGroup(names: ["3.weight"]) { $0.momentum = 0.9 }
                        return optimizer
                    }
                    try compare(Double.self, rows: rows) { try make("sgd", Double.self) }
                }
            }
        }
        // Past one depth block (the batch summed in two passes) the step is not folded.
        #expect(!GEMM.addsCompleteProducts(depth: 513))
    }

    /// The query a folded step relies on: plain SGD reports its rate rounded as the step rounds it;
    /// momentum, weight decay, Nesterov, maximize, a zero rate and other optimizers report none.
    @Test func plainUpdateRates() throws {
        #expect(try SGD<Float>(learningRate: 0.1).plainUpdateRate(name: "w") == Double(Float(-0.1)))
        #expect(try SGD<Double>(learningRate: 0.1).plainUpdateRate(name: "w") == -0.1)
        #expect(try SGD<Float>(learningRate: 0.1, momentum: 0.5).plainUpdateRate(name: "w") == nil)
        #expect(try SGD<Float>(learningRate: 0.1, weightDecay: 0.01).plainUpdateRate(name: "w") == nil)
        #expect(try SGD<Float>(learningRate: 0.1, maximize: true).plainUpdateRate(name: "w") == nil)
        #expect(try SGD<Float>(learningRate: 0).plainUpdateRate(name: "w") == nil)
        #expect(try Adam<Float>(learningRate: 0.1).plainUpdateRate(name: "w") == nil)
        let grouped = try SGD<Float>(learningRate: 0.1)
        try grouped.addGroup(names: ["b"]) { $0.momentum = 0.9 }
        #expect(grouped.plainUpdateRate(name: "a") != nil && grouped.plainUpdateRate(name: "b") == nil)
        #expect(grouped.stateSnapshot().parameters.isEmpty, "the query changes nothing")
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

    /// Uneven blocks (the caller's part lighter when it also updates the small layers) still
    /// cover every row exactly once, in order.
    @Test func unevenRowBlocksCoverEveryRowOnce() {
        for count in [0, 1, 7, 256] {
            for parts in [2, 3, 4] {
                for share in [0.0, 0.1, 1 / Double(parts), 0.9, 1.0] {
                    let blocks = (0..<parts).map { RowSplit.block(count, part: $0, of: parts, firstShare: share) }
                    #expect(blocks.flatMap { Array($0) } == Array(0..<count), "\(count) rows, \(parts) parts, share \(share)")
                    #expect(abs(blocks[0].count - Int((Double(count) * share).rounded())) <= 0)
                }
            }
            #expect(RowSplit.block(count, part: 0, of: 1, firstShare: 0.3) == 0..<count)
        }
    }

    /// With the layers split across threads by rows (thresholds lowered, two threads: every
    /// layer, or only the first with the small ones whole on one thread), the forward products
    /// and the fused updates still give the reference bits.
    @Test(arguments: [1, 150])
    func rowSplitAcrossThreadsIsBitIdentical(minimumWeights: Int) throws {
        // The thresholds and the thread count for this thread only: other tests run meanwhile.
        try GEMM.withMaximumThreadCount(2) {
            try RowSplit.with(minimumWeights: minimumWeights, minimumRows: 2) { try rowSplitCases(minimumWeights: minimumWeights) }
        }
    }

    func rowSplitCases(minimumWeights: Int) throws {
        #expect(RowSplit.parts(rows: 16, columns: 12) == 2)
        #expect(RowSplit.parts(rows: 9, columns: 16) == (minimumWeights == 1 ? 2 : 1))
        for optimizer in Self.fusedOptimizers {
            try compare(Float.self) { try make(optimizer, Float.self) }
            try compare(Double.self) { try make(optimizer, Double.self) }
            try compare(Float.self, inputs: 37, lookahead: true) { try make(optimizer, Float.self) }
            try compare(Float.self, inputs: 37, hidden: 18, lookahead: true) { try make(optimizer, Float.self) }
        }
    }

    /// A Linear whose input is the first Linear's output buffer (straight after it, behind a
    /// Flatten, or behind an identity Dropout) while the look-ahead overwrites that buffer with
    /// the next sample's outputs, the layers split across two threads. On 67e7987 the second
    /// layer's update read the half-written buffer in about one run in three; the reference
    /// bits come from the unfused step (`computeGradients` then `optimizer.step`). Many steps,
    /// so that a race has many chances to show.
    @Test(arguments: ["linear", "flatten", "dropout0"])
    func lookaheadNextToALinearReaderIsBitIdentical(adjacent: String) throws {
        // The thresholds and the thread count for this thread only: other tests run meanwhile.
        try GEMM.withMaximumThreadCount(2) {
            try RowSplit.with(minimumWeights: 150, minimumRows: 2) {
                for optimizer in Self.fusedOptimizers {
                    try compare(Float.self, steps: 60, inputs: 200, hidden: 256, adjacent: adjacent, lookahead: true) {
                        try make(optimizer, Float.self)
                    }
                }
            }
        }
    }

    /// One Linear in two places: autodiff sums the two uses' gradients, the compiled step would
    /// keep one, so it refuses the model and says why (the trainer then runs the plain loop).
    @Test func reusedLayerIsRefused() throws {
        var g = RandomGenerator(seed: 5)
        let shared = Linear<Float>(6, 6, generator: &g)
        let model = Sequential<Float> { Linear<Float>(4, 6, generator: &g); shared; ReLU<Float>(); shared; Linear<Float>(6, 3, generator: &g) }
        let reason = CompiledStep<Float>.unsupportedReason(model: model, loss: CrossEntropyLoss())
        #expect(reason?.contains("layer 3 uses the same parameters as layer 1") == true, "\(reason ?? "nil")")
        #expect(throws: CompiledStepError.self) { try CompiledStep(model: model, loss: CrossEntropyLoss(), maximumBatchSize: 4) }
    }
}
