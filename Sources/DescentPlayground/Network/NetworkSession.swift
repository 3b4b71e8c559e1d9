import Descent
import Foundation

/// Everything one network run trains with, built from a ``TrainRequest`` the way `descent train`
/// builds its run (`TrainingSetup`): the same loss default, output count, metrics, seed streams,
/// optimizer, schedule and loaders, so the same settings train the same model.
struct NetworkSession<Scalar: TensorScalar> {
    let request: TrainRequest
    let data: PlaygroundData<Scalar>
    let trainer: Trainer<Scalar>
    let trainLoader: DataLoader<TensorDataset<Scalar>>
    let trainEvaluationLoader: DataLoader<TensorDataset<Scalar>>
    let validationLoader: DataLoader<TensorDataset<Scalar>>?
    /// Steps between measurements (see ``TrainRequest/measureEvery``).
    let measureEvery: Int

    /// Samples per batch when only evaluating, as `descent train`.
    static var evaluationBatchSize: Int { 1024 }

    /// Builds the run.
    /// - Throws: ``RequestError`` with the message `descent train` gives for the same mistake.
    init(_ request: TrainRequest, uploads: UploadStore) throws {
        self.request = request
        data = try PlaygroundData(request, uploads: uploads)
        let lossText = request.loss ?? "cross-entropy"
        let loss = try Self.messages { try LossSpec.makeLoss(lossText) }
        let classes = data.classNames.count
        guard let (outputs, metrics) = try Self.messages({ try ClassificationHead.outputsAndMetrics(for: loss, named: lossText, classCount: classes) }) else {
            throw RequestError("\(lossText) is a regression loss but the task is classification; use cross-entropy")
        }
        var generator = RandomGenerator(seed: request.seed, stream: 1)
        let model: Sequential<Scalar> = try PlaygroundModel.make(request.model, outputs: outputs, generator: &generator)
        let optimizer: any Optimizer<Scalar> = try Self.messages { try OptimizerFactory.make(request.optimizer, as: Scalar.self) }
        let scheduler = try request.schedule.map { text in
            LearningRateScheduler(try Self.messages { try ScheduleFactory.make(text) }, initialLearningRates: optimizer.initialLearningRates,
                                  unit: request.scheduleUnit)
        }
        trainer = Trainer(model: model, loss: loss, optimizer: optimizer, scheduler: scheduler, metrics: metrics)
        if let norm = request.clipGradNorm { trainer.gradientClipping = .norm(norm) }
        trainLoader = DataLoader(data.train, batchSize: request.batchSize, shuffle: true, seed: request.seed)
        trainEvaluationLoader = DataLoader(data.train, batchSize: .samples(Self.evaluationBatchSize))
        validationLoader = data.validation.map { DataLoader($0, batchSize: .samples(Self.evaluationBatchSize)) }
        let (steps, overflow) = request.epochs.multipliedReportingOverflow(by: trainLoader.batchesPerEpoch)
        guard !overflow, steps <= TrainRequest.Limits.steps else {
            throw RequestError("\(request.epochs) epochs of \(trainLoader.batchesPerEpoch) batches is more than the playground's "
                               + "\(TrainRequest.Limits.steps) steps; use fewer epochs or a larger batch size")
        }
        measureEvery = request.measureEvery ?? Swift.max(1, steps / 200)
    }

    /// Runs `body`, turning the spec layer's errors into request errors with the same message.
    static func messages<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as SpecError {
            throw RequestError(error.message)
        } catch let error as OptimizerError {
            throw RequestError(error.message)
        }
    }

    /// Optimizer steps in the whole run.
    var totalSteps: Int { request.epochs * trainLoader.batchesPerEpoch }

    /// The first event: what is trained on, and how long the run is.
    func startEvent(id: String) -> JSONValue {
        func points(_ list: [(Double, Double, Int)]) -> JSONValue {
            .array(list.map { .array([.number($0.0), .number($0.1), .number(Double($0.2))]) })
        }
        return .object([
            ("type", .string("start")), ("id", .string(id)),
            ("classes", .array(data.classNames.map(JSONValue.string))), ("features", .array(data.featureNames.map(JSONValue.string))),
            ("bounds", .object([("x", .array([.number(data.bounds.x.lowerBound), .number(data.bounds.x.upperBound)])),
                                ("y", .array([.number(data.bounds.y.lowerBound), .number(data.bounds.y.upperBound)]))])),
            ("train", points(data.trainPoints)), ("validation", points(data.validationPoints)),
            ("epochs", .number(Double(request.epochs))), ("batchesPerEpoch", .number(Double(trainLoader.batchesPerEpoch))),
            ("batchSize", .number(Double(trainLoader.resolvedBatchSize))), ("totalSteps", .number(Double(totalSteps))),
            ("measureEvery", .number(Double(measureEvery))),
            ("parameters", .number(Double(trainer.model.trainableParameters().reduce(0) { $0 + $1.parameter.value.scalarCount }))),
        ])
    }

    /// The measured fields of a step event: the full training loss and accuracy (evaluation
    /// mode, over the whole training split), the same on the validation split, and the regions.
    func measurement() throws -> [(String, JSONValue)] {
        let train = try evaluate(trainer.model, loss: trainer.loss, metrics: trainer.metrics, on: trainEvaluationLoader)
        var fields: [(String, JSONValue)] = [("fullLoss", .number(train.loss)), ("trainAccuracy", .number(train.metrics["accuracy"] ?? .nan))]
        if let validationLoader {
            let validation = try evaluate(trainer.model, loss: trainer.loss, metrics: trainer.metrics, on: validationLoader)
            fields += [("validationLoss", .number(validation.loss)), ("validationAccuracy", .number(validation.metrics["accuracy"] ?? .nan))]
        }
        let regions = try DecisionRegions(model: trainer.model, bounds: data.bounds, size: request.gridSize, standardizer: data.standardizer)
        return fields + [("regions", regions.json)]
    }
}
