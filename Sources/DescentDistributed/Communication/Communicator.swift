import DescentCore

/// The collective operations a data-parallel run needs, over a fixed group of processes
/// (ranks `0..<size`). Every rank must call the same collectives in the same order with the same
/// counts; a call returns once every rank has made it.
///
/// ``MPICommunicator`` runs them over MPI; ``SingleProcessCommunicator`` is the group of one (every
/// operation leaves the data as it is), which the unit tests and plain runs use.
/// - PyTorch: `torch.distributed.ProcessGroup` (`broadcast`, `all_reduce`, `all_gather`, `barrier`).
public protocol Communicator: AnyObject, Sendable {
    /// This process's rank, `0..<size`.
    var rank: Int { get }
    /// The number of processes.
    var size: Int { get }
    /// Copies rank `root`'s `buffer` into every other rank's (`MPI_Bcast`).
    func broadcast<Scalar: TensorScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>, root: Int) throws
    /// Replaces `buffer` on every rank by the element-wise sum over the ranks (`MPI_Allreduce`, `MPI_SUM`,
    /// in place). Every rank gets the same bits.
    func allReduceSum<Scalar: TensorScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>) throws
    /// Starts ``allReduceSum(_:)`` on `buffer` and returns at once (`MPI_Iallreduce`); the buffer must
    /// stay alive and untouched until ``PendingReduction/wait()`` returns.
    func startAllReduceSum<Scalar: TensorScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>) throws -> PendingReduction
    /// Every rank's `bytes`, in rank order (`MPI_Allgather`); every rank must give the same count.
    func allGather(_ bytes: [UInt8]) throws -> [[UInt8]]
    /// Returns once every rank has called it (`MPI_Barrier`).
    func barrier() throws
    /// Ends every rank of the group at once with `code` (`MPI_Abort`), after `message` on standard error.
    func abort(_ message: String, code: Int32) -> Never
}

/// An all-reduce started by ``Communicator/startAllReduceSum(_:)``.
public protocol PendingReduction: AnyObject {
    /// Returns once the sum is in the buffer (`MPI_Wait`).
    func wait() throws
}

extension Communicator {
    /// `allReduceSum` on one value.
    public func sum(_ value: Double) throws -> Double {
        var copy = value
        try withUnsafeMutablePointer(to: &copy) { try allReduceSum(UnsafeMutableBufferPointer(start: $0, count: 1)) }
        return copy
    }
}
