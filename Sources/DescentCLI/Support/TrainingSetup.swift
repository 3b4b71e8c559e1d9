import ArgumentParser
import Descent
import Foundation

/// A model, loss, optimizer, schedule, metrics and loaders built from a ``TrainConfiguration``
/// and its data: the same configuration and seed always build the same run.
struct TrainingSetup<Scalar: TensorScalar> {
    var configuration: TrainConfiguration
    var data: PreparedData<Scalar>
    var model: Sequential<Scalar>
    var trainer: Trainer<Scalar>
    var preprocessing: Preprocessing
    var trainLoader: DataLoader<TensorDataset<Scalar>>
    var trainEvaluationLoader: DataLoader<TensorDataset<Scalar>>
    var validationLoader: DataLoader<TensorDataset<Scalar>>?
    var testLoader: DataLoader<TensorDataset<Scalar>>?
    var loadSeconds: Double

    /// Samples per batch when only evaluating (no gradients, so larger batches are cheap).
    static var evaluationBatchSize: Int { 1024 }

    init(_ configuration: TrainConfiguration) throws {
        let loadStart = Date()
        self.configuration = configuration
        data = try PreparedData<Scalar>.load(configuration)
        loadSeconds = Date().timeIntervalSince(loadStart)
        guard data.train.count > 0 else { throw ValidationError("the training data has no rows") }
        guard data.inputCount > 0 else {
            throw ValidationError("the training data has no feature columns, so the model would have no inputs; check --delimiter, --drop and --target")
        }

        let lossText = configuration.loss ?? (data.task == .classification ? "cross-entropy" : "mse")
        let loss = try specError { try LossSpec.makeLoss(lossText) }
        let outputs: Int
        var metrics: [any Metric]
        switch data.task {
        case .classification:
            let classes = data.classNames?.count ?? data.train.classCount ?? 2
            switch loss.targetKind {
            case .classIndices:
                outputs = classes
                metrics = [Accuracy()]
            case .binary:
                guard classes <= 2 else { throw ValidationError("\(lossText) is a binary loss but the target has \(classes) classes; use cross-entropy") }
                outputs = 1
                metrics = [Accuracy(threshold: 0)]  // the model outputs logits: class 1 when the logit is ≥ 0
            case .values:
                throw ValidationError("\(lossText) is a regression loss but the task is classification; use cross-entropy, or --task regression")
            }
        case .regression:
            guard loss.targetKind == .values else { throw ValidationError("\(lossText) is a classification loss but the task is regression; use mse, l1 or huber") }
            outputs = data.train.targets.values.map { $0.rank >= 2 ? $0.shape[$0.rank - 1] : 1 } ?? 1
            metrics = [inTargetUnits(MeanSquaredError(), data.targetStandardizer)]
        }
        let spec = try specError { try ModelSpec(parsing: configuration.model) }
        var generator = RandomGenerator(seed: configuration.seed, stream: 1)
        model = spec.makeModel(inputs: data.inputCount, outputs: outputs, generator: &generator)

        let optimizer: any Optimizer<Scalar> = try specError { try OptimizerFactory.make(configuration.optimizer, as: Scalar.self) }
        var scheduler: LearningRateScheduler?
        if let text = configuration.schedule {
            let kind = try specError { try ScheduleFactory.make(text) }
            guard let unit = LearningRateScheduler.Unit(rawValue: configuration.scheduleUnit) else {
                throw ValidationError("--schedule-unit must be step or epoch, not `\(configuration.scheduleUnit)`")
            }
            scheduler = LearningRateScheduler(kind, initialLearningRates: optimizer.initialLearningRates, unit: unit)
        }
        trainer = Trainer(model: model, loss: loss, optimizer: optimizer, scheduler: scheduler, metrics: metrics)
        if let text = configuration.earlyStopping { trainer.earlyStopping = try specError { try EarlyStopping(spec: text) } }
        if let maxNorm = configuration.clipGradNorm {
            guard maxNorm > 0 else { throw ValidationError("--clip-grad-norm must be > 0, not \(maxNorm)") }
            trainer.gradientClipping = .norm(maxNorm)
        }
        trainer.timeLimit = try configuration.maxTimeSeconds
        trainer.configuration = configuration.jsonText()

        let batchSize = try configuration.resolvedBatchSize
        // No prefetch thread: the data is in memory, and gathering a batch (RowGather: prefetching,
        // split across the worker pool) costs less than handing it to another thread and waking
        // that thread for every batch (BENCHMARKS.md, "Design measurements", "No prefetch thread
        // for data in memory").
        trainLoader = DataLoader(data.train, batchSize: batchSize, shuffle: true, seed: configuration.seed, prefetch: false)
        trainEvaluationLoader = DataLoader(data.train, batchSize: .samples(Self.evaluationBatchSize), prefetch: false)
        validationLoader = data.validation.map { DataLoader($0, batchSize: .samples(Self.evaluationBatchSize), prefetch: false) }
        testLoader = data.test.map { DataLoader($0, batchSize: .samples(Self.evaluationBatchSize), prefetch: false) }
        preprocessing = Preprocessing(task: data.task, target: data.target, featureNames: data.train.featureNames,
                                      classNames: data.task == .classification ? data.classNames : nil, inputs: data.inputCount,
                                      outputs: outputs, standardizer: data.standardizer, targetStandardizer: data.targetStandardizer,
                                      reading: data.reading, encoder: data.encoder, fillValues: data.fillValues, model: configuration.model,
                                      loss: lossText, precision: configuration.precision)
    }
}

/// Runs `body`, turning spec errors into validation errors (exit code 64 with the message).
func specError<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as SpecError {
        throw ValidationError(error.message)
    } catch let error as OptimizerError {
        throw ValidationError(error.message)
    }
}
