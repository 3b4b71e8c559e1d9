#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DescentCore

/// Writes NumPy `.npy` files (format version 1.0, or 2.0 for a header over 64 KiB), atomically.
///
/// Features are written as `<f4` (`Float`) or `<f8` (`Double`) in C order, labels as `<i8`; the
/// header is padded so the data starts on a 64-byte boundary, so ``NPYLoader`` memory-maps the
/// file on the next load. The file is written beside the destination under a temporary name,
/// flushed to disk (`fsync`) and renamed over it, so a reader never sees half a file and an
/// interrupted write leaves any earlier file intact.
///
///     try NPYWriter.write(dataset.features, to: "X.npy")
///     try NPYWriter.write(labels: dataset.targets.classes!, to: "y.npy")
///
/// - NumPy: `numpy.save(path, array)`; read back with `numpy.load(path)`.
public enum NPYWriter {
    /// Writes `tensor` (its shape and elements) to `path`, replacing any file there.
    /// - Throws: ``DataError`` if the file cannot be created, written or renamed (with the system's reason).
    public static func write<Scalar: TensorScalar>(_ tensor: Tensor<Scalar>, to path: String) throws {
        let type = Scalar.self == Float.self ? "f4" : "f8"
        try tensor.withUnsafeBufferPointer { elements in
            try writeFile(descriptor: type, shape: tensor.shape, bytes: UnsafeRawBufferPointer(elements), to: path)
        }
    }

    /// Writes class labels (or any integers) as a one-axis `<i8` array to `path`, replacing any file there.
    /// - Throws: ``DataError`` if the file cannot be created, written or renamed.
    public static func write(labels: [Int], to path: String) throws {
        let values = labels.map { Int64($0) }
        try values.withUnsafeBytes { try writeFile(descriptor: "i8", shape: [labels.count], bytes: $0, to: path) }
    }

    /// The header: magic, version, length, and the dict padded with spaces and a newline to a multiple of 64 bytes.
    static func header(descriptor: String, shape: [Int]) -> [UInt8] {
        // Host order: '<' on every little-endian machine (all that Swift targets in practice).
        let order = 1.littleEndian == 1 ? "<" : ">"
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dict = Array("{'descr': '\(order)\(descriptor)', 'fortran_order': False, 'shape': \(dims), }".utf8)
        let version: UInt8 = dict.count + 1 + 10 < 65_536 ? 1 : 2
        let preamble = version == 1 ? 10 : 12
        while (preamble + dict.count + 1) % 64 != 0 { dict.append(0x20) }
        dict.append(0x0A)
        var bytes: [UInt8] = NPYLoader.magic + [version, 0]
        if version == 1 {
            bytes += withUnsafeBytes(of: UInt16(dict.count).littleEndian, Array.init)
        } else {
            bytes += withUnsafeBytes(of: UInt32(dict.count).littleEndian, Array.init)
        }
        return bytes + dict
    }

    static func writeFile(descriptor: String, shape: [Int], bytes: UnsafeRawBufferPointer, to path: String) throws {
        let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let file = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard file >= 0 else { throw DataError(file: path, "cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var closed = false
        defer {
            if !closed { close(file) }
        }
        do {
            let head = header(descriptor: descriptor, shape: shape)
            try head.withUnsafeBytes { try writeAll(file, $0, path: temporary) }
            try writeAll(file, bytes, path: temporary)
            guard fsync(file) == 0 else { throw DataError(file: temporary, "cannot flush the file to disk: \(String(cString: strerror(errno)))") }
            closed = true
            guard close(file) == 0 else { throw DataError(file: temporary, "cannot close the file: \(String(cString: strerror(errno)))") }
            guard rename(temporary, path) == 0 else {
                throw DataError(file: path, "cannot rename \(temporary) to it: \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Writes every byte, retrying short writes and interrupted calls.
    static func writeAll(_ file: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        guard var next = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let written = systemWrite(file, next, Swift.min(left, 1 << 30))
            if written < 0 {
                if errno == EINTR { continue }
                throw DataError(file: path, "cannot write the file: \(String(cString: strerror(errno))) (is the disk full?)")
            }
            next += written
            left -= written
        }
    }
}

/// `write(2)`, outside ``NPYWriter`` whose own `write` methods would hide it.
private func systemWrite(_ file: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(file, bytes, count) }
