import Foundation
import DescentCore
import DescentKernels

extension ModelSpec {
    /// LeNet-5 as the issue and the common PyTorch tutorials write it (LeCun et al. 1998, with ReLU
    /// and max pooling): `conv2d(6, 5, padding: 2), relu, maxpool2d(2), conv2d(16, 5), relu,
    /// maxpool2d(2), flatten, linear(120), relu, linear(84), relu, linear` (the last to the classes).
    /// On 1×28×28 images the flattened size is 16·5·5 = 400.
    public static func lenet5Layers(bias: Bool = true) -> [LayerSpec] {
        [
            .conv2d(outChannels: 6, kernelSize: 5, stride: 1, padding: 2, dilation: 1, groups: 1, bias: bias),
            .activation(.relu), .maxPool2d(kernelSize: 2, stride: 2, padding: 0, dilation: 1),
            .conv2d(outChannels: 16, kernelSize: 5, stride: 1, padding: 0, dilation: 1, groups: 1, bias: bias),
            .activation(.relu), .maxPool2d(kernelSize: 2, stride: 2, padding: 0, dilation: 1),
            .flatten, .linear(outFeatures: 120, bias: bias), .activation(.relu),
            .linear(outFeatures: 84, bias: bias), .activation(.relu), .linear(outFeatures: nil, bias: bias),
        ]
    }

    /// `cnn(c₁, …, c_k)`: for each channel count a `conv2d(c, 3, padding: 1)` (then `batchnorm`
    /// when asked) and `relu`, with `maxpool2d(2)` between blocks; then global average pooling,
    /// `flatten` and `linear` to the classes. `cnn(32, 64, 128)` is the compute-bound CNN of issue 17
    /// (conv 3×3 32 → pool → conv 3×3 64 → pool → conv 3×3 128 → global average pool → linear).
    public static func cnnLayers(channels: [Int], batchNorm: Bool = false, bias: Bool = true) -> [LayerSpec] {
        var layers: [LayerSpec] = []
        for (index, count) in channels.enumerated() {
            if index > 0 { layers.append(.maxPool2d(kernelSize: 2, stride: 2, padding: 0, dilation: 1)) }
            layers.append(.conv2d(outChannels: count, kernelSize: 3, stride: 1, padding: 1, dilation: 1, groups: 1, bias: bias && !batchNorm))
            if batchNorm { layers.append(.batchNorm(epsilon: 1e-5, momentum: 0.1)) }
            layers.append(.activation(.relu))
        }
        return layers + [.adaptiveAvgPool2d(outputSize: 1), .flatten, .linear(outFeatures: nil, bias: bias)]
    }

    /// The layers of a `layers(…)`, `lenet5` or `cnn(…)` spec; `nil` for the other models.
    public var layerSpecs: [LayerSpec]? {
        if case .layers(let layers) = kind { return layers }
        return nil
    }

    /// Whether the model takes images (`[c, h, w]` per sample) rather than rows: its first layer
    /// that cares is a convolution, a pooling or a channel dropout. The data must then keep its
    /// image shape (IDX, `.npy`, or `--input-shape` for CSV columns).
    public var needsImageInput: Bool {
        for layer in layerSpecs ?? [] {
            switch layer {
            case .conv2d, .maxPool2d, .avgPool2d, .adaptiveAvgPool2d, .dropout2d: return true
            case .linear, .unflatten, .flatten: return false
            case .batchNorm, .dropout, .activation: continue
            }
        }
        return false
    }

    /// Each layer's output shape per sample (without the batch axis), inferred from `inputShape`
    /// (`[c, h, w]` for images, `[features]` for rows) for a model with `outputs` outputs.
    ///
    /// For `linear`, `logistic`, `softmax` and `mlp` the input must be one axis and the result is
    /// each `Linear`'s output width.
    /// - Throws: `SpecError` naming the layer (its position and spec) and what does not fit: a
    ///   convolution on rows, a kernel larger than its padded input, channels that the groups do not
    ///   divide, a `linear` on images without `flatten`, a size of the last layer other than `outputs`.
    public func layerShapes(inputShape: [Int], outputs: Int) throws -> [[Int]] {
        try plannedLayers(inputShape: inputShape, outputs: outputs).map(\.outputShape)
    }

    /// ``validate(inputs:outputs:)`` for a per-sample input shape: every size at least 1 and every
    /// layer fitting the one before (``layerShapes(inputShape:outputs:)``).
    /// - Throws: `SpecError` saying what does not fit and how to fix it.
    public func validate(inputShape: [Int], outputs: Int) throws {
        _ = try plannedLayers(inputShape: inputShape, outputs: outputs)
    }

    /// The values a model of this spec holds for `inputShape` and `outputs`: weights, biases, and
    /// batch normalisation's scale, shift and two running statistics per channel; `nil` when the
    /// layers do not fit the shape.
    public func parameterCount(inputShape: [Int], outputs: Int) -> Int? {
        guard layerSpecs != nil else {
            guard inputShape.count == 1 else { return nil }
            return parameterCount(inputs: inputShape[0], outputs: outputs)
        }
        guard let planned = try? plannedLayers(inputShape: inputShape, outputs: outputs) else { return nil }
        var total = 0
        for layer in planned {
            let (sum, overflow) = total.addingReportingOverflow(layer.parameterCount)
            guard !overflow else { return nil }
            total = sum
        }
        return total
    }

    /// ``checkFits(inputs:outputs:bytesPerScalar:memoryLimit:)`` for a per-sample input shape.
    /// - Throws: `SpecError` when the layers do not fit the shape or the model exceeds `memoryLimit`.
    public func checkFits(inputShape: [Int], outputs: Int, bytesPerScalar: Int, memoryLimit: Int) throws {
        try validate(inputShape: inputShape, outputs: outputs)
        let shape = inputShape.map(String.init).joined(separator: "×")
        try checkMemory(parameterCount: parameterCount(inputShape: inputShape, outputs: outputs),
                        sizes: "input shape \(shape) and \(outputs) output\(outputs == 1 ? "" : "s")",
                        bytesPerScalar: bytesPerScalar, memoryLimit: memoryLimit)
    }

    /// A freshly initialised model for samples of `inputShape` and `outputs` outputs, layer by layer
    /// in order (so the same seed gives the same model). Convolution and linear weights use the
    /// spec's initialiser, their biases ``Initializer/matchingBiasInitializer``.
    /// - Throws: `SpecError` when the layers do not fit the shape (see ``layerShapes(inputShape:outputs:)``).
    public func makeModel<Scalar: TensorScalar>(inputShape: [Int], outputs: Int, generator: inout RandomGenerator) throws -> Sequential<Scalar> {
        guard layerSpecs != nil else {
            try validate(inputShape: inputShape, outputs: outputs)
            return makeModel(inputs: inputShape[0], outputs: outputs, generator: &generator)
        }
        let planned = try plannedLayers(inputShape: inputShape, outputs: outputs)
        var layers: [any Layer<Scalar>] = []
        for entry in planned {
            do {
                layers.append(try entry.makeLayer(initializer: initializer, generator: &generator))
            } catch let error as LayerError {
                throw SpecError("model \(spec): layer \(entry.index) `\(entry.spec)`: \(error.message)")
            }
        }
        return Sequential(layers: layers)
    }

    /// The layers with their input and output shapes.
    func plannedLayers(inputShape: [Int], outputs: Int) throws -> [PlannedLayer] {
        let shapeText = inputShape.map(String.init).joined(separator: "×")
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 >= 1 }) else {
            throw SpecError("model \(spec) needs an input shape of sizes ≥ 1, but the data gives [\(inputShape.map(String.init).joined(separator: ", "))]; "
                            + "check that the file's columns are split as intended (the delimiter, the header) and the image shape (--input-shape)")
        }
        guard outputs >= 1 else {
            throw SpecError("model \(spec) needs at least 1 output, but \(outputs) were asked for; check the target column (a classification target needs at least one class)")
        }
        guard let layers = layerSpecs else {
            guard inputShape.count == 1 else {
                throw SpecError("model \(spec) takes rows of features, but the data gives samples of shape \(shapeText); use a `layers(…)` model with `flatten` first, or `cnn`/`lenet5` for images")
            }
            try validate(inputs: inputShape[0], outputs: outputs)
            return []
        }
        let lastLinear = layers.lastIndex { if case .linear = $0 { return true } else { return false } }
        var shape = inputShape
        var planned: [PlannedLayer] = []
        for (index, layer) in layers.enumerated() {
            func fail(_ what: String) -> SpecError {
                SpecError("model \(spec): layer \(index) `\(layer)` gets samples of shape \(shape.map(String.init).joined(separator: "×")): \(what)")
            }
            func needsImages() -> SpecError {
                fail("it needs images [channels, height, width]"
                     + (index == 0 ? "; give the data's image shape (--input-shape 1x28x28 for CSV pixel columns), or read IDX/.npy images that keep their shape" : ""))
            }
            var parameters = 0
            let output: [Int]
            switch layer {
            case let .conv2d(out, kernel, stride, padding, dilation, groups, bias):
                guard shape.count == 3 else { throw needsImages() }
                let geometry = Convolution2DGeometry(
                    batch: 1, inputChannels: shape[0], inputHeight: shape[1], inputWidth: shape[2], outputChannels: out,
                    kernelHeight: kernel.height, kernelWidth: kernel.width, strideHeight: stride.height, strideWidth: stride.width,
                    paddingHeight: padding.height, paddingWidth: padding.width, dilationHeight: dilation.height, dilationWidth: dilation.width,
                    groups: groups)
                do { try geometry.validate() } catch { throw fail(error.message) }
                output = [out, geometry.outputHeight, geometry.outputWidth]
                parameters = geometry.weightCount + (bias ? out : 0)
            case let .maxPool2d(kernel, stride, padding, dilation):
                guard shape.count == 3 else { throw needsImages() }
                output = try pooled(shape, kernel: kernel, stride: stride, padding: padding, dilation: dilation, fail: fail)
            case let .avgPool2d(kernel, stride, padding):
                guard shape.count == 3 else { throw needsImages() }
                output = try pooled(shape, kernel: kernel, stride: stride, padding: padding, dilation: 1, fail: fail)
            case let .adaptiveAvgPool2d(size):
                guard shape.count == 3 else { throw needsImages() }
                let geometry = AdaptivePooling2DGeometry(batch: 1, channels: shape[0], inputHeight: shape[1], inputWidth: shape[2],
                                                         outputHeight: size.height, outputWidth: size.width)
                do { try geometry.validate() } catch { throw fail(error.message) }
                output = [shape[0], size.height, size.width]
            case .batchNorm:
                guard shape.count == 3 || shape.count == 1 else { throw fail("batch normalisation takes images [c, h, w] or rows [features]") }
                output = shape
                parameters = 4 * shape[0]
            case .dropout2d:
                guard shape.count == 3 else { throw needsImages() }
                output = shape
            case .dropout, .activation:
                output = shape
            case .flatten:
                var product = 1
                for size in shape {
                    let (next, overflow) = product.multipliedReportingOverflow(by: size)
                    guard !overflow else { throw fail("the flattened size overflows") }
                    product = next
                }
                output = [product]
            case let .unflatten(newShape):
                guard shape.count == 1, newShape.reduce(1, { $0.multipliedReportingOverflow(by: $1).partialValue }) == shape[0] else {
                    throw fail("unflatten needs rows of \(newShape.map(String.init).joined(separator: "·")) values")
                }
                output = newShape
            case let .linear(out, bias):
                guard shape.count == 1 else { throw fail("`linear` takes rows; put `flatten` before it") }
                guard let width = out ?? (index == lastLinear ? outputs : nil) else {
                    throw fail("only the last `linear` may leave out its size (it gets the outputs); write `linear(n)`")
                }
                output = [width]
                let (weights, o1) = shape[0].multipliedReportingOverflow(by: width)
                let (total, o2) = weights.addingReportingOverflow(bias ? width : 0)
                guard !o1, !o2 else { throw fail("the weight has more elements than memory can address") }
                parameters = total
            }
            planned.append(PlannedLayer(index: index, spec: layer, inputShape: shape, outputShape: output, parameterCount: parameters))
            shape = output
        }
        guard shape == [outputs] else {
            throw SpecError("model \(spec) gives samples of shape \(shape.map(String.init).joined(separator: "×")), but the data needs \(outputs) output\(outputs == 1 ? "" : "s") per sample; "
                            + (shape.count == 1 ? "end the model with `linear` (its size is then the outputs)" : "end the model with `flatten, linear`"))
        }
        return planned
    }

    private func pooled(
        _ shape: [Int], kernel: Size2D, stride: Size2D, padding: Size2D, dilation: Size2D, fail: (String) -> SpecError
    ) throws -> [Int] {
        let geometry = Pooling2DGeometry(
            batch: 1, channels: shape[0], inputHeight: shape[1], inputWidth: shape[2], kernelHeight: kernel.height, kernelWidth: kernel.width,
            strideHeight: stride.height, strideWidth: stride.width, paddingHeight: padding.height, paddingWidth: padding.width,
            dilationHeight: dilation.height, dilationWidth: dilation.width)
        do { try geometry.validate() } catch { throw fail(error.message) }
        return [shape[0], geometry.outputHeight, geometry.outputWidth]
    }
}

/// One layer of a spec with the shapes shape inference gave it.
struct PlannedLayer {
    var index: Int
    var spec: LayerSpec
    var inputShape: [Int]
    var outputShape: [Int]
    var parameterCount: Int

    func makeLayer<Scalar: TensorScalar>(initializer: Initializer, generator: inout RandomGenerator) throws -> any Layer<Scalar> {
        let biasInitializer = initializer.matchingBiasInitializer
        switch spec {
        case let .conv2d(out, kernel, stride, padding, dilation, groups, bias):
            return try Conv2d<Scalar>(inputShape[0], out, kernelSize: kernel, stride: stride, padding: padding, dilation: dilation,
                                      groups: groups, bias: bias, weightInitializer: initializer, biasInitializer: biasInitializer, generator: &generator)
        case let .maxPool2d(kernel, stride, padding, dilation):
            return MaxPool2d<Scalar>(kernelSize: kernel, stride: stride, padding: padding, dilation: dilation)
        case let .avgPool2d(kernel, stride, padding):
            return AvgPool2d<Scalar>(kernelSize: kernel, stride: stride, padding: padding)
        case let .adaptiveAvgPool2d(size):
            return AdaptiveAvgPool2d<Scalar>(outputSize: size)
        case let .batchNorm(epsilon, momentum):
            return inputShape.count == 3
                ? BatchNorm2d<Scalar>(inputShape[0], epsilon: epsilon, momentum: momentum)
                : BatchNorm1d<Scalar>(inputShape[0], epsilon: epsilon, momentum: momentum)
        case let .dropout(p):
            return Dropout<Scalar>(probability: p, generator: &generator)
        case let .dropout2d(p):
            return try Dropout2d<Scalar>(probability: p, generator: &generator)
        case .flatten:
            return Flatten<Scalar>()
        case let .unflatten(shape):
            return try Unflatten<Scalar>(axis: 1, shape: shape)
        case let .linear(_, bias):
            return Linear<Scalar>(inputShape[0], outputShape[0], bias: bias, weightInitializer: initializer,
                                  biasInitializer: biasInitializer, generator: &generator)
        case let .activation(activation):
            return activation.makeLayer()
        }
    }
}

extension ModelSpec {
    /// Reads a per-sample shape written as `1x28x28` (or `1×28×28`, `3,32,32`): one to three whole
    /// numbers from 1 to 2²⁴, channels first, as `--input-shape` takes it.
    /// - Throws: `SpecError` saying what is wrong and giving an example.
    public static func inputShape(parsing text: String) throws -> [Int] {
        let parts = text.split(whereSeparator: { "x×X,".contains($0) }).map { $0.trimmingCharacters(in: .whitespaces) }
        guard (1...3).contains(parts.count), parts.count == text.split(omittingEmptySubsequences: false, whereSeparator: { "x×X,".contains($0) }).count else {
            throw SpecError("input shape `\(text)`: write channels×height×width as whole numbers separated by `x`, for example 1x28x28 or 3x32x32")
        }
        return try parts.map { part in
            guard let size = Int(part), size >= 1, size <= LayerSpec.maximumSize else {
                throw SpecError("input shape `\(text)`: `\(part)` must be a whole number from 1 to \(LayerSpec.maximumSize) (for example 1x28x28)")
            }
            return size
        }
    }
}
