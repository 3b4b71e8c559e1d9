import DescentCore
import DescentData

/// Which rows of the training set the full-loss pass of every epoch evaluates (the "training
/// loss" of the history: the loss of the parameters at the end of the epoch, evaluation mode).
///
/// Over all rows it costs about a third of an epoch of mini-batch training at any size (a
/// forward pass over every row, against a forward and backward pass and an update per batch).
/// Over a fixed random sample it estimates the same number at a fraction of the cost; the
/// sample is drawn once, from a seed, so every epoch measures the same rows and the curve shows
/// the model changing, not the sample. The standard error of a mean loss over `s` rows is
/// `σ/√s`: 1,000 rows already put it at about 3% of the losses' spread.
///
/// ``automatic(seed:)``, the default, is exact up to ``minimumSampleRows`` rows and above that
/// evaluates ``sampleFraction`` of the rows (at least ``minimumSampleRows``). The exact pass
/// measured about a third of an epoch's steps (an MLP at batch 32), so a fifth of the rows costs
/// about 7% of an epoch: at most 10% from about 3,300 rows on, and between 1,000 and 3,300 rows,
/// where an epoch takes a few milliseconds, a share falling from a third to a tenth (BENCHMARKS.md,
/// "Full-loss pass and checkpoint overheads (issue 15)"). Keras evaluates nothing of the kind (its `loss` is the
/// running mean of the batch losses, ``EpochRecord/meanBatchLoss`` here); fastai's `Recorder`
/// likewise.
public enum TrainingEvaluation: Sendable, Equatable, Codable {
    /// Every row: the exact full loss.
    case exact
    /// A fixed random sample of `rows` rows (every row when the set has no more), drawn with `seed`.
    case sample(rows: Int, seed: UInt64)
    /// Every row up to ``minimumSampleRows`` rows; above, a sample of ``sampleFraction`` of the
    /// rows (at least ``minimumSampleRows``), drawn with `seed`. The default seed is `0`.
    case automatic(seed: UInt64 = 0)

    /// The fraction of the rows ``automatic(seed:)`` samples from a large set: `0.2`.
    public static let sampleFraction = 0.2
    /// The fewest rows ``automatic(seed:)`` evaluates (all of a smaller set): `1000`.
    public static let minimumSampleRows = 1000

    /// The number of rows evaluated out of `count`.
    public func rowCount(outOf count: Int) -> Int {
        switch self {
        case .exact:
            return count
        case .sample(let rows, _):
            return Swift.min(Swift.max(rows, 0), count)
        case .automatic:
            let sampled = Int((Double(count) * Self.sampleFraction).rounded(.up))
            return Swift.min(count, Swift.max(Self.minimumSampleRows, sampled))
        }
    }

    /// The seed of the sample, `nil` when every row is evaluated.
    func seed(outOf count: Int) -> UInt64? {
        guard rowCount(outOf: count) < count else { return nil }
        switch self {
        case .exact: return nil
        case .sample(_, let seed), .automatic(let seed): return seed
        }
    }

    /// The rows evaluated out of `count`, ascending (so they are read in storage order): all of
    /// them, or the first ``rowCount(outOf:)`` positions of a partial Fisher–Yates shuffle of
    /// `0..<count` by a `RandomGenerator` with the seed and stream `0x5A4D` (a stream of its own,
    /// apart from the loaders' shuffles, which use the epoch as the stream).
    public func rows(outOf count: Int) -> [Int] {
        let k = rowCount(outOf: count)
        guard let seed = seed(outOf: count) else { return Array(0..<count) }
        var generator = RandomGenerator(seed: seed, stream: 0x5A4D)
        var indices = Array(0..<count)
        for i in 0..<k { indices.swapAt(i, i + generator.nextIndex(below: count - i)) }
        return indices[0..<k].sorted()
    }

    /// What this evaluation measures on a set of `count` rows, for the history.
    public func sample(outOf count: Int) -> TrainingLossSample {
        TrainingLossSample(rows: rowCount(outOf: count), totalRows: count, seed: seed(outOf: count))
    }
}

/// What the training loss of the history was measured on: `rows` of the `totalRows` rows of the
/// training set, drawn with `seed` (`nil` when every row was used). Saved in `history.json` as
/// `"trainingLossSample": {"rows": 20000, "seed": 0, "totalRows": 100000}`.
public struct TrainingLossSample: Codable, Equatable, Sendable {
    /// The rows evaluated.
    public var rows: Int
    /// The rows of the training set.
    public var totalRows: Int
    /// The seed of the sample; `nil` when every row was evaluated.
    public var seed: UInt64?

    /// A record of `rows` rows out of `totalRows`, drawn with `seed`.
    public init(rows: Int, totalRows: Int, seed: UInt64?) {
        self.rows = rows; self.totalRows = totalRows; self.seed = seed
    }

    /// Whether every row was evaluated.
    public var isExact: Bool { rows == totalRows }
}

extension Trainer {
    /// The loader for the full-loss pass over `dataset` (pass it to
    /// ``fit(epochs:training:validation:trainingEvaluation:)`` as `trainingEvaluation`): all of
    /// its rows, or the fixed sample `evaluation` draws, in batches of `batchSize` and in storage
    /// order. It also sets ``trainingLossSample``, which `fit` records in the history.
    ///
    ///     let evaluation = try trainer.makeTrainingEvaluationLoader(for: train)   // automatic()
    ///     let result = try trainer.fit(epochs: 20, training: loader, trainingEvaluation: evaluation)
    ///     result.history.trainingLossSample   // rows, totalRows, seed
    ///
    /// - Parameters:
    ///   - dataset: the training set.
    ///   - evaluation: which rows. The default value is ``TrainingEvaluation/automatic(seed:)`` with seed `0`.
    ///   - batchSize: rows per evaluation batch (no gradients are kept, so large batches are
    ///     cheap). The default value is `1024`.
    /// - Throws: `DataError` from the dataset.
    public func makeTrainingEvaluationLoader(for dataset: TensorDataset<Scalar>, evaluation: TrainingEvaluation = .automatic(),
                                             batchSize: Int = 1024) throws -> DataLoader<TensorDataset<Scalar>> {
        let sample = evaluation.sample(outOf: dataset.count)
        let rows = sample.isExact ? dataset : try dataset.subset(evaluation.rows(outOf: dataset.count))
        trainingLossSample = sample
        return DataLoader(rows, batchSize: .samples(Swift.max(batchSize, 1)), prefetch: false)
    }
}
