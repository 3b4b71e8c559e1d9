import CDescentCompiled
import CDescentKernels
import DescentCore
import DescentKernels
import DescentNN

/// The first layer's outputs for the next sample, computed by a fused step's weight update.
///
/// A batch-1 step reads the first layer's weights twice: in the forward pass, and in the update
/// at the end of the backward pass. When the caller says which sample comes next, the update of
/// each row also takes that row's dot product with the next sample (``OuterProductUpdate/applyComputingOutputs(to:u:x:rows:columns:nextInput:bias:outputs:instructionSet:)``),
/// and the next forward pass starts from these outputs. They are used only if nothing that
/// went into them changed in between: the same features storage, the weight's and the bias's
/// ``Parameter/version``, the instruction set and the floating-point control word; any other
/// forward pass (``CompiledStep/predict(_:)``, an evaluation, a different sample) discards them.
struct FirstLayerLookahead<Scalar: TensorScalar> {
    /// The sample they were computed for (kept alive, so its storage cannot be reused).
    var features: Tensor<Scalar>
    var weightVersion: UInt64
    var biasVersion: UInt64?
    var instructionSet: Int32
    var floatingPointControl: UInt32
}

extension CompiledStep {
    /// Whether the first layer's output buffer already holds its output for `features` (one row).
    func lookaheadIsValid(for features: Tensor<Scalar>, rows: Int) -> Bool {
        guard let lookahead, rows == 1, lookahead.features.storage === features.storage,
              case let .linear(weight, bias) = operations[0].kind,
              weight.version == lookahead.weightVersion, bias?.version == lookahead.biasVersion,
              descent_isa_current() == lookahead.instructionSet,
              descent_fp_control() == lookahead.floatingPointControl
        else { return false }
        return true
    }

    /// Whether a fused step may compute the first layer's outputs for `next` in its update: Float,
    /// one row of the model's width, a first operation that is a ``Linear`` whose weight update
    /// has an outer-product form, and AVX2 or better.
    func canLookAhead(to next: Tensor<Scalar>?) -> Bool {
        guard let next, Scalar.self == Float.self, next.rank >= 1, next.shape[0] == 1, next.scalarCount == inputWidth,
              case .linear = operations[0].kind, GEMM.instructionSet >= .avx2
        else { return false }
        return true
    }

    /// Records that the first layer's output buffer holds the outputs for `next`, computed from
    /// the parameters as they are now.
    func recordLookahead(for next: Tensor<Scalar>) {
        guard case let .linear(weight, bias) = operations[0].kind else { return }
        lookahead = FirstLayerLookahead(features: next, weightVersion: weight.version, biasVersion: bias?.version,
                                        instructionSet: descent_isa_current(), floatingPointControl: descent_fp_control())
    }
}
