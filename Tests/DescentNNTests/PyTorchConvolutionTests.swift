import Foundation
import Testing
@testable import DescentNN
import DescentCore

/// The convolutional layers against PyTorch: outputs and the gradients of `sum(layer(x) · u)` for
/// the input and every parameter, and BatchNorm2d's buffers, written by
/// `scripts/fixtures/conv/generate.py` (torch 2.15), in float64 (normwise tolerance 1e-10) and
/// float32 (1e-5); and a LeNet-5 written by PyTorch with `safetensors.torch.save_file`, loaded by
/// name, giving PyTorch's eval-mode predictions.
@Suite struct PyTorchConvolutionTests {
    static func size(_ options: [String: Double], _ name: String, default value: Int) -> Size2D {
        Size2D(height: Int(options[name + "Height"] ?? Double(value)), width: Int(options[name + "Width"] ?? Double(value)))
    }

    static func makeLayer<Scalar: TensorScalar>(_ fixture: LayerFixture, _ type: Scalar.Type) throws -> any Layer<Scalar> {
        let o = fixture.options
        func parameter(_ name: String) throws -> Tensor<Scalar> { try #require(fixture.parameters[name], "\(name)").tensor() }
        switch fixture.layer {
        case "Conv2d":
            return try Conv2d<Scalar>(
                weight: parameter("weight"), bias: o["bias"] == 1 ? parameter("bias") : nil, stride: size(o, "stride", default: 1),
                padding: size(o, "padding", default: 0), dilation: size(o, "dilation", default: 1), groups: Int(o["groups"] ?? 1))
        case "MaxPool2d":
            return MaxPool2d<Scalar>(kernelSize: size(o, "kernel", default: 0), stride: size(o, "stride", default: 0),
                                     padding: size(o, "padding", default: 0), dilation: size(o, "dilation", default: 1))
        case "AvgPool2d":
            return AvgPool2d<Scalar>(kernelSize: size(o, "kernel", default: 0), stride: size(o, "stride", default: 0), padding: size(o, "padding", default: 0))
        case "AdaptiveAvgPool2d":
            return AdaptiveAvgPool2d<Scalar>(outputSize: size(o, "output", default: 0))
        case "BatchNorm2d":
            let momentum = o["momentum"] ?? 0.1
            let layer = BatchNorm2d<Scalar>(fixture.buffersBefore["running_mean"]!.shape[0], epsilon: o["epsilon"] ?? 1e-5, momentum: momentum < 0 ? nil : momentum)
            layer.weight!.value = try parameter("weight")
            layer.bias!.value = try parameter("bias")
            layer.runningMean.value = try fixture.buffersBefore["running_mean"]!.tensor()
            layer.runningVariance.value = try fixture.buffersBefore["running_var"]!.tensor()
            layer.batchesTracked.value = try fixture.buffersBefore["num_batches_tracked"]!.tensor()
            return layer
        case "Dropout2d":
            var generator = RandomGenerator(seed: 0)
            return try Dropout2d<Scalar>(probability: o["probability"] ?? 0.5, generator: &generator)
        case "Flatten": return Flatten<Scalar>()
        case "Unflatten": return try Unflatten<Scalar>(axis: 1, shape: [Int(o["size0"]!), Int(o["size1"]!), Int(o["size2"]!)])
        case "Sequential":
            var generator = RandomGenerator(seed: 0)
            let spec = try ModelSpec(parsing: "layers(conv2d(3, 3, padding: 1), relu, maxpool2d(2), conv2d(4, 3), relu, flatten, linear)")
            let model: Sequential<Scalar> = try spec.makeModel(inputShape: [1, 10, 10], outputs: 5, generator: &generator)
            // Load PyTorch's values by name: this also checks the names and shapes match.
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
        #expect(fixtures.layers.count >= 24)
        // The BatchNorm2d cases train one layer over two steps and then evaluate it, as the generator does.
        try checkLayerCases(
            fixtures.layers, Scalar.self, tolerance: tolerance, keepsLayer: { $0 == "batchnorm2d-train" },
            sharesLayer: { $0.hasPrefix("batchnorm2d-train-") || $0 == "batchnorm2d-eval" },
            makeLayer: { try Self.makeLayer($0, Scalar.self) })
    }

    @Test func layersMatchPyTorchInDouble() throws {
        try check("pytorch_conv_float64.json", Double.self, tolerance: 1e-10)
    }

    @Test func layersMatchPyTorchInFloat() throws {
        try check("pytorch_conv_float32.json", Float.self, tolerance: 1e-5)
    }

    struct LeNetFixture: Codable {
        var torch: String
        var keys: [String]
        var input: FixtureTensor
        var output: FixtureTensor
    }

    @Test func aLeNetWrittenByPyTorchLoadsAndPredictsAsPyTorch() throws {
        let fixture = try Fixtures.load("pytorch_lenet5.json", as: LeNetFixture.self)
        var generator = RandomGenerator(seed: 1)
        let model: Sequential<Float> = try ModelSpec(parsing: "lenet5").makeModel(inputShape: [1, 28, 28], outputs: 10, generator: &generator)
        #expect(model.namedParameters().map(\.name) == fixture.keys)
        try model.loadState(from: Fixtures.url("pytorch_lenet5.safetensors"))
        let y = try model(fixture.input.tensor(), mode: .evaluation)
        expectClose(y, fixture.output, tolerance: 1e-5, "LeNet-5 predictions")
        // Descent writes the same names and shapes back, so PyTorch's load_state_dict(strict=True) takes it.
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("descent-lenet-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.saveState(to: url)
        let again: Sequential<Float> = try ModelSpec(parsing: "lenet5").makeModel(inputShape: [1, 28, 28], outputs: 10, generator: &generator)
        try again.loadState(from: url)
        #expect(try again(fixture.input.tensor(), mode: .evaluation).scalars == y.scalars)
        let archive = try SafeTensorsArchive(contentsOf: url)
        #expect(archive.tensors["0.weight"]?.shape == [6, 1, 5, 5])
    }
}
