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
        var batchNorm: (any Layer<Scalar>)? = nil
        for fixture in fixtures.layers {
            let layer: any Layer<Scalar>
            if fixture.name.hasPrefix("batchnorm-"), fixture.name != "batchnorm-train", fixture.name != "batchnorm-rank3", let shared = batchNorm {
                layer = shared
            } else {
                layer = try Self.makeLayer(fixture, Scalar.self)
                if fixture.name == "batchnorm-train" { batchNorm = layer }
            }
            let x: Tensor<Scalar> = try fixture.input.tensor().requiringGradient()
            let output = try layer.forward(x, context: fixture.mode == "training" ? .training : .evaluation)
            expectClose(output, fixture.output, tolerance: tolerance, "\(fixture.name) output")
            try (output * fixture.upstream.tensor()).sum().backward()
            expectClose(x.gradient, fixture.inputGradient, tolerance: tolerance, "\(fixture.name) input gradient")
            let named = Dictionary(uniqueKeysWithValues: layer.namedParameters().map { ($0.name, $0.parameter) })
            #expect(Set(named.keys) == Set(fixture.parameterGradients.keys), "\(fixture.name) parameter names")
            for (name, expected) in fixture.parameterGradients {
                expectClose(named[name]?.gradient, expected, tolerance: tolerance, "\(fixture.name) ∂/∂\(name)")
            }
            let buffers = Dictionary(uniqueKeysWithValues: layer.namedBuffers().map { ($0.name, $0.buffer) })
            #expect(Set(buffers.keys) == Set(fixture.buffersAfter.keys), "\(fixture.name) buffer names")
            for (name, expected) in fixture.buffersAfter {
                expectClose(buffers[name]?.value, expected, tolerance: tolerance, "\(fixture.name) buffer \(name)")
            }
            layer.zeroGradients()
        }
    }

    @Test func layersMatchPyTorchInDouble() throws {
        try check("pytorch_float64.json", Double.self, tolerance: 1e-10)
    }

    @Test func layersMatchPyTorchInFloat() throws {
        try check("pytorch_float32.json", Float.self, tolerance: 1e-5)
    }
}
