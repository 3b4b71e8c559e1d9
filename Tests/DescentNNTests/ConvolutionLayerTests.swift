import Testing
@testable import DescentNN
import DescentCore

/// What the convolutional layers do beyond their numbers (which `PyTorchConvolutionTests` pins):
/// shapes, PyTorch's state names and defaults, `print(model)`, channel dropout, and hostile sizes,
/// which must be errors, never traps.
@Suite struct ConvolutionLayerTests {
    @Test func conv2dHasPyTorchsShapesNamesAndInitialisation() throws {
        var generator = RandomGenerator(seed: 3)
        let layer = try Conv2d<Double>(4, 6, kernelSize: Size2D(height: 3, width: 2), groups: 2, generator: &generator)
        #expect(layer.weight.shape == [6, 2, 3, 2] && layer.bias?.shape == [6])
        #expect(layer.namedParameters().map(\.name) == ["weight", "bias"])
        // PyTorch's default: U(±1/√fanIn), fanIn = (4/2)·3·2 = 12.
        let bound = 1 / 12.0.squareRoot()
        #expect(layer.weight.value.scalars.allSatisfy { Swift.abs($0) <= bound })
        #expect(layer.weight.value.scalars.map(Swift.abs).max()! > bound * 0.8)
        #expect(layer.description == "Conv2d(4, 6, kernelSize: 3×2, stride: 1, groups: 2)")
        let y = try layer(Tensor(zeros: [2, 4, 5, 5]), mode: .training)
        #expect(y.shape == [2, 6, 3, 4])
    }

    @Test func hostileLayerSizesAreErrors() {
        var generator = RandomGenerator(seed: 0)
        #expect(throws: LayerError.self) { try Conv2d<Float>(0, 4, kernelSize: 3, generator: &generator) }
        #expect(throws: LayerError.self) { try Conv2d<Float>(3, 4, kernelSize: 3, stride: 0, generator: &generator) }
        #expect(throws: LayerError.self) { try Conv2d<Float>(3, 4, kernelSize: 3, groups: 2, generator: &generator) }
        #expect(throws: LayerError.self) { try Conv2d<Float>(3, 4, kernelSize: 3, padding: Size2D(-1), generator: &generator) }
        #expect(throws: LayerError.self) { try Conv2d<Float>(1 << 40, 1 << 40, kernelSize: 3, generator: &generator) }
        #expect(throws: LayerError.self) { try Dropout2d<Float>(probability: 2, generator: &generator) }
        #expect(throws: LayerError.self) { try Unflatten<Float>(shape: [0, 3]) }
        #expect(throws: LayerError.self) { try Unflatten<Float>(shape: [Int.max, 2]) }
    }

    @Test func inputsThatDoNotFitAreErrorsNamingTheLayer() throws {
        var generator = RandomGenerator(seed: 0)
        let model = Sequential<Float> {
            try! Conv2d<Float>(1, 2, kernelSize: 5, generator: &generator)
            MaxPool2d<Float>(kernelSize: 2)
        }
        #expect { try model(Tensor(zeros: [1, 1, 3, 3]), mode: .training) } throws: { "\($0)".contains("layer 0") && "\($0)".contains("does not fit the input") }
        #expect { try model(Tensor(zeros: [1, 2, 8, 8]), mode: .training) } throws: { "\($0)".contains("[batch, 1, height, width]") }
        #expect { try model(Tensor(zeros: [1, 1, 5, 5]), mode: .training) } throws: { "\($0)".contains("layer 1") }
        #expect(throws: LayerError.self) { try BatchNorm2d<Float>(2)(Tensor(zeros: [1, 2, 1, 1]), mode: .training) }
        #expect(throws: LayerError.self) { try Unflatten<Float>(shape: [2, 3])(Tensor(zeros: [4, 5]), mode: .training) }
    }

    @Test func dropout2dKeepsOrDropsWholeChannels() throws {
        var generator = RandomGenerator(seed: 11)
        let layer = try Dropout2d<Double>(probability: 0.5, generator: &generator)
        let x = Tensor<Double>(ones: [8, 16, 3, 3])
        let y = try layer(x, mode: .training)
        var kept = 0
        for plane in 0..<(8 * 16) {
            let values = Set(y.scalars[(plane * 9)..<(plane * 9 + 9)])
            #expect(values == [0] || values == [2], "plane \(plane): \(values)")  // 1/(1 − p) = 2
            if values == [2] { kept += 1 }
        }
        #expect(kept > 32 && kept < 96)  // 128 channels at p = 0.5
        #expect(try layer(x, mode: .evaluation).scalars == x.scalars)
        #expect(layer.description == "Dropout2d(probability: 0.5)")
    }

    @Test func batchNorm2dUsesPyTorchsStateNames() {
        let layer = BatchNorm2d<Float>(3)
        #expect(layer.namedBuffers().map(\.name) == ["running_mean", "running_var", "num_batches_tracked"])
        #expect(layer.namedBuffers().last?.buffer.kind == .integer)
        #expect(layer.description == "BatchNorm2d(3, epsilon: 1e-05, momentum: 0.1, affine: true)")
    }

    @Test func aConvolutionalModelPrintsAsPyTorchNestsIt() throws {
        var generator = RandomGenerator(seed: 0)
        let spec = try ModelSpec(parsing: "layers(conv2d(4, 3, padding: 1, bias: false), batchnorm, relu, avgpool2d(2), dropout2d(0.25), adaptiveavgpool2d(1), flatten, linear)")
        let model: Sequential<Float> = try spec.makeModel(inputShape: [3, 8, 8], outputs: 2, generator: &generator)
        #expect(layerDescription(model) == """
            Sequential<Float>(
              (0): Conv2d(3, 4, kernelSize: 3, stride: 1, padding: 1, bias: false)
              (1): BatchNorm2d(4, epsilon: 1e-05, momentum: 0.1, affine: true)
              (2): ReLU()
              (3): AvgPool2d(kernelSize: 2, stride: 2, padding: 0)
              (4): Dropout2d(probability: 0.25)
              (5): AdaptiveAvgPool2d(outputSize: 1)
              (6): Flatten(startAxis: 1)
              (7): Linear(inFeatures: 4, outFeatures: 2, bias: true)
            )
            """)
        #expect(try Unflatten<Float>(shape: [1, 28, 28]).description == "Unflatten(axis: 1, shape: [1, 28, 28])")
    }

    @Test func aConvolutionalModelPassesItsOwnGradientCheck() throws {
        // ModelGradientCheck (what `descent gradcheck` runs) on a conv model in Double.
        var generator = RandomGenerator(seed: 5)
        let spec = try ModelSpec(parsing: "layers(conv2d(3, 3, padding: 1), tanh, avgpool2d(2), conv2d(4, 2), flatten, linear)")
        let model: Sequential<Double> = try spec.makeModel(inputShape: [2, 6, 6], outputs: 3, generator: &generator)
        let x = Tensor<Double>.normal(shape: [2, 2, 6, 6], generator: &generator)
        let check = try model.checkGradients(input: x, targets: Tensor([0, 2]), loss: CrossEntropyLoss(), stepSize: 1e-6)
        #expect(check.parameters.map(\.name) == ["0.weight", "0.bias", "3.weight", "3.bias", "5.weight", "5.bias"])
        for result in check.parameters { #expect(result.maxRelativeError < 1e-5, "\(result.name): \(result.maxRelativeError)") }
    }
}

extension ConvolutionLayerTests {
    @Test func channelDropoutDrawsTheSameMasksInEveryGradientCheckEvaluation() throws {
        var generator = RandomGenerator(seed: 9)
        let spec = try ModelSpec(parsing: "layers(conv2d(4, 3), dropout2d(0.5), flatten, linear)")
        let model: Sequential<Double> = try spec.makeModel(inputShape: [1, 5, 5], outputs: 2, generator: &generator)
        let x = Tensor<Double>.normal(shape: [3, 1, 5, 5], generator: &generator)
        let check = try model.checkGradients(input: x, targets: Tensor([0, 1, 1]), loss: CrossEntropyLoss(), stepSize: 1e-6)
        for result in check.parameters { #expect(result.maxRelativeError < 1e-5, "\(result.name): \(result.maxRelativeError)") }
    }
}
