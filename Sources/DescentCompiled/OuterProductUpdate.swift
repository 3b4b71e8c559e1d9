import CDescentCompiled
import CDescentKernels
import DescentKernels
import DescentOptim

/// One optimizer update of a matrix parameter whose gradient is an outer product, ready to be
/// applied row by row without materialising the gradient.
///
/// In a training step on one sample, a linear layer's weight gradient is `∂W[i, j] = u[i]·x[j]`
/// (`u` the gradient at the layer's output, `x` its input). Writing that product and letting the
/// optimizer read it back streams the weights' size twice more than needed; an
/// `OuterProductUpdate` forms each `g = u[i]·x[j]` in a register and applies the optimizer's
/// per-element rule (an ``ElementwiseUpdate``) to it at once (AVX2 or AVX-512 when the CPU has
/// them). Every element gets the same operations in the same order as the optimizer's own loop,
/// so the parameters and the state are bit-identical to "write ∂W, then step".
///
/// The optimizer has advanced its state (step count, new buffers) for this update; the caller
/// must then ``apply(to:u:x:rows:columns:instructionSet:)`` it to every row exactly once, before
/// the optimizer is used again. Disjoint row ranges may be applied from different threads. It
/// points into the optimizer's state buffers: do not keep it across steps.
struct OuterProductUpdate: @unchecked Sendable {
    /// The rule, its constants and its state.
    let update: ElementwiseUpdate

    init(_ update: ElementwiseUpdate) { self.update = update }

    var rule: ElementwiseUpdate.Rule { update.rule }
    var firstState: UnsafeMutableRawPointer? { update.firstState }
    var secondState: UnsafeMutableRawPointer? { update.secondState }
    var constants: (Double, Double, Double, Double, Double, Double) { update.constants }

    /// Updates rows `rows` of the `columns`-wide Float parameter `p` (the whole parameter's base
    /// address) for the gradient `u[i]·x[j]`.
    /// - Parameter instructionSet: the code path. The default value is ``GEMM/instructionSet``
    ///   (tests pass each level; a level the CPU lacks runs the best supported one).
    func apply(to p: UnsafeMutablePointer<Float>, u: UnsafePointer<Float>, x: UnsafePointer<Float>,
                      rows: Range<Int>, columns: Int, instructionSet: GEMM.InstructionSet = GEMM.instructionSet) {
        guard !rows.isEmpty, columns > 0 else { return }
        let offset = rows.lowerBound * columns
        let c = constants
        descent_outer_update_f32(
            Int32(instructionSet.rawValue), rule.rawValue, p + offset, u + rows.lowerBound, x, rows.count, columns,
            firstState.map { $0.assumingMemoryBound(to: Float.self) + offset },
            secondState.map { $0.assumingMemoryBound(to: Float.self) + offset },
            Float(c.0), Float(c.1), Float(c.2), Float(c.3), Float(c.4), Float(c.5))
    }

    /// ``apply(to:u:x:rows:columns:instructionSet:)`` that also computes, from each updated row,
    /// the next sample's output of that row: `outputs[i] = bias[i] + Σⱼ W[i, j]·nextInput[j]`
    /// (no bias term when `bias` is `nil`) for `i` in `rows`, bit-identical to the batch-1 forward
    /// product ``GEMM`` computes at `instructionSet` over the copied bias (its `small_dot8` path).
    /// The weights are read once for both instead of again in the next forward pass.
    /// - Returns: `false`, with nothing done, below AVX2 (the caller updates and multiplies apart).
    func applyComputingOutputs(
        to p: UnsafeMutablePointer<Float>, u: UnsafePointer<Float>, x: UnsafePointer<Float>, rows: Range<Int>,
        columns: Int, nextInput: UnsafePointer<Float>, bias: UnsafePointer<Float>?, outputs: UnsafeMutablePointer<Float>,
        instructionSet: GEMM.InstructionSet = GEMM.instructionSet
    ) -> Bool {
        guard instructionSet >= .avx2, GEMM.supportedInstructionSet >= .avx2 else { return false }
        guard !rows.isEmpty, columns > 0 else { return true }
        let offset = rows.lowerBound * columns
        let c = constants
        return descent_outer_update_dot_f32(
            Int32(instructionSet.rawValue), rule.rawValue, p + offset, u + rows.lowerBound, x, rows.count, columns,
            firstState.map { $0.assumingMemoryBound(to: Float.self) + offset },
            secondState.map { $0.assumingMemoryBound(to: Float.self) + offset },
            Float(c.0), Float(c.1), Float(c.2), Float(c.3), Float(c.4), Float(c.5),
            nextInput, bias.map { $0 + rows.lowerBound }, outputs + rows.lowerBound) != 0
    }

    /// Double version of ``apply(to:u:x:rows:columns:instructionSet:)``.
    func apply(to p: UnsafeMutablePointer<Double>, u: UnsafePointer<Double>, x: UnsafePointer<Double>,
                      rows: Range<Int>, columns: Int, instructionSet: GEMM.InstructionSet = GEMM.instructionSet) {
        guard !rows.isEmpty, columns > 0 else { return }
        let offset = rows.lowerBound * columns
        let c = constants
        descent_outer_update_f64(
            Int32(instructionSet.rawValue), rule.rawValue, p + offset, u + rows.lowerBound, x, rows.count, columns,
            firstState.map { $0.assumingMemoryBound(to: Double.self) + offset },
            secondState.map { $0.assumingMemoryBound(to: Double.self) + offset },
            c.0, c.1, c.2, c.3, c.4, c.5)
    }
}
