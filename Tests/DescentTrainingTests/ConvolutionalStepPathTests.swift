import DescentCore
import DescentNN
import DescentOptim
import DescentTraining
import Testing

/// Convolution, pooling, flatten and unflatten have compiled forms (ConvolutionStepEquivalenceTests
/// checks their bits); a model with a layer that has none (BatchNorm) trains on the plain (eager)
/// loop, and the step says so with the layer that stopped it (never a silent fallback); and that loop
/// trains it: the loss of a LeNet-5 on a fixed batch goes down.
@Suite struct ConvolutionalStepPathTests {
    @Test(arguments: ["lenet5", "cnn(4, 8)", "layers(conv2d(4, 3), relu, flatten, linear)",
                      "layers(unflatten(1, 28, 28), maxpool2d(2), flatten, linear)"])
    func convolutionalModelsTakeTheCompiledPath(_ text: String) throws {
        var generator = RandomGenerator(seed: 0)
        let model: Sequential<Float> = try ModelSpec(parsing: text).makeModel(
            inputShape: text.contains("unflatten") ? [784] : [1, 28, 28], outputs: 10, generator: &generator)
        let step = makeTrainingStep(model: model, loss: CrossEntropyLoss())
        if case .eager(let reason) = step.path { Issue.record("\(text) took the eager path: \(reason)") }
    }

    @Test(arguments: ["layers(flatten, batchnorm, linear)", "layers(conv2d(4, 3), batchnorm, relu, flatten, linear)"])
    func modelsWithoutACompiledFormTakeTheEagerPathWithAReason(_ text: String) throws {
        var generator = RandomGenerator(seed: 0)
        let model: Sequential<Float> = try ModelSpec(parsing: text).makeModel(
            inputShape: [1, 28, 28], outputs: 10, generator: &generator)
        let step = makeTrainingStep(model: model, loss: CrossEntropyLoss())
        guard case .eager(let reason) = step.path else {
            Issue.record("\(text) took the compiled path")
            return
        }
        #expect(reason.contains("has no compiled form"), "\(text): \(reason)")
        #expect(["BatchNorm1d", "BatchNorm2d"].contains { reason.contains($0) }, "\(text): \(reason)")
    }

    @Test func lenet5TrainsOnTheEagerLoop() throws {
        var generator = RandomGenerator(seed: 1)
        let model: Sequential<Float> = try ModelSpec(parsing: "lenet5").makeModel(inputShape: [1, 28, 28], outputs: 10, generator: &generator)
        let x = Tensor<Float>.normal(shape: [4, 1, 28, 28], generator: &generator)
        let y = Tensor<Float>((0..<4).map { Float($0) })
        let optimizer = try Adam<Float>(learningRate: 3e-3)
        var losses: [Float] = []
        for _ in 0..<15 {
            model.zeroGradients()
            let loss = try CrossEntropyLoss()(model(x, mode: .training), y)
            try loss.backward()
            try optimizer.step(model.trainableParameters())
            losses.append(loss.scalar)
        }
        #expect(losses.last! < losses.first! * 0.5, "\(losses)")
    }
}
