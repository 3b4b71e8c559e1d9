import Testing
@testable import DescentCompiled
import DescentNN
import DescentCore
import DescentKernels

/// The compiled step against the autodiff path (`loss(model(x), y).backward()`) on twin models
/// built from the same seed. Expected values come from the autodiff path itself; "identical"
/// means bit for bit, because both paths call the same kernels in the same order.
@Suite struct CompiledStepTests {
    /// Builds the same model twice (same seed, so same weights and the same dropout generators).
    func twins<Scalar: TensorScalar>(_ build: (inout RandomGenerator) -> Sequential<Scalar>) -> (Sequential<Scalar>, Sequential<Scalar>) {
        var a = RandomGenerator(seed: 11), b = RandomGenerator(seed: 11)
        return (build(&a), build(&b))
    }

    func batch<Scalar: TensorScalar>(_ type: Scalar.Type, rows: Int, columns: Int, seed: UInt64) -> Tensor<Scalar> {
        var generator = RandomGenerator(seed: seed)
        return Tensor<Scalar>.normal(shape: [rows, columns], mean: 0, standardDeviation: 1, generator: &generator)
    }

    /// The autodiff gradients of `model` for one batch, by parameter name, and the loss.
    func autodiffGradients<Scalar: TensorScalar>(
        _ model: Sequential<Scalar>, _ loss: any Loss, _ x: Tensor<Scalar>, _ y: Tensor<Scalar>
    ) throws -> (loss: Double, gradients: [String: [Scalar]]) {
        model.zeroGradients()
        let value = try loss(model(x, mode: .training), y)
        try value.backward()
        var gradients: [String: [Scalar]] = [:]
        for (name, parameter) in model.namedParameters() { if let g = parameter.gradient { gradients[name] = g.scalars } }
        return (Double(value.scalar), gradients)
    }

    func compiledGradients<Scalar: TensorScalar>(
        _ model: Sequential<Scalar>, _ loss: any Loss, _ x: Tensor<Scalar>, _ y: Tensor<Scalar>, maximumBatchSize: Int = 16
    ) throws -> (loss: Double, gradients: [String: [Scalar]]) {
        let step = try CompiledStep(model: model, loss: loss, maximumBatchSize: maximumBatchSize)
        let value = try step.computeGradients(features: x, targets: y)
        var gradients: [String: [Scalar]] = [:]
        for (name, parameter) in step.parameters { if let g = parameter.gradient { gradients[name] = g.scalars } }
        return (value, gradients)
    }

    func labels<Scalar: TensorScalar>(_ type: Scalar.Type, rows: Int, classes: Int) -> Tensor<Scalar> {
        Tensor((0..<rows).map { Scalar(($0 * 7 + 3) % classes) })
    }

    func mlp<Scalar: TensorScalar>(_ g: inout RandomGenerator) -> Sequential<Scalar> {
        Sequential {
            Linear<Scalar>(12, 16, generator: &g)
            ReLU<Scalar>()
            Linear<Scalar>(16, 8, generator: &g)
            ReLU<Scalar>()
            Linear<Scalar>(8, 5, generator: &g)
        }
    }

    @Test(arguments: [1, 7, 16])
    func crossEntropyMLPGradientsAreIdenticalInDouble(rows: Int) throws {
        let (a, b) = twins { (g: inout RandomGenerator) -> Sequential<Double> in mlp(&g) }
        let x = batch(Double.self, rows: rows, columns: 12, seed: 5), y = labels(Double.self, rows: rows, classes: 5)
        let expected = try autodiffGradients(a, CrossEntropyLoss(), x, y)
        let got = try compiledGradients(b, CrossEntropyLoss(), x, y)
        #expect(got.loss == expected.loss)
        #expect(got.gradients == expected.gradients)
        #expect(got.gradients.count == 6)
    }

    /// Batches large enough for the packed GEMM, where a Linear followed by a ReLU applies it as
    /// the product's epilogue (and one ReLU sits after a Tanh, so it runs on its own): the same
    /// bits as the autodiff path, on one and two threads, in Float and Double, also predicting.
    @Test(arguments: [1, 2])
    func packedLinearWithReLUEpilogueIsIdentical(threads: Int) throws {
        try GEMM.withMaximumThreadCount(threads) { try packedLinearWithReLUEpilogue() }
    }

    func packedLinearWithReLUEpilogue() throws {
        func check<Scalar: TensorScalar>(_: Scalar.Type) throws {
            let (a, b) = twins { (g: inout RandomGenerator) -> Sequential<Scalar> in
                Sequential {
                    Linear<Scalar>(64, 96, generator: &g); ReLU<Scalar>()
                    Linear<Scalar>(96, 48, generator: &g); ReLU<Scalar>()
                    Linear<Scalar>(48, 40, generator: &g); Tanh<Scalar>(); ReLU<Scalar>()
                    Linear<Scalar>(40, 10, generator: &g)
                }
            }
            let x = batch(Scalar.self, rows: 70, columns: 64, seed: 9), y = labels(Scalar.self, rows: 70, classes: 10)
            let expected = try autodiffGradients(a, CrossEntropyLoss(), x, y)
            let step = try CompiledStep(model: b, loss: CrossEntropyLoss(), maximumBatchSize: 70)
            let got = try step.computeGradients(features: x, targets: y)
            #expect(got == expected.loss)
            for (name, parameter) in step.parameters {
                #expect(parameter.gradient?.scalars == expected.gradients[name], "\(name)")
            }
            #expect(try step.predict(x).scalars == a(x, mode: .evaluation).scalars)
        }
        try check(Float.self)
        try check(Double.self)
    }

    @Test(arguments: [1, 9])
    func crossEntropyMLPGradientsAreIdenticalInFloat(rows: Int) throws {
        let (a, b) = twins { (g: inout RandomGenerator) -> Sequential<Float> in mlp(&g) }
        let x = batch(Float.self, rows: rows, columns: 12, seed: 6), y = labels(Float.self, rows: rows, classes: 5)
        let expected = try autodiffGradients(a, CrossEntropyLoss(), x, y)
        let got = try compiledGradients(b, CrossEntropyLoss(), x, y)
        #expect(got.loss == expected.loss)
        #expect(got.gradients == expected.gradients)
    }

    @Test func smoothActivationsWithMeanSquaredErrorAreIdentical() throws {
        func build<Scalar: TensorScalar>(_ g: inout RandomGenerator) -> Sequential<Scalar> {
            Sequential {
                Flatten<Scalar>()
                Linear<Scalar>(6, 9, generator: &g)
                Tanh<Scalar>()
                Linear<Scalar>(9, 7, generator: &g)
                GELU<Scalar>()
                Linear<Scalar>(7, 7, bias: false, generator: &g)
                LeakyReLU<Scalar>(negativeSlope: -0.2)  // a negative slope: the input sign is needed
                Sequential<Scalar> {
                    Linear<Scalar>(7, 4, generator: &g)
                    Sigmoid<Scalar>()
                    Linear<Scalar>(4, 2, generator: &g)
                }
            }
        }
        for rows in [1, 5] {
            let (a, b) = twins { (g: inout RandomGenerator) -> Sequential<Double> in build(&g) }
            // [n, 2, 3] samples: Flatten turns them into rows of 6.
            let x = try batch(Double.self, rows: rows, columns: 6, seed: 7).reshaped(to: [rows, 2, 3])
            let y = batch(Double.self, rows: rows, columns: 2, seed: 8)
            let expected = try autodiffGradients(a, MeanSquaredErrorLoss(), x, y)
            let got = try compiledGradients(b, MeanSquaredErrorLoss(), x, y)
            #expect(got.loss == expected.loss)
            #expect(got.gradients == expected.gradients)
            #expect(got.gradients.count == 9)
        }
    }

    @Test func binaryCrossEntropyWithOneOutputAndVectorTargetsIsIdentical() throws {
        func build<Scalar: TensorScalar>(_ g: inout RandomGenerator) -> Sequential<Scalar> {
            Sequential { Linear<Scalar>(5, 6, generator: &g); ReLU<Scalar>(); Linear<Scalar>(6, 1, generator: &g) }
        }
        let (a, b) = twins { (g: inout RandomGenerator) -> Sequential<Float> in build(&g) }
        let x = batch(Float.self, rows: 8, columns: 5, seed: 9)
        let y = Tensor<Float>((0..<8).map { Float($0 % 2) })  // [n] targets for [n, 1] logits
        let expected = try autodiffGradients(a, BinaryCrossEntropyWithLogitsLoss(), x, y)
        let got = try compiledGradients(b, BinaryCrossEntropyWithLogitsLoss(), x, y)
        #expect(got.loss == expected.loss)
        #expect(got.gradients == expected.gradients)
    }

    @Test func dropoutDrawsTheSameMasksAsTheLayer() throws {
        func build<Scalar: TensorScalar>(_ g: inout RandomGenerator) -> Sequential<Scalar> {
            Sequential {
                Linear<Scalar>(10, 20, generator: &g); ReLU<Scalar>(); Dropout<Scalar>(probability: 0.3, generator: &g)
                Linear<Scalar>(20, 4, generator: &g)
            }
        }
        let (a, b) = twins { (g: inout RandomGenerator) -> Sequential<Double> in build(&g) }
        let step = try CompiledStep(model: b, loss: CrossEntropyLoss(), maximumBatchSize: 8)
        // Three batches in a row: the generators must advance in step too.
        for seed in 0..<3 {
            let x = batch(Double.self, rows: 8, columns: 10, seed: UInt64(seed)), y = labels(Double.self, rows: 8, classes: 4)
            let expected = try autodiffGradients(a, CrossEntropyLoss(), x, y)
            let loss = try step.computeGradients(features: x, targets: y)
            #expect(loss == expected.loss)
            for (name, parameter) in step.parameters { #expect(parameter.gradient!.scalars == expected.gradients[name]!) }
        }
    }

    @Test func accumulatingMatchesTwoBackwardPasses() throws {
        let (a, b) = twins { (g: inout RandomGenerator) -> Sequential<Double> in mlp(&g) }
        let x1 = batch(Double.self, rows: 6, columns: 12, seed: 1), x2 = batch(Double.self, rows: 6, columns: 12, seed: 2)
        let y = labels(Double.self, rows: 6, classes: 5)
        a.zeroGradients()
        try CrossEntropyLoss()(a(x1, mode: .training), y).backward()
        try CrossEntropyLoss()(a(x2, mode: .training), y).backward()
        let step = try CompiledStep(model: b, loss: CrossEntropyLoss(), maximumBatchSize: 6)
        b.zeroGradients()
        try step.accumulateGradients(features: x1, targets: y)
        try step.accumulateGradients(features: x2, targets: y)
        for ((name, p), (_, q)) in zip(a.namedParameters(), b.namedParameters()) {
            let difference = zip(p.gradient!.scalars, q.gradient!.scalars).map { Swift.abs($0 - $1) }.max()!
            #expect(difference < 1e-12, "\(name)")  // beta = 1 inside the GEMM instead of an add afterwards
        }
        // Overwriting after accumulating gives the single-batch gradient again.
        try step.computeGradients(features: x2, targets: y)
        let single = try autodiffGradients(a, CrossEntropyLoss(), x2, y)
        for (name, parameter) in step.parameters { #expect(parameter.gradient!.scalars == single.gradients[name]!) }
    }

    @Test func frozenParametersGetNoGradientAndTheRestMatch() throws {
        let (a, b) = twins { (g: inout RandomGenerator) -> Sequential<Float> in mlp(&g) }
        for model in [a, b] { for (name, p) in model.namedParameters() where name.hasPrefix("0.") { p.isFrozen = true } }
        let x = batch(Float.self, rows: 4, columns: 12, seed: 3), y = labels(Float.self, rows: 4, classes: 5)
        let expected = try autodiffGradients(a, CrossEntropyLoss(), x, y)
        let got = try compiledGradients(b, CrossEntropyLoss(), x, y)
        #expect(got.gradients == expected.gradients)
        #expect(got.gradients.keys.sorted() == ["2.bias", "2.weight", "4.bias", "4.weight"])
    }

    @Test func stepsWithUpdatesStayIdenticalToTheAutodiffLoop() throws {
        let (a, b) = twins { (g: inout RandomGenerator) -> Sequential<Float> in mlp(&g) }
        let step = try CompiledStep(model: b, loss: CrossEntropyLoss(), maximumBatchSize: 8)
        for seed in 0..<5 {
            let x = batch(Float.self, rows: 8, columns: 12, seed: UInt64(seed + 20))
            let y = (0..<8).map { ($0 + seed) % 5 }
            a.zeroGradients()
            try CrossEntropyLoss()(a(x, mode: .training), labels: y).backward()
            try step.computeGradients(features: x, labels: y)
            for model in [a, b] {
                for (_, p) in model.namedParameters() {
                    let g = p.gradient!
                    p.updateInPlace { v in g.withUnsafeBufferPointer { for i in 0..<v.count { v[i] -= 0.1 * $0[i] } } }
                }
            }
        }
        for ((name, p), (_, q)) in zip(a.namedParameters(), b.namedParameters()) {
            #expect(p.value.scalars == q.value.scalars, "\(name)")
        }
    }

    @Test func predictMatchesEvaluationForwardInChunks() throws {
        func build<Scalar: TensorScalar>(_ g: inout RandomGenerator) -> Sequential<Scalar> {
            Sequential { Linear<Scalar>(3, 8, generator: &g); GELU<Scalar>(); Dropout<Scalar>(probability: 0.5, generator: &g); Linear<Scalar>(8, 2, generator: &g) }
        }
        let (a, b) = twins { (g: inout RandomGenerator) -> Sequential<Double> in build(&g) }
        let step = try CompiledStep(model: b, loss: MeanSquaredErrorLoss(), maximumBatchSize: 4)
        let x = batch(Double.self, rows: 11, columns: 3, seed: 4)  // three chunks: 4, 4, 3
        let expected = try a(x, mode: .evaluation)
        let got = try step.predict(x)
        #expect(got.shape == [11, 2])
        #expect(got.scalars == expected.scalars)
        let y = batch(Double.self, rows: 4, columns: 2, seed: 5)
        let x4 = batch(Double.self, rows: 4, columns: 3, seed: 6)
        #expect(try step.evaluationLoss(features: x4, targets: y) == Double(MeanSquaredErrorLoss()(a(x4, mode: .evaluation), y).scalar))
    }

    @Test func ignoredLabelsAddNothing() throws {
        let (a, b) = twins { (g: inout RandomGenerator) -> Sequential<Double> in mlp(&g) }
        let x = batch(Double.self, rows: 5, columns: 12, seed: 12)
        let y = [1, -100, 4, 0, -100]
        a.zeroGradients()
        let expected = try CrossEntropyLoss()(a(x, mode: .training), labels: y)
        try expected.backward()
        let step = try CompiledStep(model: b, loss: CrossEntropyLoss(), maximumBatchSize: 5)
        #expect(try step.computeGradients(features: x, labels: y) == expected.scalar)
        for ((_, p), (_, q)) in zip(a.namedParameters(), step.parameters) { #expect(p.gradient!.scalars == q.gradient!.scalars) }
    }

    @Test func unsupportedModelsAndLossesThrowSoCallersCanFallBack() throws {
        var g = RandomGenerator(seed: 0)
        let withBatchNorm = Sequential<Double> { Linear<Double>(3, 4, generator: &g); BatchNorm1d<Double>(4) }
        #expect { try CompiledStep(model: withBatchNorm, loss: MeanSquaredErrorLoss(), maximumBatchSize: 4) } throws: {
            ($0 as? CompiledStepError)?.kind == .unsupportedModel && "\($0)".contains("BatchNorm1d")
        }
        let model = Sequential<Double> { Linear<Double>(3, 4, generator: &g) }
        #expect { try CompiledStep(model: model, loss: CrossEntropyLoss(labelSmoothing: 0.1), maximumBatchSize: 4) } throws: {
            ($0 as? CompiledStepError)?.kind == .unsupportedLoss && "\($0)".contains("label smoothing")
        }
        #expect { try CompiledStep(model: model, loss: L1Loss(), maximumBatchSize: 4) } throws: { ($0 as? CompiledStepError)?.kind == .unsupportedLoss }
        #expect { try CompiledStep(model: model, loss: MeanSquaredErrorLoss(reduction: .sum), maximumBatchSize: 4) } throws: { ($0 as? CompiledStepError)?.kind == .unsupportedLoss }
        #expect(CompiledStep<Double>.unsupportedReason(model: model, loss: MeanSquaredErrorLoss()) == nil)
        #expect(CompiledStep<Double>.unsupportedReason(model: Sequential<Double> { ReLU<Double>() }, loss: MeanSquaredErrorLoss()) != nil)
        // A single Linear is a model too.
        #expect(try CompiledStep(model: Linear<Double>(3, 2, generator: &g), loss: MeanSquaredErrorLoss(), maximumBatchSize: 2).outputWidth == 2)
    }

    @Test func batchesThatDoNotFitAreRejectedWithAMessage() throws {
        var g = RandomGenerator(seed: 0)
        let model = Sequential<Float> { Linear<Float>(3, 4, generator: &g) }
        let step = try CompiledStep(model: model, loss: CrossEntropyLoss(), maximumBatchSize: 2)
        #expect { try step.computeGradients(features: Tensor(zeros: [3, 3]), labels: [0, 1, 2]) } throws: {
            ($0 as? CompiledStepError)?.kind == .invalidBatch && "\($0)".contains("maximumBatchSize 2")
        }
        #expect { try step.computeGradients(features: Tensor(zeros: [2, 4]), labels: [0, 1]) } throws: { ($0 as? CompiledStepError)?.kind == .invalidBatch }
        #expect { try step.computeGradients(features: Tensor(zeros: [2, 3]), labels: [0, 4]) } throws: { "\($0)".contains("label 4 at row 1") }
        #expect { try step.computeGradients(features: Tensor(zeros: [2, 3]), targets: Tensor([0.5, 1])) } throws: { "\($0)".contains("whole numbers") }
    }
}

@Suite struct DenormalFlushingTests {
    @Test func flushingTurnsSubnormalResultsIntoZeroOnThisThread() throws {
        #if os(Linux) && arch(x86_64)
        let saved = DenormalFlushing.isEnabled
        defer { DenormalFlushing.isEnabled = saved }
        DenormalFlushing.isEnabled = false
        let tiny = Float.leastNormalMagnitude
        var half = tiny
        half /= 2  // a subnormal without flushing
        #expect(half > 0)
        DenormalFlushing.isEnabled = true
        #expect(DenormalFlushing.isEnabled)
        var flushed = tiny
        flushed /= 2
        #expect(flushed == 0)
        #endif
    }
}

/// The batch-1 look-ahead split gives the caller's part fewer rows of the big layer because it
/// also updates the small layers; how many is measured. Fed the times of a simulated machine, the
/// share must settle where the parts take equal time, and stay within its bounds.
@Suite struct PartBalanceTests {
    /// Ticks of each part for a split layer costing `perLayer` in all and `fixed` extra in part 0.
    func ticks(share: Double, parts: Int, perLayer: Double, fixed: Double) -> [UInt64] {
        let others = (1 - share) / Double(parts - 1) * perLayer
        return [UInt64(share * perLayer + fixed)] + Array(repeating: UInt64(others), count: parts - 1)
    }

    @Test(arguments: [(2, 0.1), (2, 0.3), (3, 0.05), (2, 0.0)])
    func settlesWherePartsTakeEqualTime(parts: Int, fixedFraction: Double) {
        var balance = PartBalance()
        let perLayer = 1_000_000.0, fixed = fixedFraction * perLayer
        // Starts from the weight counts (here as if the small layers weighed a fifth of the big one).
        var share = balance.firstShare(parts: parts, splitWeights: 5, wholeWeights: 1)
        #expect(abs(share - (1 - Double(parts - 1) * 0.2) / Double(parts)) < 1e-12)
        for _ in 0..<300 {
            let times = ticks(share: share, parts: parts, perLayer: perLayer, fixed: fixed)
            times.withUnsafeBufferPointer { balance.record(ticks: $0.baseAddress!, parts: parts, firstShare: share) }
            share = balance.firstShare(parts: parts, splitWeights: 5, wholeWeights: 1)
        }
        let times = ticks(share: share, parts: parts, perLayer: perLayer, fixed: fixed)
        #expect(abs(Double(times[0]) - Double(times[1])) < 0.01 * Double(times[1]), "times \(times) at share \(share)")
        #expect(share >= 0 && share <= 1 / Double(parts))
    }

    /// Part 0's own work larger than a fair part: it gets none of the big layer, never less.
    @Test func shareStaysWithinBounds() {
        var balance = PartBalance()
        let times: [UInt64] = [5_000_000, 1_000]
        times.withUnsafeBufferPointer { balance.record(ticks: $0.baseAddress!, parts: 2, firstShare: 0.4) }
        #expect(balance.firstShare(parts: 2, splitWeights: 10, wholeWeights: 1) == 0)
        let idle: [UInt64] = [0, 0]
        idle.withUnsafeBufferPointer { balance.record(ticks: $0.baseAddress!, parts: 2, firstShare: 0.4) }  // no information
        #expect(balance.firstShare(parts: 2, splitWeights: 10, wholeWeights: 1) == 0)
    }
}
