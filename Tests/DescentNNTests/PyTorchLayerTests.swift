import Foundation
import Testing
@testable import DescentNN
import DescentCore

/// Layers against PyTorch: the outputs and gradients of `sum(layer(x) · upstream)` written by
/// `scripts/fixtures/nn/generate.py` (torch 2.x), in float64 (tolerance 1e-10) and float32 (1e-5),
/// as normwise relative errors.
@Suite struct PyTorchLayerTests {
    static func makeLayer<Scalar: TensorScalar>(_ fixture: LayerFixture, _ type: Scalar.Type) throws -> any Layer<Scalar> {
        func parameter(_ name: String) throws -> Tensor<Scalar> { try #require(fixture.parameters[name], "\(name)").tensor() }
        switch fixture.layer {
        case "Linear": return try Linear<Scalar>(weight: parameter("weight"), bias: parameter("bias"))
        case "ReLU": return ReLU<Scalar>()
        case "LeakyReLU": return LeakyReLU<Scalar>(negativeSlope: fixture.options["negativeSlope"] ?? 0.01)
        case "Sigmoid": return Sigmoid<Scalar>()
        case "Tanh": return Tanh<Scalar>()
        case "GELU": return GELU<Scalar>()
        case "Softmax": return Softmax<Scalar>(axis: Int(fixture.options["axis"] ?? -1))
        case "LogSoftmax": return LogSoftmax<Scalar>(axis: Int(fixture.options["axis"] ?? -1))
        case "Flatten": return Flatten<Scalar>()
        case "Dropout":
            var generator = RandomGenerator(seed: 0)
            return Dropout<Scalar>(probability: fixture.options["probability"] ?? 0.5, generator: &generator)
        case "BatchNorm1d":
            let layer = BatchNorm1d<Scalar>(fixture.parameters["weight"]!.shape[0],
                                            epsilon: fixture.options["epsilon"] ?? 1e-5, momentum: fixture.options["momentum"] ?? 0.1)
            layer.weight!.value = try parameter("weight")
            layer.bias!.value = try parameter("bias")
            layer.runningMean.value = try fixture.buffersBefore["running_mean"]!.tensor()
            layer.runningVariance.value = try fixture.buffersBefore["running_var"]!.tensor()
            layer.batchesTracked.value = try fixture.buffersBefore["num_batches_tracked"]!.tensor()
            return layer
        case "Sequential":
            var generator = RandomGenerator(seed: 0)
            let model = Sequential<Scalar>.mlp(inputs: 4, hiddenSizes: [5], outputs: 3, generator: &generator)
            // Load PyTorch's values by name: this also checks the names match.
            var tensors: [String: SafeTensor] = [:]
            for (name, value) in fixture.parameters { tensors[name] = SafeTensor(try value.tensor(Scalar.self)) }
            try model.loadState(from: SafeTensorsArchive(tensors: tensors))
            return model
        default:
            throw LayerError("no Swift layer for fixture layer \(fixture.layer)")
        }
    }

    func check<Scalar: TensorScalar>(_ file: String, _ type: Scalar.Type, tolerance: Double) throws {
        let fixtures = try Fixtures.load(file, as: PyTorchFixtures.self)
        #expect(fixtures.layers.count >= 16)
        // The BatchNorm cases share one layer across steps, as the generator does.
        try checkLayerCases(
            fixtures.layers, Scalar.self, tolerance: tolerance, keepsLayer: { $0 == "batchnorm-train" },
            sharesLayer: { $0.hasPrefix("batchnorm-") && $0 != "batchnorm-train" && $0 != "batchnorm-rank3" },
            makeLayer: { try Self.makeLayer($0, Scalar.self) })
    }

    @Test func layersMatchPyTorchInDouble() throws {
        try check("pytorch_float64.json", Double.self, tolerance: 1e-10)
    }

    @Test func layersMatchPyTorchInFloat() throws {
        try check("pytorch_float32.json", Float.self, tolerance: 1e-5)
    }
}
