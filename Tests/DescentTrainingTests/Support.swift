import DescentCore
import DescentData
import DescentNN
import DescentOptim
import DescentTraining
import Foundation

/// A fresh temporary folder, removed when released.
final class TemporaryFolder {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("descent-training-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
}

/// A small classification run on the two-moons data: the same seed always builds the same one.
struct MoonsRun<Scalar: TensorScalar> {
    let model: Sequential<Scalar>
    let trainer: Trainer<Scalar>
    let training: DataLoader<TensorDataset<Scalar>>
    let validation: DataLoader<TensorDataset<Scalar>>

    /// - Parameters:
    ///   - dropout: adds dropout layers, so the run also depends on the dropout generators.
    ///   - schedule: a per-step schedule spec, if any.
    init(seed: UInt64 = 3, count: Int = 120, hidden: [Int] = [8], dropout: Double = 0, optimizer: String = "adam(lr: 0.01)",
         schedule: String? = nil, batchSize: Int = 16) throws {
        let data: TensorDataset<Scalar> = try BuiltinDataset.moons(count: count, noise: 0.2, seed: seed)
        let (train, held) = try data.split(trainFraction: 0.75, seed: seed)
        var generator = RandomGenerator(seed: seed, stream: 1)
        model = Sequential.mlp(inputs: 2, hiddenSizes: hidden, outputs: 2, dropout: dropout, generator: &generator)
        let optimizer: any Optimizer<Scalar> = try OptimizerFactory.make(optimizer)
        let scheduler = try schedule.map {
            LearningRateScheduler(try ScheduleFactory.make($0), initialLearningRates: optimizer.initialLearningRates)
        }
        trainer = Trainer(model: model, loss: CrossEntropyLoss(), optimizer: optimizer, scheduler: scheduler, metrics: [Accuracy()])
        training = DataLoader(train, batchSize: .samples(batchSize), shuffle: true, seed: seed)
        validation = DataLoader(held, batchSize: 64)
    }

    /// Every parameter's scalars, in order.
    var parameters: [[Scalar]] { model.parameters().map(\.value.scalars) }
}

/// The bit patterns of parameters, for exact comparisons that also treat NaN as equal to itself.
func bits(_ parameters: [[Float]]) -> [[UInt32]] { parameters.map { $0.map(\.bitPattern) } }
func bits(_ parameters: [[Double]]) -> [[UInt64]] { parameters.map { $0.map(\.bitPattern) } }
