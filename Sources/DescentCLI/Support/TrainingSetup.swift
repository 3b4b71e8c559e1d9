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
    var trainLoader: any BatchLoader<Scalar>
    /// The per-epoch full-loss pass: a fixed sample of the training rows by default (`--full-loss`).
    var trainEvaluationLoader: any BatchLoader<Scalar>
    /// Every training row, for the final report.
    var exactTrainLoader: any BatchLoader<Scalar>
    var validationLoader: (any BatchLoader<Scalar>)?
    var testLoader: (any BatchLoader<Scalar>)?
    var loadSeconds: Double
    /// The streams, when the run reads its data from disk a chunk at a time; `nil` in memory.
    var streamed: StreamedData<Scalar>?
    /// What the setup chose that a user should hear about (streaming and why).
    var notes: [String] = []

    /// Samples per batch when only evaluating (no gradients, so larger batches are cheap).
    static var evaluationBatchSize: Int { 1024 }

    /// The setup of `configuration`; `sampler` is this process's share of a data-parallel run's
    /// training data (`nil`: all of it).
    init(_ configuration: TrainConfiguration, sampler: DistributedSampler? = nil) throws {
        let loadStart = Date()
        self.configuration = configuration
        let memoryLimit = try configuration.memoryLimitBytes
        let streams = try Self.streams(configuration, memoryLimit: memoryLimit, notes: &notes)
        if streams, let sampler, sampler.worldSize > 1 {
            throw ValidationError("a data-parallel run (\(sampler.worldSize) processes) cannot stream its data yet: every process loads "
                                  + "the training data into memory and takes its share; drop --stream, or give a --memory-limit the data fits")
        }
        if streams {
            let streamed = try StreamedData<Scalar>.open(configuration)
            self.streamed = streamed
            data = streamed.description
        } else {
            data = try PreparedData<Scalar>.load(configuration)
        }
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
            guard let head = try specError({ try ClassificationHead.outputsAndMetrics(for: loss, named: lossText, classCount: classes) }) else {
                throw ValidationError("\(lossText) is a regression loss but the task is classification; use cross-entropy, or --task regression")
            }
            (outputs, metrics) = head
        case .regression:
            guard loss.targetKind == .values else { throw ValidationError("\(lossText) is a classification loss but the task is regression; use mse, l1 or huber") }
            outputs = data.train.targets.values.map { $0.rank >= 2 ? $0.shape[$0.rank - 1] : 1 } ?? 1
            metrics = [inTargetUnits(MeanSquaredError(), data.targetStandardizer)]
        }
        let inputShape = try Self.inputShape(of: data, model: configuration.model)
        let spec = try specError { try ModelSpec(parsing: configuration.model) }
        var generator = RandomGenerator(seed: configuration.seed, stream: 1)
        let inputCount = data.inputCount
        if inputShape != nil || spec.layerSpecs != nil {
            // A layers spec (images, or rows): each layer's sizes inferred from the sample shape, the last linear from the classes.
            let shape = inputShape ?? [inputCount]
            try specError { try spec.checkFits(inputShape: shape, outputs: outputs, bytesPerScalar: MemoryLayout<Scalar>.stride, memoryLimit: memoryLimit) }
            model = try specError { try spec.makeModel(inputShape: shape, outputs: outputs, generator: &generator) }
        } else {
            try specError { try spec.checkFits(inputs: inputCount, outputs: outputs, bytesPerScalar: MemoryLayout<Scalar>.stride, memoryLimit: memoryLimit) }
            model = spec.makeModel(inputs: data.inputCount, outputs: outputs, generator: &generator)
        }

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
        if let streamed {
            // The loaders share what the limit leaves beside the process as it is now, the model
            // with its gradients and optimizer state (four copies of the parameters, as Adam
            // keeps), and a step's activations; the training window gets half.
            let parameters = model.parameters()
            let parameterBytes = parameters.reduce(0) { $0 + $1.value.scalarCount } * MemoryLayout<Scalar>.stride
            // A step's activations beyond its input batch (which the loader counts): every layer's
            // output and its gradient, for an evaluation batch.
            let outputWidths = parameters.filter { $0.value.rank == 2 }.reduce(0) { $0 + $1.value.shape[0] }
            let activationBytes = 2 * Self.evaluationBatchSize * outputWidths * MemoryLayout<Scalar>.stride
            let available = memoryLimit - ProcessMemory.current().residentBytes - 4 * parameterBytes - activationBytes
            guard available > 0 else {
                throw ValidationError("--memory-limit \(formattedBytes(memoryLimit)) leaves no room for the data beside the process "
                                      + "(\(formattedBytes(ProcessMemory.current().residentBytes)) resident) and the model; give a larger limit")
            }
            func loader(_ dataset: StreamingDataset<Scalar>, _ batchSize: BatchSize, shuffle: Bool, share: Int) throws -> StreamingLoader<Scalar> {
                try wrapDataErrors {
                    try StreamingLoader(dataset, batchSize: batchSize, shuffle: shuffle, seed: configuration.seed, memoryBudget: available / share)
                }
            }
            /// Evaluation batches of up to 1024 rows, fewer when wide rows would not leave room for a window.
            func evaluationBatch(_ dataset: StreamingDataset<Scalar>, share: Int) -> BatchSize {
                let rowBytes = (dataset.featuresPerRow + dataset.targetCount) * MemoryLayout<Scalar>.stride + 16
                let room = available / share - 2 * dataset.chunkRows * rowBytes - (1 << 20)
                return .samples(Swift.max(1, Swift.min(Self.evaluationBatchSize, room / Swift.max(4 * rowBytes, 1))))
            }
            trainLoader = try loader(streamed.train, batchSize, shuffle: true, share: 2)
            // The full loss over a fixed, seeded fifth of the training chunks (all of them when
            // there are few), streamed like the rest.
            let sampled = try configuration.trainingEvaluation != .exact && streamed.train.count > TrainingEvaluation.minimumSampleRows
                && streamed.train.chunkCount >= 5
            let sample = sampled
                ? try wrapDataErrors { try streamed.train.splitting(validationFraction: TrainingEvaluation.sampleFraction, seed: configuration.seed &+ 3).validation }
                : streamed.train
            trainer.trainingLossSample = TrainingLossSample(rows: sample.count, totalRows: streamed.train.count, seed: sampled ? configuration.seed &+ 3 : nil)
            trainEvaluationLoader = try loader(sample, evaluationBatch(sample, share: 6), shuffle: false, share: 6)
            exactTrainLoader = sampled ? try loader(streamed.train, evaluationBatch(streamed.train, share: 6), shuffle: false, share: 6) : trainEvaluationLoader
            validationLoader = try streamed.validation.map { try loader($0, evaluationBatch($0, share: 6), shuffle: false, share: 6) }
            testLoader = try streamed.test.map { try loader($0, evaluationBatch($0, share: 6), shuffle: false, share: 6) }
        } else {
        // No prefetch thread: the data is in memory, and gathering a batch (RowGather: prefetching,
        // split across the worker pool) costs less than handing it to another thread and waking
        // that thread for every batch (BENCHMARKS.md, "Design measurements", "No prefetch thread
        // for data in memory").
        let loader = DataLoader(data.train, batchSize: batchSize, shuffle: true, seed: configuration.seed, prefetch: false)
        trainLoader = sampler.map { DistributedLoader(loader, sampler: $0) } ?? loader
        exactTrainLoader = DataLoader(data.train, batchSize: .samples(Self.evaluationBatchSize), prefetch: false)
        trainEvaluationLoader = try trainer.makeTrainingEvaluationLoader(for: data.train, evaluation: configuration.trainingEvaluation,
                                                                         batchSize: Self.evaluationBatchSize)
        validationLoader = data.validation.map { DataLoader($0, batchSize: .samples(Self.evaluationBatchSize), prefetch: false) }
        testLoader = data.test.map { DataLoader($0, batchSize: .samples(Self.evaluationBatchSize), prefetch: false) }
        }
        if configuration.scaleLr == "linear" {
            try Self.scaleLearningRate(of: trainer, processes: sampler?.worldSize ?? 1, warmUpSteps: (configuration.warmupEpochs ?? 0)
                .multipliedReportingOverflow(by: trainLoader.batchesPerEpoch).partialValue, configuration: configuration)
        }
        let augmentation = configuration.augmentation
        if augmentation.isActive {
            let sampleShape = streamed?.train.featureShape ?? data.train.featureShape
            do { try augmentation.validate(sampleShape: sampleShape) } catch let error as DataError { throw ValidationError(error.message) }
            trainLoader = Self.augmenting(trainLoader, augmentation)
            notes.append("augmenting the training images: \(augmentation) (seed \(augmentation.seed))")
        }
        preprocessing = Preprocessing(task: data.task, target: data.target, featureNames: data.train.featureNames,
                                      classNames: data.task == .classification ? data.classNames : nil, inputs: data.inputCount,
                                      inputShape: inputShape, outputs: outputs, standardizer: data.standardizer, targetStandardizer: data.targetStandardizer,
                                      reading: data.reading, encoder: data.encoder, fillValues: data.fillValues, model: configuration.model,
                                      loss: lossText, precision: configuration.precision)
    }
}

extension TrainingSetup {
    /// The linear scaling rule with gradual warm-up (Goyal et al., 2017): every group's rate times
    /// the number of processes `k` (the global batch is k times the per-process batch), reached by a
    /// per-step linear ramp from the unscaled rate over `warmUpSteps` steps, then the configured
    /// schedule (from its step 0) or a constant rate.
    static func scaleLearningRate(of trainer: Trainer<Scalar>, processes: Int, warmUpSteps: Int, configuration: TrainConfiguration) throws {
        let k = Double(processes)
        let rule = LinearScalingRule(referenceBatchSize: 1, referenceLearningRate: trainer.optimizer.learningRate)
        let scaled = trainer.optimizer.initialLearningRates.map { $0 * k }
        var main: (any LearningRateSchedule)? = nil
        var unit = LearningRateScheduler.Unit.step
        if let existing = trainer.scheduler {
            guard case .function(let schedule) = existing.kind else {
                throw ValidationError("--scale-lr cannot be combined with a plateau schedule (it changes the rate from the validation loss); use another schedule")
            }
            main = schedule
            unit = existing.unit
        }
        if warmUpSteps > 0 {
            guard main == nil || unit == .step else {
                throw ValidationError("--warmup-epochs ramps the rate per step, so the schedule must advance per step too: use --schedule-unit step")
            }
            let warmUp = rule.warmUpSchedule(batchSize: processes, warmUpSteps: warmUpSteps, then: main)
            trainer.scheduler = LearningRateScheduler(.function(warmUp), initialLearningRates: scaled, unit: .step)
        } else {
            let schedule = main ?? LinearSchedule(startFactor: 1, endFactor: 1, totalSteps: 1)
            trainer.scheduler = LearningRateScheduler(.function(schedule), initialLearningRates: scaled, unit: unit)
        }
    }

    /// `loader`'s batches with `augmentation` applied.
    static func augmenting<Loader: BatchLoader>(_ loader: Loader, _ augmentation: ImageAugmentation) -> any BatchLoader<Scalar> where Loader.Scalar == Scalar {
        AugmentingLoader(loader, augmentation: augmentation)
    }

    /// The shape of one sample a model that takes images is built for (`[c, h, w]`, from the
    /// data), or `nil` for a model that takes rows.
    /// - Throws: `ValidationError` when such a model is given rows without an `--input-shape`.
    static func inputShape(of data: PreparedData<Scalar>, model: String) throws -> [Int]? {
        guard ModelInput.keepsSampleShape(model) else { return nil }
        let shape = data.train.featureShape
        guard shape.count >= 2 else {
            let features = shape.reduce(1, *)
            let side = Int(Double(features).squareRoot().rounded())
            let example = side * side == features ? "1x\(side)x\(side)" : "CxHxW"
            throw ValidationError("the model \(model) takes images (channels x height x width), but each sample of the data is a row of \(features) features; "
                                  + "give their shape with --input-shape \(example) (IDX and .npy images keep their own shape)")
        }
        return shape
    }

    /// Whether the run streams its data: `--stream`, or files whose in-memory load would not fit
    /// the memory limit (a note says so).
    static func streams(_ configuration: TrainConfiguration, memoryLimit: Int, notes: inout [String]) throws -> Bool {
        if configuration.stream { return true }
        let source = configuration.data
        guard !BuiltinDataset.isBuiltin(source), FileManager.default.fileExists(atPath: source) else { return false }
        // The load holds the file's bytes and the features, and standardising and splitting copy
        // the features: about three times the estimate, beside the process itself.
        let estimate = try wrapDataErrors { try StreamingDataset<Scalar>.estimatedInMemoryBytes(features: source, labels: configuration.labels) }
        let needed = estimate.multipliedReportingOverflow(by: 3).overflow ? Int.max : 3 * estimate
        guard needed > memoryLimit - ProcessMemory.current().residentBytes else { return false }
        guard !DataFileFormat.isGzipCompressed(path: source) else {
            throw ValidationError("\(source) needs about \(formattedBytes(needed)) in memory, more than the memory limit \(formattedBytes(memoryLimit)), "
                                  + "and a gzip file cannot be streamed; decompress it (gunzip -k) or give a larger --memory-limit")
        }
        notes.append("streaming \(source) from disk: loading it would need about \(formattedBytes(needed)), more than the memory limit "
                     + "\(formattedBytes(memoryLimit)) (--memory-limit)")
        return true
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
