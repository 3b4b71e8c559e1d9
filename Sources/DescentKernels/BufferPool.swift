import CDescentKernels

/// Tensor storage memory: 64-byte-aligned buffers, with large freed buffers kept for reuse.
///
/// A training loop frees and allocates the same large buffers (gradients, activations) every
/// step; returning them to the system makes every step page-fault them in again, a sizeable share
/// of a small step (BENCHMARKS.md, "Design measurements", "Buffer reuse"). Buffers of at least
/// 64 KiB are cached, at most 32 of them and 64 MiB in all, and reused for a request of the same
/// rounded size.
public enum BufferPool {
    /// A buffer of at least `bytes` bytes, aligned to 64 bytes. Free it with ``deallocate(_:bytes:)``.
    @inlinable
    public static func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        guard let pointer = descent_buffer_allocate(bytes) else {
            fatalError("BufferPool: out of memory allocating \(bytes) bytes")
        }
        return pointer
    }

    /// Frees a buffer from ``allocate(bytes:)`` (with the same `bytes`), or keeps it for reuse.
    @inlinable
    public static func deallocate(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        descent_buffer_free(pointer, bytes)
    }

    /// The bytes held in the cache now.
    public static var cachedBytes: Int { descent_buffer_pool_bytes() }

    /// Frees every cached buffer (for example after training, before a memory-hungry phase).
    public static func clear() { descent_buffer_pool_clear() }
}
