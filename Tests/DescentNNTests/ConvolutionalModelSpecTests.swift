import Foundation
import Testing
@testable import DescentNN
import DescentCore

/// `layers(…)`, `lenet5` and `cnn(…)` specs: parsing, shape inference (sizes by PyTorch's
/// formula, worked out by hand in each comment), the models they build, and hostile specs, which
/// must be errors that say what is wrong, never traps.
@Suite struct ConvolutionalModelSpecTests {
    @Test func theIssueExampleParsesAndInfersEveryShape() throws {
        var generator = RandomGenerator(seed: 7)
        let spec = try ModelSpec(parsing: "layers(conv2d(32, 3, padding: 1), relu, maxpool2d(2), conv2d(64, 3), relu, flatten, linear(128), relu, linear)")
        // 1×28×28 → conv pad 1: 32×28×28 → pool: 32×14×14 → conv 3: 64×12×12 → flatten 9216 → 128 → 10.
        let shapes = try spec.layerShapes(inputShape: [1, 28, 28], outputs: 10)
        #expect(shapes == [[32, 28, 28], [32, 28, 28], [32, 14, 14], [64, 12, 12], [64, 12, 12], [9216], [128], [128], [10]])
        let model: Sequential<Float> = try spec.makeModel(inputShape: [1, 28, 28], outputs: 10, generator: &generator)
        let y = try model(Tensor(zeros: [2, 1, 28, 28]), mode: .evaluation)
        #expect(y.shape == [2, 10])
        // Parameters: 32·9 + 32, 64·32·9 + 64, 9216·128 + 128, 128·10 + 10.
        let expected = 1_199_882  // 320 + 18_496 + 1_179_776 + 1_290
        #expect(spec.parameterCount(inputShape: [1, 28, 28], outputs: 10) == expected)
        let counts: [Int] = model.namedParameters().map { $0.parameter.value.scalarCount }
        #expect(counts.reduce(0, +) == expected)
    }


    @Test func lenet5IsTheClassicStackWithPyTorchNames() throws {
        var generator = RandomGenerator(seed: 7)
        let spec = try ModelSpec(parsing: "lenet5")
        #expect(spec.needsImageInput && spec.suggestedLossName == "cross-entropy")
        // 1×28×28 → 6×28×28 → 6×14×14 → 16×10×10 → 16×5×5 → 400 → 120 → 84 → 10.
        let shapes = try spec.layerShapes(inputShape: [1, 28, 28], outputs: 10)
        #expect(shapes.map { $0 } == [[6, 28, 28], [6, 28, 28], [6, 14, 14], [16, 10, 10], [16, 10, 10], [16, 5, 5], [400], [120], [120], [84], [84], [10]])
        let model: Sequential<Float> = try spec.makeModel(inputShape: [1, 28, 28], outputs: 10, generator: &generator)
        #expect(model.namedParameters().map(\.name) == ["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias", "11.weight", "11.bias"])
        #expect(model.namedParameters()[0].parameter.value.shape == [6, 1, 5, 5])
        // 156 + 2416 + 48120 + 10164 + 850 = 61706 (LeNet-5's well-known parameter count for 10 classes).
        #expect(spec.parameterCount(inputShape: [1, 28, 28], outputs: 10) == 61_706)
        #expect(layerDescription(model).contains("(0): Conv2d(1, 6, kernelSize: 5, stride: 1, padding: 2)"))
        #expect(layerDescription(model).contains("(2): MaxPool2d(kernelSize: 2, stride: 2, padding: 0, dilation: 1)"))
    }

    @Test func cnnIsConvolutionBlocksThenGlobalAveragePooling() throws {
        var generator = RandomGenerator(seed: 7)
        let spec = try ModelSpec(parsing: "cnn(32, 64, 128)")
        // 3×32×32 → 32×32×32 → pool 32×16×16 → 64×16×16 → pool 64×8×8 → 128×8×8 → GAP 128×1×1 → 128 → 10.
        let shapes = try spec.layerShapes(inputShape: [3, 32, 32], outputs: 10)
        #expect(shapes.last == [10] && shapes.contains([128, 1, 1]) && shapes.contains([64, 8, 8]))
        #expect(spec.layerSpecs?.map(\.description) == [
            "conv2d(32, 3, padding: 1)", "relu", "maxpool2d(2)", "conv2d(64, 3, padding: 1)", "relu", "maxpool2d(2)",
            "conv2d(128, 3, padding: 1)", "relu", "adaptiveavgpool2d(1)", "flatten", "linear",
        ])
        let normalized = try ModelSpec(parsing: "cnn(16, batchNorm: true)")
        #expect(normalized.layerSpecs?.contains(.batchNorm(epsilon: 1e-5, momentum: 0.1)) == true)
        let model: Sequential<Double> = try normalized.makeModel(inputShape: [1, 8, 8], outputs: 3, generator: &generator)
        #expect(model.layers[1] is BatchNorm2d<Double>)
    }

    @Test func twoLinearLayersWithNothingBetweenThem() throws {
        var generator = RandomGenerator(seed: 7)
        let spec = try ModelSpec(parsing: "layers(linear(16), linear)")
        #expect(!spec.needsImageInput)
        let model: Sequential<Float> = spec.makeModel(inputs: 4, outputs: 3, generator: &generator)
        #expect(model.count == 2 && model.layers.allSatisfy { $0 is Linear<Float> })
        #expect(model.namedParameters().map(\.parameter.value.shape) == [[16, 4], [16], [3, 16], [3]])
        try spec.checkFits(inputs: 4, outputs: 3, bytesPerScalar: 4, memoryLimit: 1 << 30)
    }

    @Test func flatPixelRowsBecomeImagesWithUnflatten() throws {
        var generator = RandomGenerator(seed: 7)
        let spec = try ModelSpec(parsing: "layers(unflatten(1, 28, 28), conv2d(4, 3), relu, flatten, linear)")
        let model: Sequential<Float> = try spec.makeModel(inputShape: [784], outputs: 10, generator: &generator)
        #expect(try model(Tensor(zeros: [3, 784]), mode: .evaluation).shape == [3, 10])
    }

    @Test func everyLayerNameRoundTripsThroughItsDescription() throws {
        var generator = RandomGenerator(seed: 7)
        let text = "layers(conv2d(8, [3, 2], stride: 2, padding: [1, 0], dilation: 2, groups: 2, bias: false), batchnorm, leaky-relu(0.2), "
            + "dropout2d(0.1), avgpool2d(2, stride: 1), maxpool2d(3, padding: 1, dilation: 2), adaptiveavgpool2d([2, 3]), flatten, "
            + "dropout(0.3), linear(5), gelu, batchnorm, tanh, sigmoid, linear)"
        let spec = try ModelSpec(parsing: text)
        let again = try ModelSpec(parsing: "layers(" + spec.layerSpecs!.map(\.description).joined(separator: ", ") + ")")
        #expect(again.layerSpecs == spec.layerSpecs)
        let model: Sequential<Double> = try spec.makeModel(inputShape: [2, 17, 15], outputs: 4, generator: &generator)
        #expect(model.layers[1] is BatchNorm2d<Double> && model.layers[11] is BatchNorm1d<Double>)
        #expect(try model(Tensor.normal(shape: [3, 2, 17, 15], generator: &generator), mode: .training).shape == [3, 4])
    }

    @Test(arguments: [
        ("layers(conv2d(0, 3), flatten, linear)", "from 1 to"),
        ("layers(conv2d(99999999999, 3), flatten, linear)", "from 1 to"),
        ("layers(conv2d(8, 3, stride: 0), flatten, linear)", "stride"),
        ("layers(conv2d(8, 0), flatten, linear)", "kernel"),
        ("layers(conv2d(8, 3, padding: -1), flatten, linear)", "padding"),
        ("layers(conv2d(8), flatten, linear)", "give the output channels and the kernel size"),
        ("layers(conv2d(8, 3, groups: 0), flatten, linear)", "groups"),
        ("layers(maxpool2d(2, padding: 2), flatten, linear)", "at most half the window"),
        ("layers(conv2d(8, 3, wat: 1), flatten, linear)", "unknown key `wat`"),
        ("layers(conv3d(8, 3), flatten, linear)", "unknown layer `conv3d`"),
        ("layers()", "give at least one layer"),
        ("layers(dropout(1.5), linear)", "probability"),
        ("layers(42, linear)", "is not a layer"),
        ("cnn(0)", "channel counts"),
        ("cnn()", "channel counts"),
        ("cnn(32, kernel: 5)", "unknown key `kernel`"),
        ("lenet5(3)", "unlabelled"),
    ]) func hostileSpecsAreClearErrors(_ text: String, _ fragment: String) {
        do {
            _ = try ModelSpec(parsing: text)
            Issue.record("\(text) was accepted")
        } catch {
            #expect("\(error)".contains(fragment), "\(text): \(error)")
        }
    }

    @Test(arguments: [
        ("layers(conv2d(8, 9), flatten, linear)", [1, 8, 8], "does not fit the input"),
        ("layers(conv2d(8, 3, groups: 3), flatten, linear)", [2, 8, 8], "groups (3) must divide"),
        ("layers(conv2d(8, 3), linear)", [1, 8, 8], "put `flatten` before it"),
        ("layers(conv2d(8, 3), flatten, linear)", [64], "--input-shape"),
        ("lenet5", [1, 8, 8], "does not fit"),
        ("layers(linear, linear)", [4], "only the last `linear`"),
        ("layers(conv2d(8, 3), relu)", [1, 8, 8], "end the model with `flatten, linear`"),
        ("layers(linear(3), relu)", [4], "end the model with `linear`"),
        ("layers(conv2d(8, 3), flatten, linear)", [1, 0, 8], "sizes ≥ 1"),
        ("layers(conv2d(16777216, 16777216), flatten, linear)", [16777216, 16777216, 16777216], "memory"),
        ("layers(unflatten(3, 3), flatten, linear)", [10], "unflatten needs rows of 3·3 values"),
    ]) func shapesThatDoNotFitAreClearErrors(_ text: String, _ shape: [Int], _ fragment: String) throws {
        let spec = try ModelSpec(parsing: text)
        do {
            try spec.checkFits(inputShape: shape, outputs: 10, bytesPerScalar: 4, memoryLimit: 1 << 30)
            Issue.record("\(text) on \(shape) was accepted")
        } catch {
            #expect("\(error)".contains(fragment), "\(text) on \(shape): \(error)")
        }
    }

    @Test func theFlatFormsReportConvolutionsOnRows() {
        // `descent train` calls checkFits(inputs:) with the column count of flat data.
        #expect(throws: SpecError.self) {
            try ModelSpec(parsing: "lenet5").checkFits(inputs: 784, outputs: 10, bytesPerScalar: 4, memoryLimit: 1 << 30)
        }
    }

    @Test func inputShapesParse() throws {
        #expect(try ModelSpec.inputShape(parsing: "1x28x28") == [1, 28, 28])
        #expect(try ModelSpec.inputShape(parsing: "3×32×32") == [3, 32, 32])
        for bad in ["", "1x", "0x28x28", "1x28x28x2", "ax2x2", "99999999999x1x1"] {
            #expect(throws: SpecError.self, "\(bad)") { try ModelSpec.inputShape(parsing: bad) }
        }
    }

    @Test func nestedSpecsParseAndPrint() throws {
        let spec = try Spec(parsing: "layers(conv2d(32, 3, padding: 1), relu, linear)")
        #expect(spec.arguments.count == 3)
        #expect(spec.arguments[0].value == .call(Spec(name: "conv2d", arguments: [
            .init(label: nil, value: .number(32)), .init(label: nil, value: .number(3)), .init(label: "padding", value: .number(1)),
        ])))
        #expect(spec.description == "layers(conv2d(32, 3, padding: 1), relu, linear)")
        // Deep nesting is refused instead of exhausting the stack.
        let deep = String(repeating: "a(", count: 10_000) + String(repeating: ")", count: 10_000)
        #expect(throws: SpecError.self) { try Spec(parsing: deep) }
    }
}
