#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DescentKernels

/// The contiguous, 64-byte-aligned buffer behind a ``Tensor``.
///
/// A reference type so that tensors can share it; ``Tensor`` copies it before a write when it is
/// shared (copy-on-write), which gives tensors value semantics.
///
/// Most storage comes from the buffer pool. Storage made by ``init(mappingFile:byteOffset:count:)``
/// instead owns a private memory mapping of a file (the elements are the file's bytes, read from
/// disk as they are first touched) and unmaps it when released.
public final class TensorStorage<Scalar: TensorScalar>: @unchecked Sendable {
    /// The first element.
    public let pointer: UnsafeMutablePointer<Scalar>
    /// The number of elements.
    public let count: Int
    /// The whole mapping (page-aligned start and length) for mapped storage; `nil` for pooled storage.
    private let mapping: UnsafeMutableRawBufferPointer?

    /// Allocates uninitialised storage for `count` elements.
    init(uninitializedCount count: Int) {
        self.count = count
        mapping = nil
        // 64-byte alignment keeps SIMD loads aligned and rows on cache-line boundaries; large
        // buffers are recycled (`BufferPool`) instead of page-faulting in fresh memory every step.
        let raw = BufferPool.allocate(bytes: Swift.max(count, 1) * MemoryLayout<Scalar>.stride)
        pointer = raw.bindMemory(to: Scalar.self, capacity: Swift.max(count, 1))
    }

    /// Allocates storage filled with `value`.
    convenience init(count: Int, repeating value: Scalar) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    /// Storage over `count` elements of an open file, starting at `byteOffset`, without copying them.
    ///
    /// The file is mapped with `mmap(PROT_READ | PROT_WRITE, MAP_PRIVATE)`: the elements are the
    /// file's bytes in the machine's order, pages are read on first touch, and a write (an in-place
    /// update of a tensor that holds this storage alone) changes a private copy of that page, never
    /// the file (NumPy: `numpy.load(path, mmap_mode="c")`). The descriptor may be closed afterwards.
    /// If another program shortens the file while it is mapped, reading the lost pages stops the
    /// process with `SIGBUS`, as with any memory-mapped file.
    ///
    /// - Parameters:
    ///   - descriptor: a file open for reading.
    ///   - byteOffset: where the first element starts; a multiple of 64 so the elements are as
    ///     aligned as pooled storage.
    ///   - count: the number of elements, at least 1; the file must hold them all.
    /// - Throws: ``MappingError`` if the offset is not 64-byte aligned, the sizes do not fit, or
    ///   `mmap` fails (with its `errno`).
    public init(mappingFile descriptor: Int32, byteOffset: Int, count: Int) throws(MappingError) {
        guard count >= 1, byteOffset >= 0 else { throw MappingError(reason: "nothing to map: \(count) elements at byte \(byteOffset)") }
        guard byteOffset % 64 == 0 else { throw MappingError(reason: "byte offset \(byteOffset) is not a multiple of 64") }
        let (dataBytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Scalar>.stride)
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = byteOffset - byteOffset % pageSize
        let (end, overflowEnd) = byteOffset.addingReportingOverflow(dataBytes)
        guard !overflow, !overflowEnd else { throw MappingError(reason: "\(count) elements do not fit in memory") }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw MappingError(reason: "fstat", code: errno) }
        guard Int(status.st_size) >= end else {
            throw MappingError(reason: "the file holds \(status.st_size) bytes, fewer than the \(end) needed")
        }
        let length = end - start
        let base = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE, descriptor, off_t(start))
        guard let base, base != UnsafeMutableRawPointer(bitPattern: -1) else { throw MappingError(reason: "mmap", code: errno) }
        self.count = count
        mapping = UnsafeMutableRawBufferPointer(start: base, count: length)
        pointer = (base + (byteOffset - start)).bindMemory(to: Scalar.self, capacity: count)
    }

    /// `true` if the elements are a memory mapping of a file rather than pooled memory.
    public var isMemoryMapped: Bool { mapping != nil }

    /// A copy of this storage.
    func copy() -> TensorStorage {
        let new = TensorStorage(uninitializedCount: count)
        new.pointer.update(from: pointer, count: count)
        return new
    }

    deinit {
        if let mapping {
            munmap(mapping.baseAddress, mapping.count)
        } else {
            BufferPool.deallocate(UnsafeMutableRawPointer(pointer), bytes: Swift.max(count, 1) * MemoryLayout<Scalar>.stride)
        }
    }
}

/// Why a file could not be mapped as tensor storage: the reason and, for a failed system call, its `errno`.
public struct MappingError: Error, CustomStringConvertible, Sendable {
    /// What failed (`mmap`, `fstat`, or a size or alignment problem).
    public var reason: String
    /// The `errno` of a failed system call, `0` otherwise.
    public var code: Int32

    /// An error for `reason`, with the `errno` `code` of a failed call. The default value of `code` is `0`.
    public init(reason: String, code: Int32 = 0) {
        self.reason = reason
        self.code = code
    }

    /// `mmap: Cannot allocate memory`, or the reason alone.
    public var description: String { code == 0 ? reason : "\(reason): \(String(cString: strerror(code)))" }
}

extension Tensor {
    /// A tensor of `shape` over existing storage (for example a memory-mapped file), without copying.
    /// - Throws: ``TensorError/scalarCountMismatch(shape:expected:got:)`` if the storage holds a
    ///   different number of elements than `shape` needs.
    public init(sharing storage: TensorStorage<Scalar>, shape: [Int]) throws {
        let count = try Tensor.validatedCount(of: shape, operation: "Tensor(sharing:shape:)")
        guard count == storage.count else { throw TensorError.scalarCountMismatch(shape: shape, expected: count, got: storage.count) }
        self.init(storage: storage, shape: shape, node: nil)
    }
}
