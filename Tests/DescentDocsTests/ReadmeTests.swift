import Descent
import Testing

/// The README's Swift snippets, pasted verbatim, run, and their printed lines compared with what
/// the README shows beside them.
@Suite struct ReadmeTests {
    /// README "In Swift". Expected values: L(−1.5) = 5.0625 + 10.125 + 2 = 17.1875 and
    /// L′(−1.5) = 4·(−3.375) − 9·2.25 = −33.75 by hand (the seed material's first gradient); the
    /// next w = −1.5 + 0.001·33.75 = −1.46625, where L′ = 4·(−3.1522) − 9·2.1499 = −31.958. The classifier's accuracy bound is what a 2-16-2
    /// network reaches on moons with noise 0.2 (scikit-learn's MLPClassifier gets 0.95–0.97).
    @Test func inSwift() throws {
        let lines = try printedLines {
            // The seed example: L(w) = w⁴ − 3w³ + 2, gradient descent from w = −1.5 with η = 0.001.
            let w = Parameter(Tensor<Double>([-1.5]))
            for step in 1...3 {
                let loss = (w.value.pow(4) - 3 * w.value.pow(3) + 2).sum()
                try loss.backward()                                          // fills w.gradient: 4w³ − 9w²
                print("step \(step): L = \(loss), dL/dw = \(w.gradient!)")
                w.value = withoutGradients { w.value - 0.001 * w.gradient! }  // a new value starts a fresh leaf
            }
            print(w)   // Parameter<Double>(shape: [1], trainable, value: [-1.40397…], gradient: none)

            // A classifier, trained with the plain loop a learner writes by hand…
            let data = try BuiltinDataset.moons(count: 400, noise: 0.2, seed: 0, as: Float.self)
            let (train, validation) = try data.split(trainFraction: 0.75, seed: 0)
            let loader = DataLoader(train, batchSize: 32, shuffle: true, seed: 0)   // a new order every epoch
            var generator = RandomGenerator(seed: 0)
            let model = Sequential<Float> {
                Linear(2, 16, generator: &generator)   // parameters are found by reflection: 0.weight, 0.bias, …
                ReLU()
                Linear(16, 2, generator: &generator)
            }
            print(model)                               // Sequential<Float>( (0): Linear(inFeatures: 2, outFeatures: 16, bias: true) …
            let loss = CrossEntropyLoss()
            let optimizer = try Adam<Float>(learningRate: 0.01)
            for epoch in 0..<20 {
                let batches = loader.batches(epoch: epoch)
                var total = 0.0
                while let batch = try batches.next() {
                    model.zeroGradients()                                             // 1. zero the gradients
                    let predictions = try model(batch.features, mode: .training)      // 2. predict
                    let value = try loss(predictions, batch.targetTensor(for: loss, predictions: predictions))  // 3. loss
                    try value.backward()                                              // 4. gradients
                    try optimizer.step(model.trainableParameters())                   // 5. step
                    total += Double(value.scalar) * Double(batch.count)
                }
                if epoch % 5 == 4 { print("epoch \(epoch + 1): mean batch loss \(total / Double(train.count))") }
            }

            // …or with the trainer: history, validation, early stopping, checkpoints, schedules.
            let trainer = Trainer(model: model, loss: loss, optimizer: optimizer, metrics: [Accuracy()])
            let result = try trainer.fit(epochs: 30, training: loader, validation: DataLoader(validation, batchSize: 128))
            print("validation accuracy:", result.history.epochs.last!.validation!["accuracy"]!)
        }
        for line in lines { Swift.print(line) }
        #expect(lines[0] == "step 1: L = 17.1875, dL/dw = [-33.75]")
        #expect(lines[1].hasPrefix("step 2: L = ") && lines[1].contains("dL/dw = [-31.958"))
        #expect(lines[3].hasPrefix("Parameter<Double>(shape: [1], trainable, value: [-1.40397") && lines[3].hasSuffix("gradient: none)"))
        #expect(lines[4] == """
            Sequential<Float>(
              (0): Linear(inFeatures: 2, outFeatures: 16, bias: true)
              (1): ReLU()
              (2): Linear(inFeatures: 16, outFeatures: 2, bias: true)
            )
            """)
        let losses = lines[5...8].map { Double($0.split(separator: " ").last!)! }
        #expect(losses == losses.sorted(by: >), "the loop learns: the loss falls every 5 epochs")
        let accuracy = Double(lines[9].split(separator: " ").last!)!
        #expect(accuracy > 0.9)
    }

    /// README "Speed": the compiled step in a hand-written loop. Expected: the same model trained
    /// by the plain loop on the same batches ends with the same bits (ARCHITECTURE.md's contract).
    @Test func compiledStepLoop() throws {
        let data = try BuiltinDataset.moons(count: 64, noise: 0.2, seed: 0, as: Float.self)
        func trained(compiled: Bool) throws -> [Float] {
            var generator = RandomGenerator(seed: 1)
            let model = Sequential<Float> { Linear(2, 8, generator: &generator); ReLU(); Linear(8, 2, generator: &generator) }
            let optimizer = try SGD<Float>(learningRate: 0.1)
            let batches = DataLoader(data, batchSize: 16, shuffle: true, seed: 0).batches(epoch: 0)
            if compiled {
                let step = try CompiledStep(model: model, loss: CrossEntropyLoss(), maximumBatchSize: 32)
                while let batch = try batches.next() {
                    try step.trainStep(features: batch.features, labels: batch.targets.classes!, optimizer: optimizer,
                                       nextFeatures: try batches.peek()?.features)   // optional: the look-ahead at batch size 1
                }
            } else {
                let loss = CrossEntropyLoss()
                while let batch = try batches.next() {
                    model.zeroGradients()
                    let predictions = try model(batch.features, mode: .training)
                    try loss(predictions, batch.targetTensor(for: loss, predictions: predictions)).backward()
                    try optimizer.step(model.trainableParameters())
                }
            }
            return model.parameters().flatMap { $0.value.scalars }
        }
        #expect(try trained(compiled: true) == trained(compiled: false))
    }
}
