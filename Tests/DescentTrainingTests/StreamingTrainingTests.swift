import DescentCore
import DescentData
import DescentNN
import DescentOptim
import DescentTraining
import Foundation
import Testing

/// Streaming batches go through the same trainer step as in-memory batches.
@Suite struct StreamingTrainingTests {
    /// The same rows in the same batches in the same order give the same arithmetic, so an MLP
    /// trained on a streamed `.npy` file and one trained on the same file in memory (both
    /// `shuffle: false`) end with the same bits; the validation losses of a held-out share agree too.
    @Test func mlpOnAStreamedFileMatchesTheInMemoryRunBitForBit() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("descent-streaming-training-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let x = folder.appendingPathComponent("X.npy").path, y = folder.appendingPathComponent("y.npy").path
        let moons: TensorDataset<Float> = try BuiltinDataset.moons(count: 150, noise: 0.2, seed: 7)
        try NPYWriter.write(moons.features, to: x)
        try NPYWriter.write(labels: moons.targets.classes ?? [], to: y)

        // Held out: 2 of 10 chunks of 15 rows; the in-memory validation set is the same rows in file order.
        let (streamTraining, streamValidation) = try StreamingDataset<Float>.npy(features: x, labels: y, chunkRows: 15)
            .splitting(validationFraction: 0.2, seed: 1)
        let memory: TensorDataset<Float> = try ArrayDatasetLoader.load(features: x, labels: y)
        func rows(_ data: StreamingDataset<Float>) throws -> [Int] {
            var rows: [Int] = []
            try StreamingLoader(data, batchSize: .samples(64)).batches(epoch: 0).forEach { rows += $0.indices }
            return rows
        }
        let memoryTraining = try memory.subset(try rows(streamTraining)), memoryValidation = try memory.subset(try rows(streamValidation))
        #expect(memoryValidation.count == 30)

        func train(_ training: any BatchLoader<Float>, _ validation: any BatchLoader<Float>) throws -> (parameters: [[UInt32]], validationLosses: [Double]) {
            var generator = RandomGenerator(seed: 11)
            let model: Sequential<Float> = Sequential.mlp(inputs: 2, hiddenSizes: [16], outputs: 2, generator: &generator)
            let trainer = Trainer(model: model, loss: CrossEntropyLoss(), optimizer: try OptimizerFactory.make("adam(lr: 0.01)") as any Optimizer<Float>, metrics: [Accuracy()])
            let result = try trainer.fit(epochs: 3, training: training, validation: validation)
            return (model.parameters().map { $0.value.scalars.map(\.bitPattern) }, result.history.epochs.compactMap { $0.validation?["loss"] })
        }
        let streamed = try train(StreamingLoader(streamTraining, batchSize: .samples(16), windowChunks: 3),
                                 StreamingLoader(streamValidation, batchSize: .samples(64)))
        let inMemory = try train(DataLoader(memoryTraining, batchSize: .samples(16)), DataLoader(memoryValidation, batchSize: .samples(64)))
        #expect(streamed.parameters == inMemory.parameters)
        #expect(streamed.validationLosses == inMemory.validationLosses)
        #expect(streamed.validationLosses.count == 3)
        var untrained = RandomGenerator(seed: 11)
        let initial: Sequential<Float> = Sequential.mlp(inputs: 2, hiddenSizes: [16], outputs: 2, generator: &untrained)
        #expect(streamed.parameters != initial.parameters().map { $0.value.scalars.map(\.bitPattern) }, "training changed the weights")
    }
}
