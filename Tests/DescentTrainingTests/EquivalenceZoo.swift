import DescentCore
import DescentData
import DescentKernels
@testable import DescentCompiled
import DescentNN
import DescentOptim
import DescentTraining
import Testing

// The models, data, optimizers and twin runs of StepEquivalenceTests: `Trainer.fit` with its
// default settings (the compiled step allowed) against the plain autodiff loop, on twin models
// built from the same seed.

/// One layer of a zoo model, as a value (so models can be generated, compared and printed).
enum ZooLayer: Hashable, Sendable, CustomStringConvertible {
    /// `Linear(width → n)`.
    case linear(Int)
    /// `Linear(width → n, bias: false)`.
    case linearWithoutBias(Int)
    /// The `Linear` at layer index `k` once more (the same instance: its parameters are shared).
    case reuse(Int)
    case relu, leakyReLU, tanh, sigmoid, gelu, softmax, logSoftmax
    /// `Dropout(probability: p)`, its generator seeded from the model's generator.
    case dropout(Double)
    case flatten
    case batchNorm

    var description: String {
        switch self {
        case .linear(let n): "Linear(\(n))"
        case .linearWithoutBias(let n): "Linear(\(n), bias: false)"
        case .reuse(let k): "Linear#\(k) again"
        case .relu: "ReLU"
        case .leakyReLU: "LeakyReLU(0.1)"
        case .tanh: "Tanh"
        case .sigmoid: "Sigmoid"
        case .gelu: "GELU"
        case .softmax: "Softmax"
        case .logSoftmax: "LogSoftmax"
        case .dropout(let p): "Dropout(\(p))"
        case .flatten: "Flatten"
        case .batchNorm: "BatchNorm1d"
        }
    }

    /// Every activation layer in Sources/DescentNN/Layers/Activations.swift.
    static let activations: [ZooLayer] = [.relu, .leakyReLU, .tanh, .sigmoid, .gelu, .softmax, .logSoftmax]
}

/// A `Sequential` model as a value: its input width and layers.
struct ZooModel: Hashable, Sendable, CustomTestStringConvertible, CustomStringConvertible {
    var name: String
    var inputs: Int
    var layers: [ZooLayer]

    init(_ name: String, inputs: Int, _ layers: [ZooLayer]) {
        self.name = name
        self.inputs = inputs
        self.layers = layers
    }

    /// The width after every layer (the last one is the model's output width).
    var widths: [Int] {
        var width = inputs, result: [Int] = []
        for layer in layers {
            switch layer {
            case .linear(let n), .linearWithoutBias(let n): width = n
            default: break
            }
            result.append(width)
        }
        return result
    }

    var outputs: Int { widths.last ?? inputs }
    /// BatchNorm1d cannot train on one row.
    var needsTwoRows: Bool { layers.contains(.batchNorm) }

    var description: String { "\(name): \(inputs) → " + layers.map(\.description).joined(separator: " → ") }
    var testDescription: String { description }

    /// The model with the weights drawn from `seed`: the same seed always builds the same model.
    func build<Scalar: TensorScalar>(_: Scalar.Type, seed: UInt64) -> Sequential<Scalar> {
        var generator = RandomGenerator(seed: seed)
        var built: [any Layer<Scalar>] = []
        var width = inputs
        for layer in layers {
            switch layer {
            case .linear(let n):
                built.append(Linear<Scalar>(width, n, generator: &generator))
                width = n
            case .linearWithoutBias(let n):
                built.append(Linear<Scalar>(width, n, bias: false, generator: &generator))
                width = n
            case .reuse(let index):
                let linear = built[index] as! Linear<Scalar>
                precondition(linear.inFeatures == width && linear.outFeatures == width, "\(self): layer \(index) cannot be reused here")
                built.append(linear)
            case .relu: built.append(ReLU<Scalar>())
            case .leakyReLU: built.append(LeakyReLU<Scalar>(negativeSlope: 0.1))
            case .tanh: built.append(Tanh<Scalar>())
            case .sigmoid: built.append(Sigmoid<Scalar>())
            case .gelu: built.append(GELU<Scalar>())
            case .softmax: built.append(Softmax<Scalar>())
            case .logSoftmax: built.append(LogSoftmax<Scalar>())
            case .dropout(let p): built.append(Dropout<Scalar>(probability: p, generator: &generator))
            case .flatten: built.append(Flatten<Scalar>())
            case .batchNorm: built.append(BatchNorm1d<Scalar>(width))
            }
        }
        return Sequential(layers: built)
    }
}

/// A loss with the targets it needs.
enum ZooLoss: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case crossEntropy, crossEntropyIgnoringClass0, crossEntropyWithLabelSmoothing, crossEntropyWithClassWeights
    case meanSquaredError, meanSquaredErrorSummed, meanSquaredErrorOneOutput
    case l1, huber, smoothL1
    case binaryCrossEntropyWithLogits, binaryCrossEntropyWithPositiveWeight, binaryCrossEntropyOnClassLabels

    var testDescription: String { rawValue }

    /// The loss (`outputs`: the model's output width).
    func make(outputs: Int) -> any Loss {
        switch self {
        case .crossEntropy: CrossEntropyLoss()
        case .crossEntropyIgnoringClass0: CrossEntropyLoss(ignoreIndex: 0)
        case .crossEntropyWithLabelSmoothing: CrossEntropyLoss(labelSmoothing: 0.1)
        case .crossEntropyWithClassWeights: CrossEntropyLoss(classWeights: (0..<outputs).map { 0.5 + Double($0) * 0.25 })
        case .meanSquaredError, .meanSquaredErrorOneOutput: MeanSquaredErrorLoss()
        case .meanSquaredErrorSummed: MeanSquaredErrorLoss(reduction: .sum)
        case .l1: L1Loss()
        case .huber: HuberLoss(delta: 0.5)
        case .smoothL1: SmoothL1Loss(beta: 0.5)
        case .binaryCrossEntropyWithLogits, .binaryCrossEntropyOnClassLabels: BinaryCrossEntropyWithLogitsLoss()
        case .binaryCrossEntropyWithPositiveWeight: BinaryCrossEntropyWithLogitsLoss(positiveWeight: [2])
        }
    }

    var takesClassLabels: Bool { [.crossEntropy, .crossEntropyIgnoringClass0, .crossEntropyWithLabelSmoothing, .crossEntropyWithClassWeights].contains(self) }
    /// The losses whose model has exactly one output.
    var needsOneOutput: Bool { self == .meanSquaredErrorOneOutput || self == .binaryCrossEntropyOnClassLabels }
    /// What the learning rate is multiplied by: a summed loss grows with the batch (and would
    /// diverge at the mean losses' rates), so its rate is divided by the values per batch.
    func rateScale(batchSize: Int, outputs: Int) -> Double {
        self == .meanSquaredErrorSummed ? 1 / Double(batchSize * outputs) : 1
    }

    /// A batch whose every label is ignored has no mean (0/0): those batches are avoided.
    func allows(batchSize: Int) -> Bool { self != .crossEntropyIgnoringClass0 || batchSize >= 7 }

    /// `count` samples of `inputs` features drawn from `seed`, with targets for `outputs` outputs.
    func dataset<Scalar: TensorScalar>(_: Scalar.Type, count: Int, inputs: Int, outputs: Int, seed: UInt64) throws -> TensorDataset<Scalar> {
        var generator = RandomGenerator(seed: seed, stream: 7)
        let features = Tensor<Scalar>.normal(shape: [count, inputs], mean: 0, standardDeviation: 1, generator: &generator)
        let targets: Targets<Scalar>
        switch self {
        case .crossEntropyIgnoringClass0:
            // One label in ten is the ignored class, so that no batch of this data has only those.
            targets = .classes((0..<count).map { _ in generator.nextUniform() < 0.1 ? 0 : 1 + generator.nextIndex(below: outputs - 1) })
        case _ where takesClassLabels:
            targets = .classes((0..<count).map { _ in generator.nextIndex(below: outputs) })
        case .binaryCrossEntropyOnClassLabels:
            targets = .classes((0..<count).map { _ in generator.nextIndex(below: 2) })
        case .binaryCrossEntropyWithLogits, .binaryCrossEntropyWithPositiveWeight:
            targets = .values(Tensor(shape: [count, outputs]) { out in for i in out.indices { out[i] = generator.nextUniform() < 0.4 ? 1 : 0 } })
        case .meanSquaredErrorOneOutput:
            targets = .values(Tensor<Scalar>.normal(shape: [count], mean: 0, standardDeviation: 1, generator: &generator))
        default:
            targets = .values(Tensor<Scalar>.normal(shape: [count, outputs], mean: 0, standardDeviation: 1, generator: &generator))
        }
        return try TensorDataset(features: features, targets: targets, classCount: takesClassLabels ? outputs : nil)
    }
}

/// The optimizers of the suite: every fused rule (plain SGD, momentum, Adam), the ones that fall
/// back to the materialised gradient (Nesterov, AdamW's decoupled decay), and RMSprop, which has
/// no fast rule at all.
enum ZooOptimizer: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sgd, momentum, nesterov, adam, adamW, rmsprop

    /// The spec with the learning rate times `rateScale`.
    func spec(rateScale: Double = 1) -> String {
        let (name, rate, options) = switch self {
        case .sgd: ("sgd", 0.05, "")
        case .momentum: ("sgd", 0.05, ", momentum: 0.9, dampening: 0.1")
        case .nesterov: ("sgd", 0.05, ", momentum: 0.9, nesterov: true")
        case .adam: ("adam", 0.01, "")
        case .adamW: ("adamw", 0.01, ", weightDecay: 0.05")
        case .rmsprop: ("rmsprop", 0.001, "")
        }
        return "\(name)(lr: \(rate * rateScale)\(options))"
    }

    var testDescription: String { spec() }

    func make<Scalar: TensorScalar>(_: Scalar.Type, rateScale: Double = 1) throws -> any Optimizer<Scalar> {
        try OptimizerFactory.make(spec(rateScale: rateScale))
    }
}

/// How many threads the work may use.
enum ThreadMode: String, Sendable, CustomTestStringConvertible {
    /// Every part on the calling thread (`WorkerPool.runningSerially`, which affects this thread
    /// only: no process-wide setting changes).
    case one
    /// Two threads of the worker pool, set for this thread only (`GEMM.withMaximumThreadCount`),
    /// whatever the process-wide count and whatever other tests set meanwhile.
    case pool

    var testDescription: String { self == .one ? "one thread" : "two pool threads" }

    /// Runs `body` in this mode; returns its result and how many parts of the jobs it started ran
    /// on another thread (``WorkerPool/partsRunByWorkers``: zero for `.one`, checked).
    func run<Result>(_ body: () throws -> Result) rethrows -> (Result, partsOnWorkers: Int) {
        let before = WorkerPool.partsRunByWorkers
        let result = self == .one ? try WorkerPool.runningSerially(body) : try GEMM.withMaximumThreadCount(2, body)
        let parts = WorkerPool.partsRunByWorkers - before
        if self == .one { #expect(parts == 0, "runningSerially let \(parts) parts run on pool workers") }
        return (result, parts)
    }
}

/// What one training run leaves behind: everything the equivalence compares.
struct RunRecord<Scalar: TensorScalar> {
    /// Every parameter and buffer (BatchNorm's running statistics) under its name.
    var state: [(name: String, scalars: [Scalar])]
    var batchLosses: [Double]
    var learningRates: [Double]
    /// The full training loss (evaluation mode) after each epoch.
    var epochLosses: [Double]
    var optimizerState: OptimizerState<Scalar>
    /// Whether the trainer ran a compiled step (diagnostics only: either path must give the same bits).
    var compiled: Bool?

    init(model: Sequential<Scalar>, batchLosses: [Double], learningRates: [Double], epochLosses: [Double],
         optimizer: any Optimizer<Scalar>, compiled: Bool?) {
        state = model.namedParameters().map { ($0.name, $0.parameter.value.scalars) }
            + model.namedBuffers().map { ($0.name, $0.buffer.value.scalars) }
        self.batchLosses = batchLosses
        self.learningRates = learningRates
        self.epochLosses = epochLosses
        optimizerState = optimizer.stateSnapshot()
        self.compiled = compiled
    }
}

/// Bit-for-bit equality (so NaN equals the same NaN, and 0 differs from −0).
func sameBits<Scalar: BinaryFloatingPoint>(_ a: [Scalar], _ b: [Scalar]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { sameBits($0, $1) }
}

func sameBits<Scalar: BinaryFloatingPoint>(_ a: Scalar, _ b: Scalar) -> Bool {
    a.sign == b.sign && a.exponentBitPattern == b.exponentBitPattern && a.significandBitPattern == b.significandBitPattern
}

/// One twin experiment: a model, a loss, data, a batch size and an optimizer with a per-step
/// schedule, trained both ways.
struct EquivalenceCase: Sendable, CustomStringConvertible {
    var model: ZooModel
    var loss: ZooLoss = .crossEntropy
    var batchSize: Int
    var optimizer: ZooOptimizer
    /// Samples in the data set (the last batch may be short).
    var samples: Int
    var epochs = 2
    var seed: UInt64 = 11
    /// Changes the rate between steps (×0.7 every 3 steps), so a step that read a stale rate differs.
    var schedule = "step(stepSize: 3, gamma: 0.7)"

    init(_ model: ZooModel, loss: ZooLoss = .crossEntropy, batchSize: Int, optimizer: ZooOptimizer, samples: Int? = nil,
         epochs: Int = 2, seed: UInt64 = 11) {
        self.model = model
        self.loss = loss
        self.batchSize = batchSize
        self.optimizer = optimizer
        self.samples = samples ?? EquivalenceCase.defaultSamples(batchSize: batchSize)
        self.epochs = epochs
        self.seed = seed
    }

    /// Small data: 24 single-sample steps per epoch, or a few batches and a short last one (of
    /// 3, 5 and 100 rows at batch sizes 7, 32 and 1024: never one row, which BatchNorm1d cannot
    /// train on).
    static func defaultSamples(batchSize: Int) -> Int {
        switch batchSize {
        case 1: 24
        case ...8: 5 * batchSize + 3
        case ...64: 3 * batchSize + 5
        default: batchSize + 100
        }
    }

    var description: String {
        "\(model), loss \(loss.rawValue), batch \(batchSize), \(optimizer.spec(rateScale: loss.rateScale(batchSize: batchSize, outputs: model.outputs))), \(samples) samples × \(epochs) epochs"
    }

    func loader<Scalar: TensorScalar>(_: Scalar.Type) throws -> DataLoader<TensorDataset<Scalar>> {
        let outputs = model.outputs
        let data = try loss.dataset(Scalar.self, count: samples, inputs: model.inputs, outputs: outputs, seed: seed)
        return DataLoader(data, batchSize: .samples(batchSize), shuffle: true, seed: seed)
    }

    func makeOptimizer<Scalar: TensorScalar>(_: Scalar.Type) throws -> any Optimizer<Scalar> {
        try optimizer.make(Scalar.self, rateScale: loss.rateScale(batchSize: batchSize, outputs: model.outputs))
    }

    func scheduler<Scalar>(for optimizer: any Optimizer<Scalar>) throws -> LearningRateScheduler {
        LearningRateScheduler(try ScheduleFactory.make(schedule), initialLearningRates: optimizer.initialLearningRates)
    }

    /// `Trainer.fit` with the default settings (`usesCompiledStep` on): the side under test.
    func trainWithTrainer<Scalar: TensorScalar>(_: Scalar.Type, usesCompiledStep: Bool = true) throws -> RunRecord<Scalar> {
        let model = self.model.build(Scalar.self, seed: seed)
        let optimizer = try makeOptimizer(Scalar.self)
        let trainer = Trainer(model: model, loss: loss.make(outputs: self.model.outputs), optimizer: optimizer,
                              scheduler: try scheduler(for: optimizer))
        trainer.usesCompiledStep = usesCompiledStep
        let result = try trainer.fit(epochs: epochs, training: try loader(Scalar.self))
        #expect(result.stopReason == .completed, "\(self): the trainer stopped early (\(result.stopReason))")
        return RunRecord(model: model, batchLosses: result.history.steps.map(\.batchLoss),
                         learningRates: result.history.steps.map(\.learningRate),
                         epochLosses: result.history.epochs.map { $0.train["loss"] ?? .nan }, optimizer: optimizer,
                         compiled: trainer.compiledStep != nil)
    }

    /// The expected values: the plain loop written out by hand, the five lines of the Trainer's
    /// documentation (zero the gradients, predict, measure, back-propagate, step) over the same
    /// loader order, with the schedule applied before and advanced after each step, and the
    /// full training loss measured after each epoch as `fit` measures it.
    func trainWithPlainLoop<Scalar: TensorScalar>(_: Scalar.Type) throws -> RunRecord<Scalar> {
        let model = self.model.build(Scalar.self, seed: seed)
        let optimizer = try makeOptimizer(Scalar.self)
        let loss = self.loss.make(outputs: self.model.outputs)
        var scheduler = try scheduler(for: optimizer)
        let loader = try loader(Scalar.self)
        var batchLosses: [Double] = [], learningRates: [Double] = [], epochLosses: [Double] = []
        for epoch in 0..<epochs {
            let batches = loader.batches(epoch: epoch)
            while let batch = try batches.next() {
                try scheduler.apply(to: optimizer)
                learningRates.append(optimizer.learningRate)
                model.zeroGradients()
                let predictions = try model.forward(batch.features, context: .training)
                let value = try loss(predictions, batch.targetTensor(for: loss, predictions: predictions))
                try value.backward()
                try optimizer.step(model.trainableParameters())
                batchLosses.append(Double(value.scalar))
                try scheduler.advance()
            }
            epochLosses.append(try evaluate(model, loss: loss, on: loader).loss)
        }
        return RunRecord(model: model, batchLosses: batchLosses, learningRates: learningRates, epochLosses: epochLosses,
                         optimizer: optimizer, compiled: nil)
    }

    /// Compares `actual` (the trainer) with `expected` (the plain loop), naming the first differing
    /// parameter and element. Returns whether everything matched.
    @discardableResult
    func expectSameBits<Scalar: TensorScalar>(_ actual: RunRecord<Scalar>, _ expected: RunRecord<Scalar>, _ context: String,
                                              sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        var differences: [String] = []
        for ((name, a), (_, b)) in zip(actual.state, expected.state) where !sameBits(a, b) {
            let index = a.indices.first { !sameBits(a[$0], b[$0]) } ?? 0
            differences.append("\(name) differs first at element \(index) (\(a[index]) vs \(b[index]))")
            break
        }
        if !sameBits(actual.batchLosses, expected.batchLosses) {
            let step = actual.batchLosses.indices.first {
                $0 >= expected.batchLosses.count || !sameBits(actual.batchLosses[$0], expected.batchLosses[$0])
            }
            differences.append("batch losses differ first at step \((step ?? actual.batchLosses.count) + 1)")
        }
        if actual.learningRates != expected.learningRates { differences.append("learning rates differ") }
        if !sameBits(actual.epochLosses, expected.epochLosses) {
            differences.append("epoch training losses differ (\(actual.epochLosses) vs \(expected.epochLosses))")
        }
        if actual.optimizerState != expected.optimizerState { differences.append("optimizer state snapshots differ") }
        guard differences.isEmpty else {
            let path = actual.compiled == true ? "a compiled step" : "the autodiff loop"
            let message = "\(Scalar.self), \(context), \(self) [the trainer ran \(path)]: against the plain loop, "
                + differences.joined(separator: "; ")
            Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
            return false
        }
        return true
    }

    /// Trains the plain loop on one thread (the expected values) and the trainer in each of
    /// `threads`, and compares them.
    func check<Scalar: TensorScalar>(_: Scalar.Type, threads: [ThreadMode] = [.one, .pool],
                                     sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected = try ThreadMode.one.run { try trainWithPlainLoop(Scalar.self) }.0
        for mode in threads {
            let actual = try mode.run { try trainWithTrainer(Scalar.self) }.0
            expectSameBits(actual, expected, mode.testDescription, sourceLocation: sourceLocation)
        }
    }
}

