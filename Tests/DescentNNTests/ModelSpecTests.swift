import Testing
@testable import DescentNN
import DescentCore

@Suite struct ModelSpecTests {
    @Test func mlpSpecBuildsTheSameLayersAsPyTorchSequential() throws {
        var generator = RandomGenerator(seed: 0)
        let model: Sequential<Double> = try ModelSpec(parsing: "mlp(5, 4, activation: relu)").makeModel(inputs: 4, outputs: 3, generator: &generator)
        #expect(model.layers.map { "\(type(of: $0))" } == ["Linear<Double>", "ReLU<Double>", "Linear<Double>", "ReLU<Double>", "Linear<Double>"])
        #expect(model.namedParameters().map(\.parameter.shape) == [[5, 4], [5], [4, 5], [4], [3, 4], [3]])
    }

    @Test func optionsAddBatchNormAndDropoutInPyTorchOrder() throws {
        var generator = RandomGenerator(seed: 0)
        let model: Sequential<Float> = try ModelSpec(parsing: "mlp(hidden: [6], dropout: 0.2, batchNorm: true, init: kaiming-normal)")
            .makeModel(inputs: 2, outputs: 1, generator: &generator)
        #expect(model.layers.map { "\(type(of: $0))" } == ["Linear<Float>", "BatchNorm1d<Float>", "ReLU<Float>", "Dropout<Float>", "Linear<Float>"])
        #expect((model[0] as! Linear<Float>).bias!.value.scalars.allSatisfy { $0 == 0 })  // Kaiming ⇒ zero biases
    }

    @Test func simpleModelsAndSuggestedLosses() throws {
        #expect(try ModelSpec(parsing: "linear").suggestedLossName == "mse")
        #expect(try ModelSpec(parsing: "logistic").suggestedLossName == "bce-with-logits")
        #expect(try ModelSpec(parsing: "softmax(bias: false)").suggestedLossName == "cross-entropy")
        var generator = RandomGenerator(seed: 0)
        let model: Sequential<Double> = try ModelSpec(parsing: "softmax(bias: false)").makeModel(inputs: 4, outputs: 3, generator: &generator)
        #expect(model.namedParameters().map(\.name) == ["0.weight"])
    }

    @Test func outputSizeIsInferredFromTargets() {
        #expect(ModelSpec.outputCount(for: Tensor<Double>([0, 2, 1, 2]), targetKind: .classIndices) == 3)
        #expect(ModelSpec.outputCount(for: Tensor<Double>(zeros: [5, 2]), targetKind: .values) == 2)
        #expect(ModelSpec.outputCount(for: Tensor<Double>(zeros: [5]), targetKind: .values) == 1)
    }

    @Test func errorsListValidNamesAndKeys() {
        #expect { try ModelSpec(parsing: "rnn") } throws: { "\($0)".contains("valid models: linear, logistic, softmax, mlp, layers, lenet5, cnn") }
        #expect { try ModelSpec(parsing: "mlp(4, dropuot: 0.1)") } throws: {
            "\($0)".contains("unknown key `dropuot`") && "\($0)".contains("valid keys: hidden, activation, slope, dropout, batchNorm, init, bias")
        }
        #expect { try ModelSpec(parsing: "mlp") } throws: { "\($0)".contains("at least one hidden size") }
        #expect { try ModelSpec(parsing: "mlp(4, activation: swish)") } throws: { "\($0)".contains("relu, leaky-relu, sigmoid, tanh, gelu") }
        #expect { try ModelSpec(parsing: "mlp(4, dropout: 1)") } throws: { "\($0)".contains("[0, 1)") }
    }
}
