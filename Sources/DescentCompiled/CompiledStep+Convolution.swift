import DescentCore
import DescentKernels
import DescentNN

/// Convolutions and pooling in the compiled step: the very kernels the eager ops call
/// (``Convolution2D`` and ``Pooling2D`` of DescentKernels), in the same order, on the step's
/// preallocated buffers, so the step gives the eager step's bits. Each operation's geometry is fixed
/// when the step is built (its `batch` is set to the rows of each call); its workspace is allocated
/// once for `maximumBatchSize` rows (the Float kernels' workspace does not depend on the thread count).
extension CompiledStep {
    /// The geometry of the convolution at `index` for `rows` samples.
    @inline(__always)
    func convolutionGeometry(_ template: Convolution2DGeometry, rows: Int) -> Convolution2DGeometry {
        var geometry = template
        geometry.batch = rows
        return geometry
    }

    /// `y = conv(x, W) + b` into the operation's output; `epilogue` `.relu` applies the ReLU that
    /// follows (the bits of the convolution then the ReLU).
    func convolutionForward(index: Int, x: UnsafePointer<Scalar>, rows: Int, epilogue: GEMM.Epilogue) {
        guard case let .convolution(weight, bias, template) = operations[index].kind else { return }
        let g = convolutionGeometry(template, rows: rows)
        let output = operations[index].output, workspace = operations[index].workspace!
        if Scalar.self == Float.self {
            Convolution2D.forward(g, input: cast(x, Float.self), weight: cast(weight.valuePointer(), Float.self),
                                  bias: bias.map { cast($0.valuePointer(), Float.self) }, output: castMutable(output, Float.self),
                                  workspace: castMutable(workspace, Float.self), epilogue: epilogue)
        } else {
            Convolution2D.forward(g, input: cast(x, Double.self), weight: cast(weight.valuePointer(), Double.self),
                                  bias: bias.map { cast($0.valuePointer(), Double.self) }, output: castMutable(output, Double.self),
                                  workspace: castMutable(workspace, Double.self))
            if epilogue == .relu { Scalar.applyUnary(.relu, output, output, count: g.outputCount) }
        }
    }

    /// The backward step of the convolution at `index`: the input gradient into `spare` (when a
    /// trainable operation lies below, from the weights before any update), then the weight and bias
    /// gradients into the step's gradient tensors (set, or added when accumulating), then, in a fused
    /// step, the optimizer's update of each by name.
    func convolutionBackward(index: Int, first: Int, x: UnsafePointer<Scalar>, g dy: UnsafeMutablePointer<Scalar>,
                             spare: UnsafeMutablePointer<Scalar>, rows: Int, accumulate: Bool,
                             updater: (any CompiledStepUpdater)?) throws {
        guard case let .convolution(weight, bias, template) = operations[index].kind else { return }
        let geometry = convolutionGeometry(template, rows: rows)
        let workspace = operations[index].workspace!
        if index > first {
            if Scalar.self == Float.self {
                Convolution2D.inputGradient(geometry, outputGradient: cast(dy, Float.self), weight: cast(weight.valuePointer(), Float.self),
                                            inputGradient: castMutable(spare, Float.self), workspace: castMutable(workspace, Float.self))
            } else {
                Convolution2D.inputGradient(geometry, outputGradient: cast(dy, Double.self), weight: cast(weight.valuePointer(), Double.self),
                                            inputGradient: castMutable(spare, Double.self), workspace: castMutable(workspace, Double.self))
            }
        }
        let trainsWeight = !weight.isFrozen, trainsBias = bias.map { !$0.isFrozen } ?? false
        guard trainsWeight || trainsBias else { return }
        // The kernel writes both gradients: into the step's tensors, or into scratch when they are
        // added to existing gradients afterwards (as backward() adds).
        let (weightTarget, weightBeta) = gradientTarget(operations[index].weightGradient!, of: weight, accumulate: accumulate,
                                                        assigns: updater == nil && trainsWeight)
        var biasTarget: (UnsafeMutablePointer<Scalar>, Scalar)? = nil
        if let bias, let owned = operations[index].biasGradient {
            biasTarget = gradientTarget(owned, of: bias, accumulate: accumulate, assigns: updater == nil && trainsBias)
        }
        let weightOut = weightBeta == 0 ? weightTarget : operations[index].weightScratch!
        let biasOut = biasTarget.map { $0.1 == 0 ? $0.0 : operations[index].biasScratch! }
        if Scalar.self == Float.self {
            Convolution2D.parameterGradients(geometry, input: cast(x, Float.self), outputGradient: cast(dy, Float.self),
                                             weightGradient: castMutable(weightOut, Float.self),
                                             biasGradient: biasOut.map { castMutable($0, Float.self) },
                                             workspace: castMutable(workspace, Float.self))
        } else {
            Convolution2D.parameterGradients(geometry, input: cast(x, Double.self), outputGradient: cast(dy, Double.self),
                                             weightGradient: castMutable(weightOut, Double.self),
                                             biasGradient: biasOut.map { castMutable($0, Double.self) },
                                             workspace: castMutable(workspace, Double.self))
        }
        if weightBeta != 0 {
            Scalar.applyBinary(.add, weightTarget, lhsStride: 1, weightOut, rhsStride: 1, weightTarget, count: geometry.weightCount)
        }
        if let (target, beta) = biasTarget, beta != 0, let biasOut {
            Scalar.applyBinary(.add, target, lhsStride: 1, biasOut, rhsStride: 1, target, count: geometry.outputChannels)
        }
        guard let updater else { return }
        if trainsWeight {
            let p = weight.uniqueStoragePointer()
            try updater.update(name: operations[index].weightName, value: UnsafeMutableRawPointer(p),
                               gradient: UnsafeRawPointer(weightTarget), count: geometry.weightCount)
        }
        if let bias, trainsBias, let (target, _) = biasTarget {
            let p = bias.uniqueStoragePointer()
            try updater.update(name: operations[index].biasName, value: UnsafeMutableRawPointer(p),
                               gradient: UnsafeRawPointer(target), count: geometry.outputChannels)
        }
    }

    /// A pooling operation's forward pass into its output (max pooling also writes its indices).
    func poolingForward(index: Int, x: UnsafePointer<Scalar>, rows: Int) {
        let output = operations[index].output
        switch operations[index].kind {
        case var .maxPool(g):
            g.batch = rows
            let indices = operations[index].indices!
            if Scalar.self == Float.self {
                Pooling2D.maxForward(g, input: cast(x, Float.self), output: castMutable(output, Float.self), indices: indices)
            } else {
                Pooling2D.maxForward(g, input: cast(x, Double.self), output: castMutable(output, Double.self), indices: indices)
            }
        case var .averagePool(g):
            g.batch = rows
            if Scalar.self == Float.self {
                Pooling2D.averageForward(g, input: cast(x, Float.self), output: castMutable(output, Float.self))
            } else {
                Pooling2D.averageForward(g, input: cast(x, Double.self), output: castMutable(output, Double.self))
            }
        case var .adaptiveAveragePool(g):
            g.batch = rows
            if Scalar.self == Float.self {
                Pooling2D.adaptiveAverageForward(g, input: cast(x, Float.self), output: castMutable(output, Float.self))
            } else {
                Pooling2D.adaptiveAverageForward(g, input: cast(x, Double.self), output: castMutable(output, Double.self))
            }
        default: break
        }
    }

    /// A pooling operation's input gradient from `dy` into `dx`.
    func poolingBackward(index: Int, dy: UnsafePointer<Scalar>, dx: UnsafeMutablePointer<Scalar>, rows: Int) {
        switch operations[index].kind {
        case var .maxPool(g):
            g.batch = rows
            let indices = UnsafePointer(operations[index].indices!)
            if Scalar.self == Float.self {
                Pooling2D.maxInputGradient(g, outputGradient: cast(dy, Float.self), indices: indices, inputGradient: castMutable(dx, Float.self))
            } else {
                Pooling2D.maxInputGradient(g, outputGradient: cast(dy, Double.self), indices: indices, inputGradient: castMutable(dx, Double.self))
            }
        case var .averagePool(g):
            g.batch = rows
            if Scalar.self == Float.self {
                Pooling2D.averageInputGradient(g, outputGradient: cast(dy, Float.self), inputGradient: castMutable(dx, Float.self))
            } else {
                Pooling2D.averageInputGradient(g, outputGradient: cast(dy, Double.self), inputGradient: castMutable(dx, Double.self))
            }
        case var .adaptiveAveragePool(g):
            g.batch = rows
            if Scalar.self == Float.self {
                Pooling2D.adaptiveAverageInputGradient(g, outputGradient: cast(dy, Float.self), inputGradient: castMutable(dx, Float.self))
            } else {
                Pooling2D.adaptiveAverageInputGradient(g, outputGradient: cast(dy, Double.self), inputGradient: castMutable(dx, Double.self))
            }
        default: break
        }
    }
}
