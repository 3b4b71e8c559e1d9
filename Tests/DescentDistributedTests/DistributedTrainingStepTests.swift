import DescentCore
import DescentData
import DescentDistributed
import DescentNN
import DescentOptim
import DescentTraining
import Testing

/// ``DistributedTrainingStep`` without MPI: over a group of one it is the plain step bit for bit;
/// over a recording group it reduces every gradient, in bucket order, in one reduction per bucket.
@Suite struct DistributedTrainingStepTests {
    static func model(seed: UInt64) -> Sequential<Double> {
        var generator = RandomGenerator(seed: seed)
        return Sequential(layers: [Linear(5, 9, generator: &generator), ReLU(), Linear(9, 3, generator: &generator)])
    }

    static func batch(_ step: Int) -> Batch<Double> {
        var generator = RandomGenerator(seed: 100, stream: UInt64(step))
        let features = Tensor<Double>(shape: [6, 5]) { out in for i in 0..<30 { out[i] = generator.nextNormal() } }
        return Batch(features: features, targets: .classes((0..<6).map { _ in generator.nextIndex(below: 3) }), indices: Array(0..<6))
    }

    /// The expected values are the plain step's (`EagerTrainingStep`, and the compiled step's
    /// unfused gradients): a world of one changes nothing but the path.
    @Test(arguments: [false, true])
    func overAGroupOfOneItIsThePlainStepBitForBit(compiled: Bool) throws {
        let plainModel = Self.model(seed: 1), distributedModel = Self.model(seed: 1)
        let plain = EagerTrainingStep(model: plainModel, loss: CrossEntropyLoss(), reason: "reference")
        let inner: any GradientComputingStep<Double> = compiled
            ? CompiledTrainingStep(model: distributedModel, loss: CrossEntropyLoss())
            : EagerTrainingStep(model: distributedModel, loss: CrossEntropyLoss(), reason: "reference")
        let step = DistributedTrainingStep(inner: inner, model: distributedModel, communicator: SingleProcessCommunicator())
        let plainOptimizer = try Adam<Double>(learningRate: 0.01), distributedOptimizer = try Adam<Double>(learningRate: 0.01)
        for index in 0..<20 {
            let expected = try plain.train(on: Self.batch(index), next: nil, optimizer: plainOptimizer, clipping: .norm(1))
            let got = try step.train(on: Self.batch(index), next: nil, optimizer: distributedOptimizer, clipping: .norm(1))
            #expect(got == expected)
        }
        #expect(plainModel.parameters().map(\.value.scalars) == distributedModel.parameters().map(\.value.scalars))
        #expect(step.description.contains("data-parallel over 1 processes"))
        #expect(step.description.contains("unfused") == compiled)
    }

    /// A group of two whose other rank holds the same gradients (the sum is twice this rank's):
    /// the averaged gradient is then this rank's exactly, and the recorded calls show one
    /// reduction per bucket, in bucket order, with the loss slots in the last.
    @Test func reducesEveryBucketInOrder() throws {
        let model = Self.model(seed: 2), reference = Self.model(seed: 2)
        let group = MirroredPairCommunicator()
        let step = DistributedTrainingStep(inner: EagerTrainingStep(model: model, loss: CrossEntropyLoss(), reason: "test"), model: model,
                                           communicator: group, firstCapacityBytes: 8, capacityBytes: 200)
        let plain = EagerTrainingStep(model: reference, loss: CrossEntropyLoss(), reason: "reference")
        let optimizer = try SGD<Double>(learningRate: 0.1, momentum: 0.9), referenceOptimizer = try SGD<Double>(learningRate: 0.1, momentum: 0.9)
        let loss = try step.train(on: Self.batch(0), next: nil, optimizer: optimizer, clipping: nil)
        #expect(loss == (try plain.train(on: Self.batch(0), next: nil, optimizer: referenceOptimizer, clipping: nil)))
        #expect(model.parameters().map(\.value.scalars) == reference.parameters().map(\.value.scalars))
        let buckets = try #require(step.buckets)
        #expect(buckets.buckets.count >= 3)
        // Reverse order: the last bias (3 elements) first; the loss slots ride with the last bucket.
        #expect(buckets.buckets[0].parameterIndices == [3])
        let expectedCounts = buckets.buckets.enumerated().map { $0.element.elementCount + ($0.offset == buckets.buckets.count - 1 ? 4 : 0) }
        #expect(group.reducedCounts == expectedCounts)
        #expect(step.agreedStop == nil)
    }

    /// One rank's Ctrl-C reaches every rank with the next step's reduction.
    @Test func aStopWishIsAgreedWithTheNextStep() throws {
        let model = Self.model(seed: 4)
        let group = MirroredPairCommunicator()
        let step = DistributedTrainingStep(inner: EagerTrainingStep(model: model, loss: CrossEntropyLoss(), reason: "test"), model: model,
                                           communicator: group)
        let optimizer = try SGD<Double>(learningRate: 0.1)
        _ = try step.train(on: Self.batch(0), next: nil, optimizer: optimizer, clipping: nil)
        #expect(step.agreedStop == nil)
        step.localStop.request(.interrupted)
        _ = try step.train(on: Self.batch(1), next: nil, optimizer: optimizer, clipping: nil)
        #expect(step.agreedStop == .interrupted)
    }
}

/// A group of two in one process: the "other rank" mirrors this one, so a sum doubles the buffer.
/// Records the element count of every reduction, in call order.
final class MirroredPairCommunicator: Communicator, @unchecked Sendable {
    var reducedCounts: [Int] = []
    var rank: Int { 0 }
    var size: Int { 2 }
    func broadcast<Scalar: TensorScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>, root: Int) throws {}
    func allReduceSum<Scalar: TensorScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>) throws {
        reducedCounts.append(buffer.count)
        for i in buffer.indices { buffer[i] += buffer[i] }
    }
    func startAllReduceSum<Scalar: TensorScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>) throws -> PendingReduction {
        try allReduceSum(buffer)
        return try SingleProcessCommunicator().startAllReduceSum(buffer)
    }
    func allGather(_ bytes: [UInt8]) throws -> [[UInt8]] { [bytes, bytes] }
    func barrier() throws {}
    func abort(_ message: String, code: Int32) -> Never { fatalError(message) }
}
