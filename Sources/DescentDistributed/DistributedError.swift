/// A data-parallel run could not start or continue: MPI is missing, the ranks disagree, a
/// collective failed or timed out. The message says what, on which rank, and what to do.
public struct DistributedError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What went wrong and how to fix it.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `message` and a newline to standard error at once (`write(2)`: no buffer, so the line is
/// out before an abort ends the process).
func writeToStandardError(_ message: String) {
    var bytes = Array((message + "\n").utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }  // safe: non-empty
        guard written > 0 else { return }
        offset += written
    }
}
