import DescentCore
import DescentKernels
import DescentNN

/// The compiled form of a convolution, pooling or reshape layer (``Conv2d``, ``MaxPool2d``,
/// ``AvgPool2d``, ``AdaptiveAvgPool2d``, ``Unflatten`` after the batch axis), with one sample's shape
/// after it; `nil` for any other layer. Without `sampleShape` only the structure is checked.
func spatialKind<Scalar: TensorScalar>(of layer: any Layer<Scalar>, index: Int, sampleShape: [Int]?) throws -> SpatialKind<Scalar>? {
    func image(_ name: String) throws -> (channels: Int, height: Int, width: Int) {
        guard let shape = sampleShape, shape.count == 3 else {
            throw CompiledStepError(.unsupportedModel, "CompiledStep: layer \(index) (\(name)) needs samples of shape [channels, height, width], got \(sampleShape.map { "\($0)" } ?? "no shape")")
        }
        return (shape[0], shape[1], shape[2])
    }
    func checked<G>(_ geometry: G, _ validate: (G) throws -> Void) throws -> G {
        do { try validate(geometry) } catch {
            throw CompiledStepError(.unsupportedModel, "CompiledStep: layer \(index): \(error)")
        }
        return geometry
    }
    switch layer {
    case let conv as Conv2d<Scalar>:
        let parameters = [conv.weight] + (conv.bias.map { [$0] } ?? [])
        guard sampleShape != nil else { return .structureOnly(parameters: parameters) }
        let input = try image("Conv2d")
        guard input.channels == conv.inChannels else {
            throw CompiledStepError(.unsupportedModel, "CompiledStep: layer \(index) is Conv2d with \(conv.inChannels) input channels but its samples have \(input.channels)")
        }
        let geometry = try checked(Convolution2DGeometry(
            batch: 1, inputChannels: input.channels, inputHeight: input.height, inputWidth: input.width,
            outputChannels: conv.outChannels, kernelHeight: conv.kernelSize.height, kernelWidth: conv.kernelSize.width,
            strideHeight: conv.stride.height, strideWidth: conv.stride.width, paddingHeight: conv.padding.height,
            paddingWidth: conv.padding.width, dilationHeight: conv.dilation.height, dilationWidth: conv.dilation.width,
            groups: conv.groups)) { try $0.validate() }
        return .compiled(.convolution(weight: conv.weight, bias: conv.bias, geometry: geometry), parameters: parameters,
                         outputShape: [geometry.outputChannels, geometry.outputHeight, geometry.outputWidth])
    case let pool as MaxPool2d<Scalar>:
        guard sampleShape != nil else { return .structureOnly(parameters: []) }
        let input = try image("MaxPool2d")
        let geometry = try checked(Pooling2DGeometry(
            batch: 1, channels: input.channels, inputHeight: input.height, inputWidth: input.width,
            kernelHeight: pool.kernelSize.height, kernelWidth: pool.kernelSize.width, strideHeight: pool.stride.height,
            strideWidth: pool.stride.width, paddingHeight: pool.padding.height, paddingWidth: pool.padding.width,
            dilationHeight: pool.dilation.height, dilationWidth: pool.dilation.width)) { try $0.validate() }
        return .compiled(.maxPool(geometry), parameters: [], outputShape: [input.channels, geometry.outputHeight, geometry.outputWidth])
    case let pool as AvgPool2d<Scalar>:
        guard sampleShape != nil else { return .structureOnly(parameters: []) }
        let input = try image("AvgPool2d")
        let geometry = try checked(Pooling2DGeometry(
            batch: 1, channels: input.channels, inputHeight: input.height, inputWidth: input.width,
            kernelHeight: pool.kernelSize.height, kernelWidth: pool.kernelSize.width, strideHeight: pool.stride.height,
            strideWidth: pool.stride.width, paddingHeight: pool.padding.height, paddingWidth: pool.padding.width)) { try $0.validate() }
        return .compiled(.averagePool(geometry), parameters: [], outputShape: [input.channels, geometry.outputHeight, geometry.outputWidth])
    case let pool as AdaptiveAvgPool2d<Scalar>:
        guard sampleShape != nil else { return .structureOnly(parameters: []) }
        let input = try image("AdaptiveAvgPool2d")
        let geometry = try checked(AdaptivePooling2DGeometry(
            batch: 1, channels: input.channels, inputHeight: input.height, inputWidth: input.width,
            outputHeight: pool.outputSize.height, outputWidth: pool.outputSize.width)) { try $0.validate() }
        return .compiled(.adaptiveAveragePool(geometry), parameters: [], outputShape: [input.channels, geometry.outputHeight, geometry.outputWidth])
    case let unflatten as Unflatten<Scalar>:
        // The data stays where it is: only the sample's shape changes (the axis after the batch).
        guard unflatten.axis == 1 || (unflatten.axis == -1 && sampleShape?.count == 1) else {
            throw CompiledStepError(.unsupportedModel, "CompiledStep: layer \(index) is Unflatten(axis: \(unflatten.axis)); only axis 1 (the first after the batch) is compiled")
        }
        guard let sampleShape else { return .reshape(nil) }
        return .reshape(unflatten.shape + sampleShape.dropFirst())
    default:
        return nil
    }
}
