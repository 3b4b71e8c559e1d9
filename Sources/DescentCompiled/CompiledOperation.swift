import DescentCore
import DescentKernels
import DescentNN

/// One step of a compiled forward pass, with the buffer its output is written to.
///
/// The list is made once from the model's layers (``compiledOperations(of:)``); ``Flatten``
/// and nested ``Sequential``s disappear (the data is already one row per sample), everything else
/// maps to one of three cases.
enum CompiledOperationKind<Scalar: TensorScalar> {
    /// `y = x·Wᵀ + b` (``Linear``): bias copied into the rows, then one GEMM with `beta = 1`,
    /// exactly as ``Tensor/linear(_:weight:bias:)`` does it.
    case linear(weight: Parameter<Scalar>, bias: Parameter<Scalar>?)
    /// An elementwise activation, computed by the same kernel as the autodiff path.
    case activation(UnaryOperation)
    /// Inverted dropout; the layer's own generator draws the mask as ``Dropout`` does.
    case dropout(Dropout<Scalar>)
    /// A 2-D convolution over NCHW samples (``Conv2d``) by ``Convolution2D``; the geometry's `batch`
    /// is 1 here and set to the rows of each call.
    case convolution(weight: Parameter<Scalar>, bias: Parameter<Scalar>?, geometry: Convolution2DGeometry)
    /// Max pooling (``MaxPool2d``) by ``Pooling2D``, with the argmax indices kept for the backward pass.
    case maxPool(Pooling2DGeometry)
    /// Average pooling (``AvgPool2d``, `count_include_pad` true).
    case averagePool(Pooling2DGeometry)
    /// Adaptive average pooling (``AdaptiveAvgPool2d``).
    case adaptiveAveragePool(AdaptivePooling2DGeometry)
}

/// A compiled operation: what it computes, its widths and its preallocated buffers.
struct CompiledOperation<Scalar: TensorScalar> {
    var kind: CompiledOperationKind<Scalar>
    /// Values per sample going in and coming out.
    var inputWidth: Int
    var outputWidth: Int
    /// `maximumBatchSize × outputWidth` scalars for the output (never aliasing the input).
    var output: UnsafeMutablePointer<Scalar>
    /// Dropout's mask (`0` or `1/(1 − p)` per element); `nil` for other operations.
    var mask: UnsafeMutablePointer<Scalar>?
    /// For ``Linear``: the weight and bias gradients, allocated once and handed to the parameters.
    var weightGradient: Tensor<Scalar>?
    var biasGradient: Tensor<Scalar>?
    /// For ``Linear``: the weight's and the bias's names in the step's ``CompiledStep/parameters``
    /// (the names the optimizer keeps their state under).
    var weightName = ""
    var biasName = ""
    /// For ``Linear`` in a fused step: a copy of the gradient at the output, kept for the
    /// deferred weight update.
    var outputGradient: UnsafeMutablePointer<Scalar>?
    /// For a bias when gradients accumulate: this batch's bias gradient before it is added.
    var biasScratch: UnsafeMutablePointer<Scalar>?
    /// For a convolution when gradients accumulate: this batch's weight gradient before it is added.
    var weightScratch: UnsafeMutablePointer<Scalar>?
    /// For a convolution: the kernels' workspace, sized for the step's largest batch.
    var workspace: UnsafeMutablePointer<Scalar>?
    /// For max pooling: the argmax of each output (`maximumBatchSize × outputWidth`).
    var indices: UnsafeMutablePointer<Int>?

    /// `true` if the operation has a parameter that is not frozen.
    var hasTrainableParameters: Bool {
        switch kind {
        case let .linear(weight, bias), let .convolution(weight, bias, _):
            return !weight.isFrozen || bias.map { !$0.isFrozen } ?? false
        default:
            return false
        }
    }
}

/// Allocates `count` scalars aligned to a cache line (uninitialised).
func allocateBuffer<Scalar>(_ count: Int) -> UnsafeMutablePointer<Scalar> {
    UnsafeMutableRawPointer.allocate(byteCount: Swift.max(count, 1) * MemoryLayout<Scalar>.stride, alignment: 64)
        .bindMemory(to: Scalar.self, capacity: Swift.max(count, 1))
}

/// The layers of `model` as a flat list, or an explanation of what is not supported.
func flattenedLayers<Scalar: TensorScalar>(_ model: any Layer<Scalar>) throws -> [any Layer<Scalar>] {
    if let sequential = model as? Sequential<Scalar> {
        var layers: [any Layer<Scalar>] = []
        for layer in sequential.layers { layers += try flattenedLayers(layer) }
        return layers
    }
    return [model]
}

/// The compiled kinds of `model`'s layers (without buffers) and the output width of each, or a
/// ``CompiledStepError`` naming the first unsupported layer.
///
/// `sampleShape` is one sample's shape (`[c, h, w]` for images); convolutions and pooling need it
/// to fix their geometry. Without it (``CompiledStep/unsupportedReason(model:loss:)``, which knows
/// no data) only the structure is checked: a convolution or pooling layer is accepted, and its sizes
/// are checked when the step is built for the first batch.
func compiledKinds<Scalar: TensorScalar>(of model: any Layer<Scalar>, sampleShape: [Int]? = nil) throws -> (kinds: [CompiledOperationKind<Scalar>], widths: [Int]) {
    let layers = try flattenedLayers(model)
    var kinds: [CompiledOperationKind<Scalar>] = []
    // The width is unknown until the first Linear fixes it (or the sample shape gives it);
    // elementwise layers keep it.
    var width: Int? = sampleShape.map { $0.reduce(1, *) }
    // One sample's shape while it is known (convolutions and pooling need [c, h, w]).
    var shape: [Int]? = sampleShape
    var structureOnly = false  // set after a spatial layer seen without a sample shape
    var widths: [Int] = []  // output width of each kind; filled once the first Linear is seen
    var pendingElementwise = 0
    // The layer that first used each parameter. A parameter used twice (one Linear in two places,
    // or tied weights) gets the sum of both uses' gradients from autodiff; the compiled step keeps
    // one gradient buffer per use, so it refuses such a model rather than train it differently.
    var firstUse: [ObjectIdentifier: Int] = [:]
    func recordUse(_ parameters: [Parameter<Scalar>], _ index: Int) throws {
        for parameter in parameters {
            if let earlier = firstUse.updateValue(index, forKey: ObjectIdentifier(parameter)) {
                throw CompiledStepError(.unsupportedModel, "CompiledStep: layer \(index) uses the same parameters as layer \(earlier) (one Linear in two places, or tied weights); autodiff sums the two uses' gradients and the compiled step does not, so this model trains on the plain loop")
            }
        }
    }
    for (index, layer) in layers.enumerated() {
        if let spatial = try spatialKind(of: layer, index: index, sampleShape: structureOnly ? nil : shape) {
            switch spatial {
            case let .structureOnly(parameters):
                try recordUse(parameters, index)
                structureOnly = true
                if let width { widths.append(width) } else { pendingElementwise += 1 }
            case let .compiled(kind, parameters, outputShape):
                try recordUse(parameters, index)
                kinds.append(kind)
                shape = outputShape
                let outWidth = outputShape.reduce(1, *)
                if width == nil { widths = Array(repeating: outWidth, count: pendingElementwise) }
                width = outWidth
                widths.append(outWidth)
            case let .reshape(outputShape):
                if let width, !structureOnly, let outputShape, outputShape.reduce(1, *) != width {
                    throw CompiledStepError(.unsupportedModel, "CompiledStep: layer \(index) (\(type(of: layer))) reshapes \(width) values per sample to \(outputShape)")
                }
                shape = outputShape ?? width.map { [$0] }
            }
            continue
        }
        if structureOnly {
            // Sizes are unknown after a spatial layer: the structure alone is checked.
            switch layer {
            case let linear as Linear<Scalar>:
                try recordUse([linear.weight] + (linear.bias.map { [$0] } ?? []), index)
                kinds.append(.linear(weight: linear.weight, bias: linear.bias))
                width = linear.outFeatures
                widths.append(linear.outFeatures)
                continue
            default: break
            }
        }
        switch layer {
        case let linear as Linear<Scalar>:
            if let width, width != linear.inFeatures {
                throw CompiledStepError(.unsupportedModel, "CompiledStep: layer \(index) is Linear(\(linear.inFeatures) → \(linear.outFeatures)) but the layer before it gives \(width) values per sample")
            }
            try recordUse([linear.weight] + (linear.bias.map { [$0] } ?? []), index)
            if width == nil { widths = Array(repeating: linear.inFeatures, count: pendingElementwise) }
            kinds.append(.linear(weight: linear.weight, bias: linear.bias))
            width = linear.outFeatures
            shape = [linear.outFeatures]
            widths.append(linear.outFeatures)
            continue
        case is ReLU<Scalar>: kinds.append(.activation(.relu))
        case let leaky as LeakyReLU<Scalar>: kinds.append(.activation(.leakyReLU(leaky.negativeSlope)))
        case is Tanh<Scalar>: kinds.append(.activation(.tanh))
        case is Sigmoid<Scalar>: kinds.append(.activation(.sigmoid))
        case is GELU<Scalar>: kinds.append(.activation(.gelu))
        case let dropout as Dropout<Scalar>: kinds.append(.dropout(dropout))
        case let flatten as Flatten<Scalar>:
            // Samples arrive as rows already; only flattening after the batch axis is a no-op.
            guard flatten.startAxis == 1 else {
                throw CompiledStepError(.unsupportedModel, "CompiledStep: layer \(index) is Flatten(startAxis: \(flatten.startAxis)); only startAxis 1 (keep the batch axis) is compiled")
            }
            shape = width.map { [$0] }
            continue
        default:
            throw CompiledStepError(.unsupportedModel, "CompiledStep: layer \(index) (\(type(of: layer))) has no compiled form; supported: Linear, Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, ReLU, LeakyReLU, Tanh, Sigmoid, GELU, Dropout, Flatten, Unflatten, nested Sequential (use the autodiff path for this model)")
        }
        if let width { widths.append(width) } else { pendingElementwise += 1 }
    }
    guard width != nil, kinds.contains(where: \.hasParameters) else {
        throw CompiledStepError(.unsupportedModel, "CompiledStep: the model has no Linear or Conv2d layer, so there is nothing to train")
    }
    return (kinds, widths)
}

/// What ``spatialKind(of:index:sampleShape:)`` makes of a layer.
enum SpatialKind<Scalar: TensorScalar> {
    /// A convolution or pooling layer seen without a sample shape (its parameters, for the
    /// one-use check).
    case structureOnly(parameters: [Parameter<Scalar>])
    /// A compiled operation and one sample's shape after it.
    case compiled(CompiledOperationKind<Scalar>, parameters: [Parameter<Scalar>], outputShape: [Int])
    /// A reshape (``Unflatten``): no operation, the sample's new shape (`nil` if unknown).
    case reshape([Int]?)
}

extension CompiledOperationKind {
    /// Whether the kind is a convolution or a pooling (it needs the sample shape).
    var isSpatial: Bool {
        switch self {
        case .convolution, .maxPool, .averagePool, .adaptiveAveragePool: true
        default: false
        }
    }

    /// Whether the kind has parameters (a Linear or a convolution).
    var hasParameters: Bool {
        switch self {
        case .linear, .convolution: true
        default: false
        }
    }
}
