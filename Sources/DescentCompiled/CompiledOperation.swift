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

    /// `true` if the operation has a parameter that is not frozen.
    var hasTrainableParameters: Bool {
        if case let .linear(weight, bias) = kind { return !weight.isFrozen || bias.map { !$0.isFrozen } ?? false }
        return false
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

/// The compiled kinds of `model`'s layers (without buffers) and the input width, or a
/// ``CompiledStepError`` naming the first unsupported layer.
func compiledKinds<Scalar: TensorScalar>(of model: any Layer<Scalar>) throws -> (kinds: [CompiledOperationKind<Scalar>], widths: [Int]) {
    let layers = try flattenedLayers(model)
    var kinds: [CompiledOperationKind<Scalar>] = []
    // The width is unknown until the first Linear fixes it; elementwise layers keep it.
    var width: Int? = nil
    var widths: [Int] = []  // output width of each kind; filled once the first Linear is seen
    var pendingElementwise = 0
    // The layer that first used each parameter. A parameter used twice (one Linear in two places,
    // or tied weights) gets the sum of both uses' gradients from autodiff; the compiled step keeps
    // one gradient buffer per use, so it refuses such a model rather than train it differently.
    var firstUse: [ObjectIdentifier: Int] = [:]
    for (index, layer) in layers.enumerated() {
        switch layer {
        case let linear as Linear<Scalar>:
            if let width, width != linear.inFeatures {
                throw CompiledStepError(.unsupportedModel, "CompiledStep: layer \(index) is Linear(\(linear.inFeatures) → \(linear.outFeatures)) but the layer before it gives \(width) values per sample")
            }
            for parameter in [linear.weight] + (linear.bias.map { [$0] } ?? []) {
                if let earlier = firstUse.updateValue(index, forKey: ObjectIdentifier(parameter)) {
                    throw CompiledStepError(.unsupportedModel, "CompiledStep: layer \(index) uses the same parameters as layer \(earlier) (one Linear in two places, or tied weights); autodiff sums the two uses' gradients and the compiled step does not, so this model trains on the plain loop")
                }
            }
            if width == nil { widths = Array(repeating: linear.inFeatures, count: pendingElementwise) }
            kinds.append(.linear(weight: linear.weight, bias: linear.bias))
            width = linear.outFeatures
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
            continue
        default:
            throw CompiledStepError(.unsupportedModel, "CompiledStep: layer \(index) (\(type(of: layer))) has no compiled form; supported: Linear, ReLU, LeakyReLU, Tanh, Sigmoid, GELU, Dropout, Flatten, nested Sequential (use the autodiff path for this model)")
        }
        if let width { widths.append(width) } else { pendingElementwise += 1 }
    }
    guard width != nil else {
        throw CompiledStepError(.unsupportedModel, "CompiledStep: the model has no Linear layer, so there is nothing to train")
    }
    return (kinds, widths)
}
