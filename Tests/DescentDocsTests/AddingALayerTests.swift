import Descent
import Testing

/// docs/adding-a-layer-or-an-optimizer.md: which path a model takes.
@Suite struct AddingALayerTests {
    /// A layer written outside Descent, as the page's step 1 describes: no compiled form.
    final class MyLayer: Layer {
        func forward(_ input: Tensor<Float>, context: ForwardContext) throws -> Tensor<Float> { input.tanh() }
    }

    /// Expected: the page's second comment line, with the layer's position (2) in this model.
    @Test func printTrainerStepNamesTheLayer() throws {
        var generator = RandomGenerator(seed: 0)
        let model = Sequential<Float> { Linear(2, 4, generator: &generator); ReLU(); MyLayer(); Linear(4, 2, generator: &generator) }
        let optimizer = try SGD<Float>(learningRate: 0.1)
        let lines = printedLines {
            let trainer = Trainer(model: model, loss: CrossEntropyLoss(), optimizer: optimizer)
            print(trainer.step)
            // compiled step
            // plain loop (autodiff): CompiledStep: layer 2 (MyLayer<Float>) has no compiled form; …
        }
        #expect(lines.count == 1)
        #expect(lines[0].hasPrefix("plain loop (autodiff): CompiledStep: layer 2 (MyLayer) has no compiled form")
                || lines[0].hasPrefix("plain loop (autodiff): CompiledStep: layer 2 (MyLayer<Float>) has no compiled form"), "\(lines)")
    }
}
