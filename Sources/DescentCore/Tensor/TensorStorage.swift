import DescentKernels

/// The contiguous, 64-byte-aligned buffer behind a ``Tensor``.
///
/// A reference type so that tensors can share it; ``Tensor`` copies it before a write when it is
/// shared (copy-on-write), which gives tensors value semantics.
public final class TensorStorage<Scalar: TensorScalar>: @unchecked Sendable {
    /// The first element.
    public let pointer: UnsafeMutablePointer<Scalar>
    /// The number of elements.
    public let count: Int

    /// Allocates uninitialised storage for `count` elements.
    init(uninitializedCount count: Int) {
        self.count = count
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

    /// A copy of this storage.
    func copy() -> TensorStorage {
        let new = TensorStorage(uninitializedCount: count)
        new.pointer.update(from: pointer, count: count)
        return new
    }

    deinit { BufferPool.deallocate(UnsafeMutableRawPointer(pointer), bytes: Swift.max(count, 1) * MemoryLayout<Scalar>.stride) }
}
