#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DescentCore

/// The group of one process: rank 0 of 1. Broadcasts and sums leave the data as it is.
///
/// What a plain run and the unit tests of the data-parallel code use in place of MPI.
/// - PyTorch: a process group of `world_size=1`.
public final class SingleProcessCommunicator: Communicator {
    /// A group of one.
    public init() {}
    /// `0`.
    public var rank: Int { 0 }
    /// `1`.
    public var size: Int { 1 }
    /// Nothing to do.
    public func broadcast<Scalar: TensorScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>, root: Int) throws {}
    /// Nothing to do: the sum over one rank.
    public func allReduceSum<Scalar: TensorScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>) throws {}
    /// Already done.
    public func startAllReduceSum<Scalar: TensorScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>) throws -> PendingReduction {
        CompletedReduction()
    }
    /// `[bytes]`.
    public func allGather(_ bytes: [UInt8]) throws -> [[UInt8]] { [bytes] }
    /// Nothing to wait for.
    public func barrier() throws {}
    /// Prints `message` and exits with `code`.
    public func abort(_ message: String, code: Int32) -> Never {
        writeToStandardError(message)
        exit(code)
    }
}

/// A reduction that has already finished.
final class CompletedReduction: PendingReduction {
    func wait() throws {}
}
