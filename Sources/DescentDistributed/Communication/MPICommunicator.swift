#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DescentCore
import Foundation
import Synchronization

/// `MPI_COMM_WORLD` of the system's MPI library, loaded at run time (no build-time dependency; see
/// `MPILibrary`), with a watchdog around every collective.
///
/// - Start-up: `MPI_Init_thread` asking for `MPI_THREAD_MULTIPLE` (the watchdog may call
///   `MPI_Abort` from its own thread; with less it ends its own process instead, which the launcher
///   turns into the end of the job). Rank and size are checked against the launcher's variables.
/// - Faults: a collective that waits longer than ``collectiveTimeout`` means a peer rank died or
///   hung; the watchdog prints which collective and this rank, then aborts the job, so no rank
///   waits for ever. (Open MPI's `mpirun` itself ends every rank within about a second when one
///   exits abnormally or is killed, naming it; the watchdog covers launchers that do not.)
/// - PyTorch: `torch.distributed.init_process_group("mpi")` with its `timeout`.
public final class MPICommunicator: Communicator, @unchecked Sendable {  // the library is immutable; the watchdog state is a Mutex
    let library: MPILibrary
    /// This process's rank.
    public let rank: Int
    /// The number of processes.
    public let size: Int
    /// Whether MPI granted `MPI_THREAD_MULTIPLE`.
    public let isThreadMultiple: Bool
    /// Seconds a collective may wait for the other ranks before the run is aborted. The default
    /// value is ``defaultCollectiveTimeout``, or `DESCENT_COLLECTIVE_TIMEOUT` when set.
    public let collectiveTimeout: Double
    /// 120 seconds: longer than any step, evaluation or checkpoint snapshot of a healthy run.
    public static let defaultCollectiveTimeout = 120.0
    private let watch = Mutex<(name: String, deadline: UInt64)?>(nil)
    private let finalized = Atomic<Bool>(false)

    /// The library's version line (`Open MPI v4.1.4, …`).
    public var libraryDescription: String { library.versionText }

    /// Initialises MPI for the launch `launch` (from ``LaunchEnvironment/detect(_:)``).
    /// - Parameter collectiveTimeout: see ``collectiveTimeout``.
    /// - Throws: ``DistributedError`` when no MPI library loads, `MPI_Init_thread` fails, or MPI's
    ///   rank and size differ from the launcher's variables (a binary started under one MPI's
    ///   launcher and linked against another's library).
    public init(launch: LaunchEnvironment, collectiveTimeout: Double = MPICommunicator.defaultCollectiveTimeout) throws {
        let library = try MPILibrary.shared.get()
        self.library = library
        var already: Int32 = 0
        _ = library.initialized(&already)
        var provided: Int32 = 0
        if already == 0 {
            let code = library.initThread(nil, nil, MPILibrary.threadMultiple, &provided)
            guard code == 0 else { throw DistributedError("MPI_Init_thread failed with error code \(code) (\(library.versionText))") }
        } else {
            provided = MPILibrary.threadFunneled
        }
        var rank: Int32 = -1, size: Int32 = 0
        _ = library.commRank(library.commWorld, &rank)
        _ = library.commSize(library.commWorld, &size)
        self.rank = Int(rank)
        self.size = Int(size)
        isThreadMultiple = provided >= MPILibrary.threadMultiple
        self.collectiveTimeout = collectiveTimeout
        guard Int(size) == launch.worldSize, Int(rank) == launch.rank else {
            throw DistributedError("MPI (\(library.fileName), \(library.implementation.rawValue)) reports rank \(rank) of \(size), but the launcher "
                                   + "announced rank \(launch.rank) of \(launch.worldSize) (\(launch.source ?? "no variable")); the launcher "
                                   + "(mpirun/srun) and the loaded MPI library must come from the same MPI installation")
        }
        startWatchdog()
    }

    /// `MPI_Finalize`, once (later calls do nothing). Call it before a normal exit: Open MPI
    /// reports a process that exits without it as a failure.
    public func finalize() {
        guard !finalized.exchange(true, ordering: .sequentiallyConsistent) else { return }
        _ = library.finalize()
    }

    private func datatype<Scalar: TensorScalar>(_: Scalar.Type) -> MPILibrary.Handle {
        Scalar.self == Float.self ? library.float : library.double
    }

    /// Runs the MPI call `body` under the watchdog; a non-zero result is an error naming `name`.
    private func guarded(_ name: String, _ body: () -> Int32) throws {
        let deadline = Self.now() &+ UInt64(collectiveTimeout * 1e9)
        watch.withLock { $0 = (name, deadline) }
        let code = body()
        watch.withLock { $0 = nil }
        guard code == 0 else { throw DistributedError("rank \(rank): \(name) failed with MPI error code \(code)") }
    }

    private func count(_ n: Int, _ name: String) throws -> Int32 {
        guard let value = Int32(exactly: n) else { throw DistributedError("rank \(rank): \(name) of \(n) elements is more than MPI's int count allows") }
        return value
    }

    public func broadcast<Scalar: TensorScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>, root: Int) throws {
        guard buffer.count > 0 else { return }
        let n = try count(buffer.count, "MPI_Bcast")
        let type = datatype(Scalar.self)
        try guarded("MPI_Bcast") { library.broadcast(buffer.baseAddress, n, type, Int32(root), library.commWorld) }
    }

    public func allReduceSum<Scalar: TensorScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>) throws {
        guard buffer.count > 0 else { return }
        let n = try count(buffer.count, "MPI_Allreduce")
        let type = datatype(Scalar.self)
        try guarded("MPI_Allreduce") {
            library.allReduce(UnsafeRawPointer(library.inPlace), buffer.baseAddress, n, type, library.sum, library.commWorld)
        }
    }

    public func startAllReduceSum<Scalar: TensorScalar>(_ buffer: UnsafeMutableBufferPointer<Scalar>) throws -> PendingReduction {
        guard buffer.count > 0 else { return CompletedReduction() }
        let n = try count(buffer.count, "MPI_Iallreduce")
        let request = MPIRequest(communicator: self)
        let code = library.startAllReduce(UnsafeRawPointer(library.inPlace), buffer.baseAddress, n, datatype(Scalar.self), library.sum,
                                          library.commWorld, request.handle)
        guard code == 0 else { throw DistributedError("rank \(rank): MPI_Iallreduce failed with MPI error code \(code)") }
        return request
    }

    /// Waits for `request` under the watchdog.
    fileprivate func wait(_ request: MPIRequest) throws {
        try guarded("MPI_Wait (all-reduce)") { library.wait(request.handle, nil) }  // nil: MPI_STATUS_IGNORE
    }

    public func allGather(_ bytes: [UInt8]) throws -> [[UInt8]] {
        let n = try count(bytes.count, "MPI_Allgather")
        var all = [UInt8](repeating: 0, count: bytes.count * size)
        try bytes.withUnsafeBytes { source in
            try all.withUnsafeMutableBytes { destination in
                try guarded("MPI_Allgather") {
                    library.allGather(source.baseAddress, n, library.byte, destination.baseAddress, n, library.byte, library.commWorld)
                }
            }
        }
        return (0..<size).map { Array(all[($0 * bytes.count)..<(($0 + 1) * bytes.count)]) }
    }

    public func barrier() throws {
        try guarded("MPI_Barrier") { library.barrier(library.commWorld) }
    }

    public func abort(_ message: String, code: Int32) -> Never {
        writeToStandardError(message)
        _ = library.abort(library.commWorld, code)
        _exit(code)  // MPI_Abort does not return; if it did, end this rank anyway
    }

    /// Monotonic nanoseconds.
    private static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }

    /// A thread that checks twice a second whether a collective has outlived its deadline.
    private func startWatchdog() {
        let thread = Thread { [weak self] in
            while let self, !self.finalized.load(ordering: .relaxed) {
                if let late = self.watch.withLock({ $0 }), Self.now() > late.deadline {
                    let message = "descent: rank \(self.rank) of \(self.size): \(late.name) has waited more than "
                        + "\(Int(self.collectiveTimeout)) s for the other ranks: a rank has died, hung or diverged from the others "
                        + "(see the launcher's messages); aborting every rank. The last checkpoint is intact: resume with --resume."
                    if self.isThreadMultiple { self.abort(message, code: 1) }
                    writeToStandardError(message)
                    _exit(1)
                }
                usleep(500_000)
            }
        }
        thread.name = "descent.mpi.watchdog"
        thread.start()
    }
}

/// One `MPI_Request` (a pointer in Open MPI, an `int` in MPICH: one zeroed machine word holds either).
final class MPIRequest: PendingReduction {
    let handle = UnsafeMutablePointer<MPILibrary.Handle>.allocate(capacity: 1)
    private let communicator: MPICommunicator
    private var done = false

    init(communicator: MPICommunicator) {
        self.communicator = communicator
        handle.initialize(to: 0)
    }

    func wait() throws {
        guard !done else { return }
        done = true
        try communicator.wait(self)
    }

    deinit { handle.deallocate() }
}
