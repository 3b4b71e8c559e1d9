#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Why MPI through dlopen, not a system-library target: the default build stays free of MPI's
// headers and packages (libopenmpi-dev pulls in gfortran, hwloc, pmix, …), and the same binary runs
// alone or under `mpirun`/`srun`. Only a run launched with more than one process loads the library,
// as DescentData loads zlib (`Gzip.swift`). The handles that are macros in C (`MPI_COMM_WORLD`,
// `MPI_FLOAT`, `MPI_SUM`) are, in Open MPI, the addresses of exported objects (`ompi_mpi_comm_world`,
// …), looked up with `dlsym`; in MPICH they are integer constants from its `mpi.h`. Handles are kept
// as 64-bit words: a pointer for Open MPI, a zero-extended `int` for MPICH, which the x86-64 and
// AArch64 calling conventions pass in the same register.

/// Which MPI implementation the loaded library is: their handles differ in kind (Open MPI's are
/// pointers to predefined objects, MPICH's are integers).
public enum MPIImplementation: String, Sendable, Equatable {
    /// Open MPI (`libmpi.so.40`, Debian's `libopenmpi3`).
    case openMPI = "Open MPI"
    /// MPICH and its ABI-compatible derivatives (`libmpi.so.12`, Debian's `libmpich12`).
    case mpich = "MPICH"
}

/// The MPI functions and predefined handles Descent uses, resolved once from the system's MPI
/// library at run time (`dlopen("libmpi.so.40")`, then MPICH's `libmpi.so.12`).
///
/// Package-internal: ``MPICommunicator`` is the public face.
final class MPILibrary: @unchecked Sendable {  // immutable after init: function pointers and handle words
    typealias Handle = UInt
    typealias Initialized = @convention(c) (UnsafeMutablePointer<Int32>) -> Int32
    typealias InitThread = @convention(c) (UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?,
                                           Int32, UnsafeMutablePointer<Int32>) -> Int32
    typealias Finalize = @convention(c) () -> Int32
    typealias CommQuery = @convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32
    typealias Broadcast = @convention(c) (UnsafeMutableRawPointer?, Int32, Handle, Int32, Handle) -> Int32
    typealias AllReduce = @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, Handle, Handle, Handle) -> Int32
    typealias StartAllReduce = @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, Handle, Handle, Handle,
                                               UnsafeMutablePointer<Handle>) -> Int32
    typealias Wait = @convention(c) (UnsafeMutablePointer<Handle>, UnsafeMutableRawPointer?) -> Int32
    typealias AllGather = @convention(c) (UnsafeRawPointer?, Int32, Handle, UnsafeMutableRawPointer?, Int32, Handle, Handle) -> Int32
    typealias Barrier = @convention(c) (Handle) -> Int32
    typealias Abort = @convention(c) (Handle, Int32) -> Int32
    typealias LibraryVersion = @convention(c) (UnsafeMutablePointer<CChar>, UnsafeMutablePointer<Int32>) -> Int32

    let implementation: MPIImplementation
    /// The file that was loaded (`libmpi.so.40`).
    let fileName: String
    let initialized: Initialized
    let initThread: InitThread
    let finalize: Finalize
    let commRank: CommQuery
    let commSize: CommQuery
    let broadcast: Broadcast
    let allReduce: AllReduce
    let startAllReduce: StartAllReduce
    let wait: Wait
    let allGather: AllGather
    let barrier: Barrier
    let abort: Abort
    let libraryVersion: LibraryVersion?

    /// `MPI_COMM_WORLD`.
    let commWorld: Handle
    /// `MPI_FLOAT`, `MPI_DOUBLE`, `MPI_BYTE`.
    let float: Handle, double: Handle, byte: Handle
    /// `MPI_SUM`, `MPI_MAX`.
    let sum: Handle, max: Handle
    /// `MPI_IN_PLACE` (`(void *) 1` in Open MPI, `(void *) -1` in MPICH).
    let inPlace: UnsafeMutableRawPointer
    /// `MPI_THREAD_FUNNELED`, `MPI_THREAD_MULTIPLE` (the same in both: 1 and 3).
    static let threadFunneled: Int32 = 1, threadMultiple: Int32 = 3

    /// The library files tried, in order: Open MPI 4.x/5.x, then MPICH 3.x/4.x.
    static let candidates: [(file: String, implementation: MPIImplementation)] = [
        ("libmpi.so.40", .openMPI), ("libmpi.so.12", .mpich), ("libmpich.so.12", .mpich),
    ]

    /// The loaded library, or the reason it could not be loaded (each file tried and `dlerror`'s answer).
    static let shared: Result<MPILibrary, DistributedError> = load()

    private static func load() -> Result<MPILibrary, DistributedError> {
        var tried: [String] = []
        for (file, implementation) in candidates {
            // RTLD_GLOBAL: Open MPI's components (plugins it loads itself) resolve symbols of libmpi.
            guard let handle = dlopen(file, RTLD_NOW | RTLD_GLOBAL) else {
                tried.append(dlerror().map { String(cString: $0) } ?? file)
                continue
            }
            switch resolve(handle: handle, file: file, implementation: implementation) {
            case .success(let library): return .success(library)
            case .failure(let error): tried.append("\(file): \(error.message)")
            }
        }
        return .failure(DistributedError(
            "this run was launched as several MPI processes, but no MPI library could be loaded (tried "
            + candidates.map(\.file).joined(separator: ", ") + "): " + tried.joined(separator: "; ")
            + ". Install Open MPI's runtime (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi3), "
            + "or run without mpirun/srun for a single process"))
    }

    private static func symbol<T>(_ handle: UnsafeMutableRawPointer, _ name: String, as type: T.Type) -> T? {
        dlsym(handle, name).map { unsafeBitCast($0, to: type) }
    }

    private init(
        implementation: MPIImplementation, fileName: String, functions: Functions, handles: (Handle, Handle, Handle, Handle, Handle, Handle),
        inPlace: UnsafeMutableRawPointer
    ) {
        self.implementation = implementation
        self.fileName = fileName
        initialized = functions.initialized; initThread = functions.initThread; finalize = functions.finalize
        commRank = functions.commRank; commSize = functions.commSize; broadcast = functions.broadcast
        allReduce = functions.allReduce; startAllReduce = functions.startAllReduce; wait = functions.wait
        allGather = functions.allGather; barrier = functions.barrier; abort = functions.abort
        libraryVersion = functions.libraryVersion
        (commWorld, float, double, byte, sum, max) = handles
        self.inPlace = inPlace
    }

    private struct Functions {
        var initialized: Initialized, initThread: InitThread, finalize: Finalize, commRank: CommQuery, commSize: CommQuery
        var broadcast: Broadcast, allReduce: AllReduce, startAllReduce: StartAllReduce, wait: Wait, allGather: AllGather
        var barrier: Barrier, abort: Abort, libraryVersion: LibraryVersion?
    }

    /// Resolves every function and handle from an opened library, or says which is missing.
    private static func resolve(handle: UnsafeMutableRawPointer, file: String, implementation: MPIImplementation) -> Result<MPILibrary, DistributedError> {
        func function<T>(_ name: String, _ type: T.Type) throws(DistributedError) -> T {
            guard let value = symbol(handle, name, as: type) else { throw DistributedError("\(name) is missing") }
            return value
        }
        do throws(DistributedError) {
            let functions = Functions(
                initialized: try function("MPI_Initialized", Initialized.self), initThread: try function("MPI_Init_thread", InitThread.self),
                finalize: try function("MPI_Finalize", Finalize.self), commRank: try function("MPI_Comm_rank", CommQuery.self),
                commSize: try function("MPI_Comm_size", CommQuery.self), broadcast: try function("MPI_Bcast", Broadcast.self),
                allReduce: try function("MPI_Allreduce", AllReduce.self), startAllReduce: try function("MPI_Iallreduce", StartAllReduce.self),
                wait: try function("MPI_Wait", Wait.self), allGather: try function("MPI_Allgather", AllGather.self),
                barrier: try function("MPI_Barrier", Barrier.self), abort: try function("MPI_Abort", Abort.self),
                libraryVersion: symbol(handle, "MPI_Get_library_version", as: LibraryVersion.self))
            switch implementation {
            case .openMPI:
                func object(_ name: String) throws(DistributedError) -> Handle {
                    guard let address = dlsym(handle, name) else { throw DistributedError("\(name) is missing (not Open MPI's ABI?)") }
                    return Handle(bitPattern: address)
                }
                let handles = (try object("ompi_mpi_comm_world"), try object("ompi_mpi_float"), try object("ompi_mpi_double"),
                               try object("ompi_mpi_byte"), try object("ompi_mpi_op_sum"), try object("ompi_mpi_op_max"))
                return .success(MPILibrary(implementation: .openMPI, fileName: file, functions: functions, handles: handles,
                                           inPlace: UnsafeMutableRawPointer(bitPattern: 1)!))  // safe: a non-zero constant
            case .mpich:
                // MPICH's mpi.h: MPI_COMM_WORLD 0x44000000, MPI_FLOAT 0x4c00040a, MPI_DOUBLE 0x4c00080b,
                // MPI_BYTE 0x4c00010d, MPI_SUM 0x58000003, MPI_MAX 0x58000001, MPI_IN_PLACE (void *) -1.
                let handles: (Handle, Handle, Handle, Handle, Handle, Handle) = (0x4400_0000, 0x4c00_040a, 0x4c00_080b, 0x4c00_010d,
                                                                                 0x5800_0003, 0x5800_0001)
                return .success(MPILibrary(implementation: .mpich, fileName: file, functions: functions, handles: handles,
                                           inPlace: UnsafeMutableRawPointer(bitPattern: UInt.max)!))  // safe: a non-zero constant
            }
        } catch {
            return .failure(error)
        }
    }

    /// The library's own version string (`MPI_Get_library_version`), or its file name.
    var versionText: String {
        guard let libraryVersion else { return fileName }
        var buffer = [CChar](repeating: 0, count: 8192)  // MPI_MAX_LIBRARY_VERSION_STRING is 256 (Open MPI) to 8192 (MPICH)
        var length: Int32 = 0
        guard libraryVersion(&buffer, &length) == 0 else { return fileName }
        let text = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(separator: "\n").first.map(String.init) ?? fileName
    }
}
