import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files so that a crash (power loss, `kill -9`) leaves either the old file or the new
/// one, never a mix: write a temporary file in the same directory, `fsync` it, `rename` it over
/// the target (atomic within one file system), then `fsync` the directory so the rename itself is
/// on disk.
public enum AtomicFile {
    /// Writes `data` to `url` atomically and durably.
    /// - Throws: ``CheckpointError`` naming the file and the system error.
    public static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw CheckpointError.system("cannot create \(temporary.path)", errno) }
        var failure: Int32 = 0
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        if failure == 0 && fsync(descriptor) != 0 { failure = errno }
        close(descriptor)
        guard failure == 0 else {
            unlink(temporary.path)
            throw CheckpointError.system("cannot write \(temporary.path)", failure)
        }
        guard rename(temporary.path, url.path) == 0 else {
            let code = errno
            unlink(temporary.path)
            throw CheckpointError.system("cannot rename \(temporary.path) to \(url.path)", code)
        }
        syncDirectory(directory)
    }

    /// `fsync` on a directory, so that a rename or unlink in it is durable (best effort).
    static func syncDirectory(_ directory: URL) {
        let descriptor = open(directory.path, O_RDONLY)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}

/// The 64-bit FNV-1a hash, used as the checksum of checkpoint files.
///
///     h ← 0xcbf29ce484222325;  for each byte b: h ← (h ⊕ b) · 0x100000001b3  (mod 2⁶⁴)
///
/// Written here rather than taken from a package: it is four lines, has no dependency (zlib's
/// CRC-32 would need a system library module), and the job is to detect truncation and flipped
/// bits, not to resist an attacker. Any change of one byte changes the hash; a random corruption
/// goes unnoticed with probability 2⁻⁶⁴.
/// Reference: Fowler, Noll & Vo, <http://www.isthe.com/chongo/tech/comp/fnv/>.
public func fnv1a64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
    return hash
}

/// ``fnv1a64(_:)-(UnsafeRawBufferPointer)`` of `data`.
public func fnv1a64(_ data: Data) -> UInt64 { data.withUnsafeBytes { fnv1a64($0) } }
