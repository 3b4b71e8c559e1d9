import DescentCore
import DescentKernels
import DescentNN

/// Why a ``CompiledStep`` could not be built or run.
///
/// Building throws ``Kind-swift.enum/unsupportedModel`` or ``Kind-swift.enum/unsupportedLoss``
/// for anything the compiled path does not cover; callers such as a trainer catch it and fall
/// back to the autodiff path (`model.forward`, `loss`, `backward()`), which supports everything.
public struct CompiledStepError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// A layer (or the model's own type) has no compiled form.
        case unsupportedModel
        /// The loss, or one of its options, has no compiled form.
        case unsupportedLoss
        /// A batch does not fit the plan (too many rows, wrong feature count, wrong targets).
        case invalidBatch
    }

    /// What went wrong.
    public var kind: Kind
    /// What was wrong and what to do about it.
    public var message: String

    /// An error of `kind` with `message`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
