import DescentCore
import DescentData
import DescentNN
import DescentOptim
import DescentTraining
import Foundation
import Testing

@Suite struct StoppingTests {
    @Test func earlyStoppingSpecReadsDottedMonitorsAndPicksTheMode() throws {
        let rule = try EarlyStopping(spec: "early-stopping(monitor: validation.loss, patience: 5)")
        #expect(rule.monitor == "validation.loss" && rule.patience == 5 && rule.mode == .min && rule.minDelta == 0 && rule.restoreBestWeights)
        let accuracy = try EarlyStopping(spec: "early-stopping(monitor: validation.accuracy, patience: 2, minDelta: 0.01, restoreBestWeights: false)")
        #expect(accuracy.mode == .max && accuracy.minDelta == 0.01 && !accuracy.restoreBestWeights)
        #expect(try EarlyStopping(spec: "early-stopping(monitor: train.loss, mode: max)").mode == .max)
        #expect(throws: SpecError.self) { try EarlyStopping(spec: "early-stopping(patients: 3)") }
        #expect(throws: SpecError.self) { try EarlyStopping(spec: "early-stopping(monitor: loss)") }
    }

    @Test func earlyStoppingCountsEpochsWithoutImprovement() {
        var rule = EarlyStopping(monitor: "validation.loss", patience: 2, minDelta: 0.1)
        // 1.0 best; 0.95 is not better by more than minDelta; 0.8 is; then two without → stop.
        var decisions: [EarlyStopping.Decision] = []
        for (index, value) in [1.0, 0.95, 0.8, 0.85, 0.79].enumerated() { decisions.append(rule.record(value, epoch: index + 1)) }
        #expect(decisions == [.improved, .waiting, .improved, .waiting, .stop])
        #expect(rule.best == 0.8 && rule.bestEpoch == 3)
    }

    /// Validation targets that are the negation of the training targets: every epoch of training
    /// makes the validation loss worse, so the best epoch is the first, and early stopping with
    /// patience 2 stops after epoch 3 and puts back the weights of epoch 1.
    @Test func earlyStoppingRestoresTheBestWeights() throws {
        func make() throws -> (Trainer<Double>, Sequential<Double>, DataLoader<TensorDataset<Double>>, DataLoader<TensorDataset<Double>>) {
            var generator = RandomGenerator(seed: 1)
            let x = Tensor<Double>.uniform(shape: [64, 1], lower: -1, upper: 1, generator: &generator)
            let train = try TensorDataset(features: x, targets: .values(2 * x))
            let validation = try TensorDataset(features: x, targets: .values(-2 * x))
            let model = Sequential<Double>.linearRegression(inputs: 1, generator: &generator)
            let trainer = Trainer(model: model, loss: MeanSquaredErrorLoss(), optimizer: try SGD<Double>(learningRate: 0.1))
            return (trainer, model, DataLoader(train, batchSize: 16, shuffle: true, seed: 2), DataLoader(validation, batchSize: 64))
        }
        let (trainer, model, train, validation) = try make()
        trainer.earlyStopping = EarlyStopping(monitor: "validation.loss", patience: 2)
        let result = try trainer.fit(epochs: 20, training: train, validation: validation)
        #expect(result.stopReason == .earlyStopping && result.epochs == 3)
        let losses = result.history.epochs.map { $0.validation!["loss"]! }
        #expect(losses[1] > losses[0] && losses[2] > losses[1])

        let (oneEpoch, reference, train1, _) = try make()
        _ = try oneEpoch.fit(epochs: 1, training: train1)
        #expect(model.parameters().map(\.value.scalars) == reference.parameters().map(\.value.scalars))
        // And the model really is back at epoch 1's validation loss.
        #expect(try evaluate(model, loss: MeanSquaredErrorLoss(), on: validation).loss == losses[0])
    }

    @Test func earlyStoppingOnAMissingValueSaysWhatExists() throws {
        let run = try MoonsRun<Float>()
        run.trainer.earlyStopping = EarlyStopping(monitor: "validation.loss", patience: 2)
        let error = try #require(throws: TrainingError.self) { try run.trainer.fit(epochs: 2, training: run.training) }
        #expect(error.message.contains("train.loss") && error.message.contains("give validation data"))
    }

    @Test func aHugeLearningRateDivergesWithAnActionableMessage() throws {
        let folder = try TemporaryFolder()
        let run = try MoonsRun<Float>(hidden: [16], optimizer: "sgd(lr: 1000000)")
        let store = CheckpointStore(directory: folder.url)
        run.trainer.checkpointing = CheckpointPolicy(store: store, everyEpochs: 1)
        let result = try run.trainer.fit(epochs: 20, training: run.training)
        #expect(result.stopReason == .diverged)
        let divergence = try #require(result.divergence)
        let message = divergence.description
        #expect(message.contains("epoch \(divergence.epoch), step \(divergence.step)"))
        #expect(message.contains("learning rate (1000000) is probably too big") && message.contains("100000 (a tenth)") && message.contains("descent lr-find"))
        // The run stopped at the diverging step; no checkpoint holds a diverged state.
        #expect(result.history.steps.last!.step == divergence.step)
        for url in store.checkpointFiles() {
            let checkpoint = try TrainingCheckpoint<Float>(contentsOf: url)
            #expect(checkpoint.trainer.step < divergence.step)
            #expect(checkpoint.model.tensors.values.allSatisfy { $0.doubles.allSatisfy(\.isFinite) })
        }
    }

    @Test func growthPastTheFactorOfTheFirstEpochCountsAsDivergence() {
        var detector = DivergenceDetector(growthFactor: 3)
        let results = [2, 5.9, 6.1, .nan].map { detector.epochDiverged(meanBatchLoss: $0) }  // 2 is the reference (first epoch)
        #expect(results == [false, false, true, true] && detector.reference == 2)
        #expect(detector.stepDiverged(loss: .infinity) && detector.stepDiverged(loss: .nan) && !detector.stepDiverged(loss: 1e30))
        let text = Divergence(epoch: 4, step: 31, loss: 6.1, reference: 2, learningRate: 0.5).description
        #expect(text.hasPrefix("training diverged at epoch 4, step 31: the mean batch loss grew to 6.1") && text.contains("try a smaller one, for example 0.05"))
    }
}
