import DescentCore
import DescentKernels
@testable import DescentCompiled
import DescentNN
import DescentOptim
import DescentTraining
import Testing

/// The compiled step on convolutional models (convolution, max/average/adaptive pooling, flatten,
/// unflatten) against the eager autodiff loop on a twin model built from the same seed, bit for
/// bit: the loss, every gradient (`computeGradients`, and accumulated over two batches), and every
/// parameter after several fused steps (`trainStep`) with SGD, SGD with momentum and Adam; in Float
/// and Double, on one thread and two (the second thread is shown to have run), at batch 1 and odd
/// batch sizes and image sizes. Expected values: the eager loop (`model(x)`, the loss, `backward()`,
/// `optimizer.step`) on one thread.
@Suite struct ConvolutionStepEquivalenceTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var spec: String
        var shape: [Int]
        var testDescription: String { "\(spec) on \(shape)" }
    }

    static let cases: [Case] = [
        Case(spec: "lenet5", shape: [1, 28, 28]),
        Case(spec: "layers(conv2d(5, 3, stride: 2, padding: 1), relu, maxpool2d(3, stride: 2, padding: 1), conv2d(4, 2, dilation: 2), tanh, avgpool2d(2, padding: 1), flatten, linear(7), relu, linear)", shape: [3, 13, 11]),
        Case(spec: "layers(conv2d(6, [3, 2], groups: 2, bias: false), relu, adaptiveavgpool2d(2), flatten, linear)", shape: [2, 9, 7]),
        Case(spec: "layers(unflatten(1, 10, 10), conv2d(3, 3), relu, maxpool2d(2), flatten, linear)", shape: [100]),
        Case(spec: "layers(conv2d(8, 3, padding: 1), relu, maxpool2d(2), conv2d(8, 3, padding: 1), relu, adaptiveavgpool2d(1), flatten, linear)", shape: [3, 12, 12]),
    ]

    enum Threads: CaseIterable { case one, two }

    func run<R>(_ threads: Threads, _ body: () throws -> R) rethrows -> R {
        threads == .one ? try WorkerPool.runningSerially(body) : try GEMM.withMaximumThreadCount(2, body)
    }

    func model<Scalar: TensorScalar>(_ c: Case, _: Scalar.Type) throws -> Sequential<Scalar> {
        var generator = RandomGenerator(seed: 11)
        return try ModelSpec(parsing: c.spec).makeModel(inputShape: c.shape, outputs: 3, generator: &generator)
    }

    func batch<Scalar: TensorScalar>(_ c: Case, rows: Int, seed: UInt64, _: Scalar.Type) -> (Tensor<Scalar>, [Int]) {
        var generator = RandomGenerator(seed: seed)
        let x = Tensor<Scalar>.normal(shape: [rows] + c.shape, generator: &generator)
        return (x, (0..<rows).map { ($0 * 7 + Int(seed)) % 3 })
    }

    func same<Scalar: TensorScalar>(_ a: Tensor<Scalar>?, _ b: Tensor<Scalar>?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        return a.shape == b.shape && a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in
            zip(x, y).allSatisfy { sameBits($0, $1) }
        } }
    }

    func checkGradients<Scalar: TensorScalar>(_ c: Case, _: Scalar.Type, rows: Int, threads: Threads) throws {
        let eager: Sequential<Scalar> = try model(c, Scalar.self), compiled: Sequential<Scalar> = try model(c, Scalar.self)
        let loss = CrossEntropyLoss()
        let step = try CompiledStep(model: compiled, loss: loss, maximumBatchSize: 9, sampleShape: c.shape)
        let (x, y) = batch(c, rows: rows, seed: 5, Scalar.self), (x2, y2) = batch(c, rows: rows, seed: 6, Scalar.self)
        let expected = try WorkerPool.runningSerially { () throws -> (Double, Double) in
            eager.zeroGradients()
            let first = try loss(eager(x, mode: .training), labels: y)
            try first.backward()
            let second = try loss(eager(x2, mode: .training), labels: y2)
            try second.backward()  // accumulates
            return (Double(first.scalar), Double(second.scalar))
        }
        let actual = try run(threads) { () throws -> (Double, Double) in
            (try step.computeGradients(features: x, labels: y), try step.accumulateGradients(features: x2, labels: y2))
        }
        #expect(sameBits(actual.0, expected.0) && sameBits(actual.1, expected.1), "\(c.testDescription) losses \(actual) vs \(expected)")
        for ((name, p), (_, q)) in zip(compiled.namedParameters(), eager.namedParameters()) {
            #expect(same(p.gradient, q.gradient), "\(c.testDescription) \(Scalar.self) rows \(rows) \(threads): gradient of \(name)")
        }
    }

    func checkTraining<Scalar: TensorScalar>(_ c: Case, _: Scalar.Type, rows: Int, threads: Threads, optimizer spec: String) throws {
        let eager: Sequential<Scalar> = try model(c, Scalar.self), compiled: Sequential<Scalar> = try model(c, Scalar.self)
        let loss = CrossEntropyLoss()
        let make = { () throws -> any Optimizer<Scalar> in
            switch spec {
            case "sgd": try SGD<Scalar>(learningRate: 0.05)
            case "momentum": try SGD<Scalar>(learningRate: 0.05, momentum: 0.9)
            default: try Adam<Scalar>(learningRate: 0.01)
            }
        }
        let eagerOptimizer = try make(), compiledOptimizer = try make()
        let step = try CompiledStep(model: compiled, loss: loss, maximumBatchSize: rows, sampleShape: c.shape)
        for seed in UInt64(1)...3 {
            let (x, y) = batch(c, rows: rows, seed: seed, Scalar.self)
            let expected = try WorkerPool.runningSerially { () throws -> Double in
                eager.zeroGradients()
                let value = try loss(eager(x, mode: .training), labels: y)
                try value.backward()
                try eagerOptimizer.step(eager.trainableParameters())
                return Double(value.scalar)
            }
            let actual = try run(threads) { try step.trainStep(features: x, labels: y, optimizer: compiledOptimizer, nextFeatures: nil) }
            #expect(sameBits(actual, expected), "\(c.testDescription) \(spec) step \(seed): loss \(actual) vs \(expected)")
        }
        for ((name, p), (_, q)) in zip(compiled.namedParameters(), eager.namedParameters()) {
            #expect(same(p.value, q.value), "\(c.testDescription) \(Scalar.self) rows \(rows) \(threads) \(spec): \(name) after 3 steps")
        }
    }

    @Test(arguments: cases)
    func compiledGradientsAreTheEagerBits(c: Case) throws {
        for rows in [1, 2, 7] {
            for threads in Threads.allCases {
                try checkGradients(c, Float.self, rows: rows, threads: threads)
            }
            try checkGradients(c, Double.self, rows: rows, threads: .one)
        }
    }

    @Test(arguments: cases)
    func compiledTrainingStepsAreTheEagerBits(c: Case) throws {
        for rows in [1, 5] {
            for optimizer in ["sgd", "momentum", "adam"] {
                for threads in Threads.allCases {
                    try checkTraining(c, Float.self, rows: rows, threads: threads, optimizer: optimizer)
                }
            }
        }
        try checkTraining(c, Double.self, rows: 3, threads: .one, optimizer: "adam")
    }

    /// A second thread really ran part of the compiled convolutional step (a batch large enough to
    /// split by images), and the result is still the eager bits.
    @Test func twoThreadsRunPartsOfTheStep() throws {
        let before = WorkerPool.partsRunByWorkers
        var tries = 0
        repeat {
            try checkTraining(Self.cases[0], Float.self, rows: 16, threads: .two, optimizer: "sgd")
            tries += 1
        } while WorkerPool.partsRunByWorkers == before && tries < 20
        #expect(WorkerPool.partsRunByWorkers > before, "no pool worker ran a part of the two-thread step")
    }

    @Test func convolutionalModelsTakeTheCompiledPath() throws {
        for c in Self.cases {
            let model: Sequential<Float> = try model(c, Float.self)
            #expect(CompiledStep<Float>.unsupportedReason(model: model, loss: CrossEntropyLoss()) == nil, "\(c.testDescription)")
            #expect(CompiledStep<Float>.needsSampleShape(model: model))
        }
        // Without the sample shape the step refuses, saying what it needs.
        let lenet: Sequential<Float> = try model(Self.cases[0], Float.self)
        #expect(throws: CompiledStepError.self) { try CompiledStep(model: lenet, loss: CrossEntropyLoss(), maximumBatchSize: 4) }
    }
}
