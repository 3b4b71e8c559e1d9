import DescentCore
import DescentData
import DescentNN
import DescentOptim
import DescentTraining
import Foundation
import Testing

@Suite struct TrainerTests {
    /// The loop a learner writes by hand (zero gradients, forward, loss, backward, step) and
    /// `Trainer.fit` perform the same arithmetic in the same order, so they end with the same bits.
    @Test(arguments: [false, true])
    func handWrittenLoopGivesTheSameParametersAsFit(double: Bool) throws {
        if double { try check(Double.self) } else { try check(Float.self) }
        func check<Scalar: TensorScalar>(_: Scalar.Type) throws {
            let byTrainer = try MoonsRun<Scalar>()
            _ = try byTrainer.trainer.fit(epochs: 3, training: byTrainer.training)

            let byHand = try MoonsRun<Scalar>()
            let model = byHand.model, optimizer = byHand.trainer.optimizer, loss = CrossEntropyLoss()
            for epoch in 0..<3 {
                let batches = byHand.training.batches(epoch: epoch)
                while let batch = try batches.next() {
                    model.zeroGradients()
                    let predictions = try model(batch.features, mode: .training)
                    let value = try loss(predictions, batch.targetTensor(for: loss, predictions: predictions))
                    try value.backward()
                    try optimizer.step(model.trainableParameters())
                }
            }
            #expect(byTrainer.parameters.map { $0.map { Double($0) } } == byHand.parameters.map { $0.map { Double($0) } })
            #expect(byTrainer.parameters != (try MoonsRun<Scalar>()).parameters, "training changed nothing")
        }
    }

    /// The trainer's compiled fast path and the plain autodiff loop give the same bits: the
    /// compiled step runs the same operations in the same order (CompiledStepTests checks the
    /// gradients; this checks a whole run through the trainer, dropout included).
    @Test(arguments: [false, true])
    func compiledStepAndAutodiffLoopEndWithTheSameParameters(double: Bool) throws {
        if double { try check(Double.self) } else { try check(Float.self) }
        func check<Scalar: TensorScalar>(_: Scalar.Type) throws {
            let compiled = try MoonsRun<Scalar>(hidden: [8, 8], dropout: 0.2)
            let compiledResult = try compiled.trainer.fit(epochs: 3, training: compiled.training)
            #expect(compiled.trainer.compiledStep != nil, "the MLP with cross-entropy has a compiled form")

            let plain = try MoonsRun<Scalar>(hidden: [8, 8], dropout: 0.2)
            plain.trainer.usesCompiledStep = false
            let plainResult = try plain.trainer.fit(epochs: 3, training: plain.training)
            #expect(plain.trainer.compiledStep == nil)
            #expect(compiled.parameters.map { $0.map { Double($0) } } == plain.parameters.map { $0.map { Double($0) } })
            #expect(compiledResult.history.steps.map(\.batchLoss) == plainResult.history.steps.map(\.batchLoss))
        }
    }

    @Test func historyHasEveryStepAndEpochWithFullAndMeanBatchLoss() throws {
        let run = try MoonsRun<Double>(schedule: "step(stepSize: 4, gamma: 0.5)")
        let result = try run.trainer.fit(epochs: 2, training: run.training, validation: run.validation)
        let history = result.history
        // 90 training samples (75% of 120), batches of 16 → ⌈90/16⌉ = 6 per epoch.
        #expect(run.training.batchesPerEpoch == 6)
        #expect(history.steps.count == 12 && history.epochs.count == 2)
        #expect(history.steps.map(\.step) == Array(1...12))
        #expect(history.steps.map(\.epoch) == Array(repeating: 1, count: 6) + Array(repeating: 2, count: 6))
        // StepLR(step_size=4, gamma=0.5) from 0.01: steps 1-4 use 0.01, 5-8 0.005, 9-12 0.0025.
        #expect(history.steps.map(\.learningRate) == [0.01, 0.01, 0.01, 0.01, 0.005, 0.005, 0.005, 0.005, 0.0025, 0.0025, 0.0025, 0.0025])
        let second = history.epochs[1]
        #expect(second.meanBatchLoss == history.steps[6...].map(\.batchLoss).reduce(0, +) / 6)
        // The full loss is the end-of-epoch model's loss over the whole training set, evaluation mode.
        let final = try evaluate(run.model, loss: CrossEntropyLoss(), metrics: [Accuracy()], on: run.training)
        #expect(second.train["loss"] == final.loss && second.train["accuracy"] == final.metrics["accuracy"])
        let validation = try evaluate(run.model, loss: CrossEntropyLoss(), on: run.validation)
        #expect(second.validation?["loss"] == validation.loss)
        #expect(second.steps == 12 && second.learningRate == 0.0025)
        #expect(second.value(of: "validation.loss") == validation.loss && second.value(of: "train.batchLoss") == second.meanBatchLoss)
    }

    @Test func historyIsSavedAsCSVAndJSON() throws {
        let run = try MoonsRun<Float>()
        let history = try run.trainer.fit(epochs: 2, training: run.training, validation: run.validation).history
        let folder = try TemporaryFolder()
        try history.write(to: folder.url)
        let epochs = try String(contentsOf: folder.url.appendingPathComponent("history-epochs.csv"), encoding: .utf8).split(separator: "\n")
        #expect(epochs[0] == "epoch,steps,learning_rate,train.batchLoss,train.loss,train.accuracy,validation.loss,validation.accuracy,seconds")
        #expect(epochs.count == 3)
        let cells = epochs[2].split(separator: ",").map(String.init)
        #expect(cells[0] == "2" && cells[1] == "12" && Double(cells[4]) == history.epochs[1].train["loss"])
        let steps = try String(contentsOf: folder.url.appendingPathComponent("history-steps.csv"), encoding: .utf8).split(separator: "\n")
        #expect(steps[0] == "epoch,step,batch_loss,learning_rate" && steps.count == 13)
        #expect(steps[12] == "2,12,\(history.steps[11].batchLoss),0.01")
        let json = try Data(contentsOf: folder.url.appendingPathComponent("history.json"))
        #expect(try TrainingHistory(jsonData: json) == history)
    }

    @Test func callbacksSeeEveryEventInOrder() throws {
        let run = try MoonsRun<Float>()
        var events: [String] = []
        run.trainer.callbacks.append(ClosureCallback(
            fitDidBegin: { _ in events.append("fit") }, epochDidBegin: { events.append("epoch\($0.epoch)") },
            batchDidBegin: { _ in events.append("b") }, batchDidEnd: { _ in events.append("e") },
            epochDidEnd: { events.append("end\($0.epochRecord!.epoch)") }, fitDidEnd: { events.append("done:\($0.stopReason!.rawValue)") }))
        _ = try run.trainer.fit(epochs: 2, training: run.training)
        let epoch = Array(repeating: ["b", "e"], count: 6).flatMap { $0 }
        #expect(events == ["fit", "epoch1"] + epoch + ["end1", "epoch2"] + epoch + ["end2", "done:completed"])
    }

    @Test func aCallbackCanStopTheRunAfterTheCurrentStep() throws {
        let run = try MoonsRun<Float>()
        let trainer = run.trainer
        trainer.callbacks.append(ClosureCallback(batchDidEnd: { if $0.step == 4 { trainer.requestStop() } }))
        let result = try trainer.fit(epochs: 3, training: run.training)
        #expect(result.stopReason == .interrupted && result.history.steps.count == 4 && trainer.state.position == LoaderPosition(epoch: 0, batchIndex: 4))
    }

    @Test func timeLimitStopsAfterTheCurrentStep() throws {
        let run = try MoonsRun<Float>()
        run.trainer.timeLimit = 0
        let result = try run.trainer.fit(epochs: 5, training: run.training)
        #expect(result.stopReason == .timeLimit && result.history.steps.count == 1)
    }

    @Test func gradientClippingBoundsTheStep() throws {
        // With SGD (lr 1) the update is −g, so after clipping the global norm to 0.001 the
        // parameters move by at most 0.001 (plus rounding).
        let run = try MoonsRun<Double>(optimizer: "sgd(lr: 1)")
        let before = run.model.flattenedParameters()
        run.trainer.gradientClipping = .norm(1e-3)
        let batch = try run.training.batches(epoch: 0).next()!
        try run.trainer.trainStep(on: batch)
        let change = (run.model.flattenedParameters() - before).squared().sum().scalar.squareRoot()
        #expect(change > 0.9e-3 && change <= 1e-3 + 1e-12)
    }

    @Test func sameSeedGivesTheSameRun() throws {
        let a = try MoonsRun<Float>(dropout: 0.2), b = try MoonsRun<Float>(dropout: 0.2)
        let ha = try a.trainer.fit(epochs: 2, training: a.training, validation: a.validation).history
        let hb = try b.trainer.fit(epochs: 2, training: b.training, validation: b.validation).history
        #expect(bits(a.parameters) == bits(b.parameters))
        #expect(ha.steps == hb.steps && ha.epochs.map(\.train) == hb.epochs.map(\.train))
    }
}
