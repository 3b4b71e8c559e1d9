import DescentCore
import DescentData
import DescentNN
import DescentOptim
import DescentTraining
import Foundation
import Testing

/// The rows of the full-loss pass (`TrainingEvaluation`), what the history records of them, and
/// `evaluate` on data with no rows or no feature columns.
@Suite struct TrainingEvaluationTests {
    /// The sizes, from the rule in `TrainingEvaluation`'s documentation: `automatic` is exact up to
    /// 1,000 rows and samples a fifth of a larger set, never fewer than 1,000 rows.
    @Test func theSampleSizeFollowsTheRule() {
        let automatic = TrainingEvaluation.automatic()
        #expect([150, 1000, 4000, 8000, 10_000, 100_000, 1_000_000].map { automatic.rowCount(outOf: $0) }
                == [150, 1000, 1000, 1600, 2000, 20_000, 200_000])
        #expect(TrainingEvaluation.exact.rowCount(outOf: 100_000) == 100_000)
        #expect(TrainingEvaluation.sample(rows: 500, seed: 1).rowCount(outOf: 300) == 300)
        #expect(TrainingEvaluation.sample(rows: 500, seed: 1).sample(outOf: 300) == TrainingLossSample(rows: 300, totalRows: 300, seed: nil))
        #expect(automatic.sample(outOf: 10_000) == TrainingLossSample(rows: 2000, totalRows: 10_000, seed: 0))
        #expect(TrainingEvaluation.exact.sample(outOf: 10).isExact && !automatic.sample(outOf: 10_000).isExact)
    }

    /// The sample is distinct rows in ascending order, the same for the same seed and another for
    /// another seed; the expected rows are the partial Fisher–Yates shuffle written out here with the
    /// generator, seed and stream the documentation names.
    @Test func theSampleIsAFixedSeededChoiceOfDistinctRows() {
        let rows = TrainingEvaluation.sample(rows: 40, seed: 7).rows(outOf: 1000)
        var generator = RandomGenerator(seed: 7, stream: 0x5A4D)
        var indices = Array(0..<1000)
        for i in 0..<40 { indices.swapAt(i, i + generator.nextIndex(below: 1000 - i)) }
        #expect(rows == indices.prefix(40).sorted())
        #expect(rows.count == 40 && Set(rows).count == 40 && rows == rows.sorted() && rows.allSatisfy { (0..<1000).contains($0) })
        #expect(TrainingEvaluation.sample(rows: 40, seed: 7).rows(outOf: 1000) == rows)
        #expect(TrainingEvaluation.sample(rows: 40, seed: 8).rows(outOf: 1000) != rows)
        #expect(TrainingEvaluation.automatic().rows(outOf: 100) == Array(0..<100))
        #expect(TrainingEvaluation.sample(rows: 3, seed: 1).rows(outOf: 0) == [])
    }

    /// `fit` with the loader from `makeTrainingEvaluationLoader` records the sample in the history
    /// (and in `history.json`), and each epoch's training loss is `evaluate` over exactly those rows
    /// at the end of the epoch, bit for bit; over all rows it is another number.
    @Test func theHistoryRecordsTheSampleTheTrainingLossWasMeasuredOn() throws {
        let data: TensorDataset<Double> = try BuiltinDataset.moons(count: 90, noise: 0.2, seed: 3)
        func makeTrainer() throws -> Trainer<Double> {
            var generator = RandomGenerator(seed: 3, stream: 1)
            let model: Sequential<Double> = .mlp(inputs: 2, hiddenSizes: [8], outputs: 2, generator: &generator)
            return Trainer(model: model, loss: CrossEntropyLoss(), optimizer: try SGD(learningRate: 0.1), metrics: [Accuracy()])
        }
        let trainer = try makeTrainer()
        let training = DataLoader(data, batchSize: .samples(16), shuffle: true, seed: 3)
        let sampled = try trainer.makeTrainingEvaluationLoader(for: data, evaluation: .sample(rows: 30, seed: 5))
        #expect(trainer.trainingLossSample == TrainingLossSample(rows: 30, totalRows: 90, seed: 5) && sampled.samplesPerEpoch == 30)
        let result = try trainer.fit(epochs: 1, training: training, trainingEvaluation: sampled)
        #expect(result.history.trainingLossSample == TrainingLossSample(rows: 30, totalRows: 90, seed: 5))
        let rows = TrainingEvaluation.sample(rows: 30, seed: 5).rows(outOf: 90)
        let expected = try evaluate(trainer.model, loss: trainer.loss, metrics: [Accuracy()],
                                    on: DataLoader(try data.subset(rows), batchSize: .samples(1024)))
        #expect(result.history.epochs[0].train == expected.values)
        let all = try evaluate(trainer.model, loss: trainer.loss, metrics: [Accuracy()], on: DataLoader(data, batchSize: .samples(1024)))
        #expect(all.loss != expected.loss)

        let json = String(decoding: try result.history.jsonData(), as: UTF8.self)
        #expect(json.contains("\"trainingLossSample\"") && json.contains("\"totalRows\" : 90"))
        #expect(try TrainingHistory(jsonData: result.history.jsonData()) == result.history)
        // A history written before the field reads back with it empty.
        let old = try TrainingHistory(jsonData: Data("{\"steps\": [], \"epochs\": []}".utf8))
        #expect(old.trainingLossSample == nil)

        // The exact pass records every row and no seed.
        let exactTrainer = try makeTrainer()
        let exact = try exactTrainer.makeTrainingEvaluationLoader(for: data, evaluation: .exact)
        let exactResult = try exactTrainer.fit(epochs: 1, training: training, trainingEvaluation: exact)
        #expect(exactResult.history.trainingLossSample == TrainingLossSample(rows: 90, totalRows: 90, seed: nil))
        #expect(exactResult.history.epochs[0].train == all.values)
    }

    /// `evaluate` over a dataset with no feature columns: a Linear(0 → 2) model outputs its bias,
    /// here 0, in every row, so every row's cross-entropy is ln 2 and the arg-max is class 0 (the
    /// expected values follow from that by hand). Before the fix the logits were unwritten memory
    /// (the values the issue quotes: 6.3e15, NaN). The rows are many enough to come from the
    /// buffer pool, poisoned with NaN first; the evaluation runs several times.
    @Test(arguments: 0..<3)
    func evaluatingAModelWithNoInputsGivesDefinedValues(round: Int) throws {
        let rows = 4099
        let labels = (0..<rows).map { $0 % 5 == 0 ? 0 : 1 }  // 820 of class 0
        let data = try TensorDataset<Float>(features: Tensor(zeros: [rows, 0]), targets: .classes(labels), classCount: 2)
        let model = try Linear<Float>(weight: Tensor(zeros: [2, 0]), bias: Tensor([0, 0]))
        var poison: [Tensor<Float>] = (0..<4).map { _ in Tensor(repeating: .nan, shape: [rows, 2]) }
        poison.removeAll()
        let result = try evaluate(model, loss: CrossEntropyLoss(), metrics: [Accuracy()], on: DataLoader(data, batchSize: .samples(rows)))
        #expect(result.count == rows)
        #expect(Swift.abs(result.loss - Foundation.log(2.0)) < 1e-6)
        #expect(result.metrics["accuracy"] == 820.0 / Double(rows))
    }

    /// Over no rows there is nothing to average: the loss is NaN (`count` 0) and the accuracy 0,
    /// as before any update; nothing is read.
    @Test func evaluatingNoRowsGivesNaNAndZeroCount() throws {
        let data = try TensorDataset<Double>(features: Tensor(zeros: [0, 3]), targets: .classes([]), classCount: 2)
        var generator = RandomGenerator(seed: 1)
        let model: Sequential<Double> = .mlp(inputs: 3, hiddenSizes: [4], outputs: 2, generator: &generator)
        let result = try evaluate(model, loss: CrossEntropyLoss(), metrics: [Accuracy()], on: DataLoader(data, batchSize: .samples(64)))
        #expect(result.count == 0 && result.loss.isNaN && result.metrics["accuracy"] == 0)
    }
}
