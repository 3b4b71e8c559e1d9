import CDescentKernels
import DescentCore
import DescentData
import DescentKernels
@testable import DescentCompiled
import DescentNN
import DescentOptim
@testable import DescentTraining
import PropertyBased
import Synchronization
import Testing

/// `Trainer.fit` with its default settings (the compiled step allowed: fused batch-1 updates,
/// row splits across threads, the first layer's look-ahead, plain SGD folded into the GEMM) must
/// leave the same bits as the plain autodiff loop on a twin model built from the same seed: every
/// parameter and buffer, every batch loss and learning rate, the epoch losses and the optimizer's
/// state snapshot. The expected values always come from the plain loop written out by hand
/// (``EquivalenceCase/trainWithPlainLoop(_:)``) run on one thread; which path the trainer takes
/// (compiled or not) is not checked, only the bits.
///
/// No test here changes a process-wide setting: "one thread" is `WorkerPool.runningSerially`
/// (this thread only), and the row split is reached with a first layer of ≥ 2¹⁷ weights rather
/// than by lowering `RowSplit`'s thresholds.
@Suite struct StepEquivalenceTests {
    static let batchSizes = [1, 7, 32, 1024]

    /// The model zoo: adjacent linear layers, Linear → Flatten → Linear, dropout 0 and > 0, a
    /// reused layer, every activation, BatchNorm1d, no bias, logistic regression, a deep mix.
    static let zoo: [ZooModel] = [
        ZooModel("adjacent linears", inputs: 6, [.linear(12), .linear(5)]),
        ZooModel("adjacent linears inside", inputs: 6, [.linear(10), .relu, .linear(10), .linear(9), .tanh, .linear(4)]),
        ZooModel("linear-flatten-linear", inputs: 6, [.linear(12), .flatten, .linear(5)]),
        ZooModel("dropout 0", inputs: 6, [.linear(12), .dropout(0), .linear(5)]),
        ZooModel("dropout 0.3 after a linear", inputs: 6, [.linear(12), .dropout(0.3), .linear(5)]),
        ZooModel("dropout 0.3 after an activation", inputs: 6, [.linear(12), .relu, .dropout(0.3), .linear(5)]),
        ZooModel("reused layer", inputs: 8, [.linear(8), .tanh, .reuse(0), .linear(3)]),
        ZooModel("reused layer, adjacent", inputs: 8, [.linear(8), .reuse(0), .linear(3)]),
        ZooModel("batch norm", inputs: 6, [.linear(10), .batchNorm, .relu, .linear(4)]),
        ZooModel("no bias", inputs: 6, [.linearWithoutBias(10), .relu, .linear(4)]),
        ZooModel("logistic regression", inputs: 6, [.linear(4)]),
        ZooModel("deep mix", inputs: 7, [.linear(16), .relu, .linear(12), .tanh, .dropout(0.2), .linear(12), .gelu, .linear(4)]),
    ] + ZooLayer.activations.map { ZooModel("\($0)", inputs: 6, [.linear(10), $0, .linear(4)]) }

    /// Every zoo model at every batch size, with every optimizer, in Float and Double, on one
    /// thread and on the pool's threads (these small models give a second thread nothing to
    /// split; StepEquivalenceThreadTests proves two threads on models that split). Expected: the
    /// plain loop (one thread).
    @Test(arguments: zoo, batchSizes)
    func zooModelMatchesThePlainLoop(model: ZooModel, batchSize: Int) throws {
        guard batchSize > 1 || !model.needsTwoRows else { return }  // BatchNorm1d cannot train on one row
        for optimizer in ZooOptimizer.allCases {
            let run = EquivalenceCase(model, batchSize: batchSize, optimizer: optimizer)
            try run.check(Float.self)
            try run.check(Double.self)
        }
    }

    /// Every loss in Sources/DescentNN/Losses (the compiled ones, the options that make them run
    /// eager, and the eager-only ones) on a model with adjacent linears and an activation, at
    /// every batch size, with every optimizer, Float and Double, one thread. Expected: the plain loop.
    @Test(arguments: ZooLoss.allCases, batchSizes)
    func lossMatchesThePlainLoop(loss: ZooLoss, batchSize: Int) throws {
        guard loss.allows(batchSize: batchSize) else { return }
        let model = ZooModel("loss model", inputs: 5, [.linear(10), .tanh, .linear(10), .linear(loss.needsOneOutput ? 1 : 3)])
        for optimizer in ZooOptimizer.allCases {
            let run = EquivalenceCase(model, loss: loss, batchSize: batchSize, optimizer: optimizer)
            try run.check(Float.self, threads: [.one])
            try run.check(Double.self, threads: [.one])
        }
    }

    /// The reference is right: the hand-written plain loop gives the bits of the trainer's own
    /// autodiff loop (`usesCompiledStep = false`), schedule, losses and epoch evaluation included.
    @Test(arguments: [zoo[0], zoo[5], zoo[6], zoo[8]], [1, 7])
    func theHandWrittenLoopIsTheTrainersAutodiffLoop(model: ZooModel, batchSize: Int) throws {
        guard batchSize > 1 || !model.needsTwoRows else { return }
        for optimizer in [ZooOptimizer.momentum, .adamW] {
            let run = EquivalenceCase(model, batchSize: batchSize, optimizer: optimizer)
            run.expectSameBits(try run.trainWithTrainer(Float.self, usesCompiledStep: false), try run.trainWithPlainLoop(Float.self),
                               "usesCompiledStep = false")
        }
    }

    /// The fast paths these tests are about are really taken (without them the equivalence would
    /// hold trivially): the trainer builds a compiled step for a zoo model; at batch 1 in Float
    /// with AVX2 its update computes the next sample's first-layer outputs; a 784 × 256 first layer
    /// is above the row-split threshold; at 7 and 32 rows plain SGD is folded into the products.
    @Test func theFastPathsAreReached() throws {
        let run = EquivalenceCase(StepEquivalenceThreadTests.wideModels[0], batchSize: 1, optimizer: .sgd, samples: 3)
        let trainer = Trainer(model: run.model.build(Float.self, seed: 1), loss: CrossEntropyLoss(), optimizer: try run.makeOptimizer(Float.self))
        let batches = try run.loader(Float.self).batches(epoch: 0)
        let first = try #require(try batches.next())
        try trainer.trainStep(on: first, next: try batches.peek())
        let step = try #require(trainer.compiledStep, "the trainer ran no compiled step")
        #expect(step.lookahead != nil || GEMM.instructionSet < .avx2, "no look-ahead at batch 1")
        #expect(256 * 784 >= RowSplit.minimumWeights && 256 / RowSplit.minimumRows >= 2, "the wide first layer is not split")
        let batchStep = try #require(try (trainer.step as? CompiledTrainingStep<Float>)?.compiledStep(for: 32))
        for rows in [7, 32] {
            #expect(batchStep.foldsPlainUpdatesIntoProducts(try SGD<Float>(learningRate: 0.05), rows: rows)
                    || !GEMM.addsCompleteProducts(depth: rows), "plain SGD is not folded at \(rows) rows")
        }
        #expect(GEMM.addsCompleteProducts(depth: 32) == (GEMM.backend == "descent" && GEMM.instructionSet >= .avx2))
    }

    /// Random models from swift-property-based generators (widths, depth, activations or none,
    /// dropout and flatten placement, reused layers, batch size, optimizer, loss, element type),
    /// drawn from a fixed seed so every run tests the same cases. Expected: the plain loop.
    @Test(arguments: GeneratedCase.cases)
    func generatedModelMatchesThePlainLoop(generated: GeneratedCase) throws {
        if generated.double { try generated.equivalence.check(Double.self) } else { try generated.equivalence.check(Float.self) }
    }
}

/// Two threads against one: these run where the work really splits (a first layer of 784 × 256
/// weights at batch 1, which `RowSplit` splits by rows, with the Float look-ahead; GEMMs large
/// enough for several threads at larger batches) and prove that a pool worker ran a part
/// (``WorkerPool/partsRunByWorkers``, counted for this thread's jobs only). When no part ran
/// elsewhere (the pool busy with another test's job, or one thread at that moment) the run is
/// repeated; after `attempts` runs without a second thread the test fails, naming the thread
/// count. Serialized so that these tests do not take the pool from one another.
@Suite(.serialized) struct StepEquivalenceThreadTests {
    static let attempts = 8

    /// The bug report's shapes: a 784 → 256 first layer (split by rows, with the look-ahead)
    /// straight into the next linear, through Flatten, through Dropout(0) (a second layer of 64
    /// outputs reads the shared buffer longer than one of 10, so the race shows more often);
    /// through ReLU (a control: the second layer reads the ReLU's own buffer); and two large
    /// adjacent layers (both split by rows).
    static let wideModels: [ZooModel] = [
        ZooModel("wide adjacent linears", inputs: 784, [.linear(256), .linear(10)]),
        ZooModel("wide adjacent linears, second of 64", inputs: 784, [.linear(256), .linear(64), .relu, .linear(10)]),
        ZooModel("wide linear-flatten-linear", inputs: 784, [.linear(256), .flatten, .linear(64), .relu, .linear(10)]),
        ZooModel("wide dropout 0", inputs: 784, [.linear(256), .dropout(0), .linear(64), .relu, .linear(10)]),
        ZooModel("wide relu", inputs: 784, [.linear(256), .relu, .linear(10)]),
        ZooModel("two wide adjacent linears", inputs: 784, [.linear(256), .linear(512), .relu, .linear(10)]),
    ]

    /// Every wide model with the fused optimizers (plain SGD, momentum, Adam: deferred updates,
    /// so the look-ahead runs), and two with RMSprop, which has no fast rule (no deferred update,
    /// so no look-ahead).
    static let wideCases: [(ZooModel, ZooOptimizer)] = wideModels.flatMap { model in [ZooOptimizer.sgd, .momentum, .adam].map { (model, $0) } }
        + [(wideModels[0], .rmsprop), (wideModels[4], .rmsprop)]

    /// Batch 1 on two threads and on one against the plain loop (one thread): Float (row split
    /// and look-ahead), and Double (row split, no look-ahead) with SGD for three of the models.
    /// (Double Adam is left out here: its update loop takes about 1 µs per element in a debug
    /// build, 0.25 s per step of these models; RMSprop's update too is slow there, so it gets
    /// fewer steps.)
    @Test(arguments: wideCases)
    func batchOneOnTwoThreadsMatchesThePlainLoop(model: ZooModel, optimizer: ZooOptimizer) throws {
        // 48 steps a run and four runs on two threads: the race hits some steps of some runs.
        let fused = optimizer != .rmsprop
        let run = EquivalenceCase(model, batchSize: 1, optimizer: optimizer, samples: fused ? 24 : 8)
        try expectTwoThreadsMatchOneAndThePlainLoop(run, Float.self, runs: fused ? 4 : 1)
        if optimizer == .sgd, [0, 4, 5].contains(Self.wideModels.firstIndex(of: model)) {
            try expectTwoThreadsMatchOneAndThePlainLoop(run, Double.self)
        }
    }

    /// Larger batches on two threads: a model whose products are large enough for the GEMM to
    /// split them (at 7 and 32 rows plain SGD is folded into the weight-gradient product).
    @Test(arguments: [7, 32, 1024], [ZooOptimizer.sgd, .adam])
    func batchesOnTwoThreadsMatchThePlainLoop(batchSize: Int, optimizer: ZooOptimizer) throws {
        let model = batchSize == 1024
            ? ZooModel("batch model", inputs: 64, [.linear(64), .relu, .linear(64), .linear(4)])
            : ZooModel("wide batch model", inputs: 784, [.linear(256), .linear(10)])
        let run = EquivalenceCase(model, batchSize: batchSize, optimizer: optimizer, samples: batchSize == 1024 ? 1324 : 3 * batchSize + 5,
                                  epochs: batchSize == 1024 ? 1 : 2)
        try expectTwoThreadsMatchOneAndThePlainLoop(run, Float.self)
    }

    /// The proof itself: parts run serially do not count, and a part that can only finish on
    /// another thread (part 0 waits for part 1) counts once.
    @available(macOS 15.0, *)
    @Test func workerPartsAreCountedForTheCallingThread() {
        let before = WorkerPool.partsRunByWorkers
        WorkerPool.runningSerially { WorkerPool.run(parts: 8) { _ in } }
        #expect(WorkerPool.partsRunByWorkers == before, "parts run on the calling thread do not count")
        var counted = false
        for _ in 0..<20 where !counted {
            let start = WorkerPool.partsRunByWorkers
            let partOneDone = Atomic<Bool>(false), sawPartOne = Atomic<Bool>(false)
            WorkerPool.run(parts: 2) { part in
                if part == 1 { partOneDone.store(true, ordering: .releasing); return }
                let begin = ContinuousClock.now
                while ContinuousClock.now - begin < .milliseconds(500) {
                    if partOneDone.load(ordering: .acquiring) { sawPartOne.store(true, ordering: .relaxed); return }
                }
            }
            // Part 1 finished while part 0 was still running: another thread ran it.
            if sawPartOne.load(ordering: .relaxed) {
                #expect(WorkerPool.partsRunByWorkers - start == 1)
                counted = true
            }
        }
        #expect(counted, "no part ran on a second thread in 20 attempts (GEMM.maximumThreadCount = \(GEMM.maximumThreadCount))")
    }

    /// The trainer on two threads and on one thread, each against the plain loop on one thread
    /// (the expected values). The two-thread training runs until `runs` of its runs had a part on
    /// a worker (a race shows in only some runs, so more runs catch it more often), at most
    /// `runs + attempts` times; it fails if no run had one.
    func expectTwoThreadsMatchOneAndThePlainLoop<Scalar: TensorScalar>(_ run: EquivalenceCase, _: Scalar.Type, runs: Int = 1,
                                                                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected = try ThreadMode.one.run { try run.trainWithPlainLoop(Scalar.self) }.0
        let oneThread = try ThreadMode.one.run { try run.trainWithTrainer(Scalar.self) }.0
        run.expectSameBits(oneThread, expected, "one thread", sourceLocation: sourceLocation)
        var proven = 0
        for _ in 0..<(runs + Self.attempts) where proven < runs {
            let (twoThreads, parts) = try ThreadMode.pool.run { try run.trainWithTrainer(Scalar.self) }
            if parts > 0 { proven += 1 }
            // A mismatch is recorded whether or not a second thread took part; one is enough.
            guard run.expectSameBits(twoThreads, expected, "two threads (\(parts) parts on a worker)", sourceLocation: sourceLocation) else { return }
        }
        guard proven == 0 else { return }
        let message = "\(Scalar.self), \(run): no part ran on a second thread in \(runs + Self.attempts) runs (GEMM.maximumThreadCount = "
            + "\(GEMM.maximumThreadCount), \(descent_processor_count()) processors), so two threads were not tested; "
            + "run on a machine with at least two cores (or DESCENT_NUM_THREADS=2)"
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
    }
}

/// A random model and run for ``StepEquivalenceTests/generatedModelMatchesThePlainLoop(generated:)``.
struct GeneratedCase: Sendable, CustomTestStringConvertible {
    var equivalence: EquivalenceCase
    var double: Bool

    var testDescription: String { "\(double ? "Double" : "Float"), \(equivalence)" }

    /// One hidden block: `Linear(width)`, an optional activation (none: two adjacent linears),
    /// then maybe Dropout(0) or Flatten right after the linear or Dropout(0.25) after the
    /// activation, and maybe a square `Linear(width, width)` used twice.
    static let block = zip(Gen.int(in: 1...16), Gen.int(in: 0...5), Gen.int(in: 0...4), Gen.int(in: 0...3))

    static let generator = zip(
        Gen.int(in: 1...12), block.array(of: 0...3), Gen.int(in: 1...5), Gen.int(in: 0...5), Gen.int(in: 0...5), Gen.int(in: 0...2), Gen.bool
    ).map { inputs, blocks, outputs, batchIndex, optimizerIndex, lossIndex, double in
        let activations: [ZooLayer?] = [nil, .relu, .leakyReLU, .tanh, .sigmoid, .gelu]
        var layers: [ZooLayer] = []
        for (width, activation, extra, reuse) in blocks {
            layers.append(.linear(width))
            if extra == 1 { layers.append(.dropout(0)) }
            if extra == 2 { layers.append(.flatten) }
            if let activation = activations[activation] { layers.append(activation) }
            if extra == 3 { layers.append(.dropout(0.25)) }
            if reuse == 0 {
                layers.append(.linear(width))
                let shared = layers.count - 1
                if let activation = activations[activation] { layers.append(activation) }
                layers.append(.reuse(shared))
            }
        }
        let loss = [ZooLoss.crossEntropy, .meanSquaredError, .binaryCrossEntropyWithLogits][lossIndex]
        layers.append(.linear(outputs))
        let model = ZooModel("generated", inputs: inputs, layers)
        return GeneratedCase(equivalence: EquivalenceCase(model, loss: loss, batchSize: [1, 1, 2, 7, 32, 1024][batchIndex],
                                                          optimizer: ZooOptimizer.allCases[optimizerIndex]),
                             double: double)
    }

    /// Twenty cases from a fixed seed (so every run tests the same ones; `propertyCheck` draws a
    /// fresh seed per run, and its `.fixedSeed` trait is for reproducing one failure only).
    static let cases: [GeneratedCase] = {
        var random = Xoshiro(seed: (0x5EED_0014, 0xDE5C_E27, 0x1, 0x5))
        return (0..<20).map { _ in generator.run(using: &random) }
    }()
}
