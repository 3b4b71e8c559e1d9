#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Whole-file reading for the in-memory loaders: memory-mapped when plain, decompressed when gzip.
enum FileBytes {
    /// `true` if the file starts with the gzip magic bytes 1f 8b.
    static func isGzip(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 2)) ?? Data()
        return head.count == 2 && head[head.startIndex] == 0x1F && head[head.startIndex + 1] == 0x8B
    }

    /// Checks that `path` exists and is a readable file.
    static func checkReadable(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataError(file: path, "no such file")
        }
        guard !isDirectory.boolValue else { throw DataError(file: path, "this is a folder, not a file") }
        guard FileManager.default.isReadableFile(atPath: path) else { throw DataError(file: path, "the file is not readable (check its permissions)") }
    }

    /// The first bytes of a file, decompressed if it is gzip.
    struct Head {
        /// Up to the requested number of (decompressed) bytes.
        var bytes: [UInt8]
        /// `true` if the file is gzip-compressed.
        var isGzip: Bool
        /// The file's size on disk (compressed size for gzip).
        var fileSize: Int
        /// For gzip: the uncompressed size modulo 2³² from the trailer (ISIZE), exact for one-member files under 4 GiB.
        var gzipSizeModulo32: UInt32?
    }

    /// Reads up to `count` leading bytes of `path` (after decompression when it is gzip).
    static func head(of path: String, count: Int) throws -> Head {
        try checkReadable(path)
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw DataError(file: path, "cannot open the file: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let fileSize = Int(lseek(descriptor, 0, SEEK_END))
        var raw = [UInt8](repeating: 0, count: Swift.max(count, 2))
        let got = try readFully(descriptor, into: &raw, at: 0, file: path)
        raw.removeSubrange(got...)
        guard raw.count >= 2, raw[0] == 0x1F, raw[1] == 0x8B else {
            return Head(bytes: Array(raw.prefix(count)), isGzip: false, fileSize: fileSize, gzipSizeModulo32: nil)
        }
        var trailer: [UInt8] = [0, 0, 0, 0]
        var size: UInt32?
        if fileSize >= 18, try readFully(descriptor, into: &trailer, at: fileSize - 4, file: path) == 4 {
            size = trailer.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
        }
        let reader = try GzipReader(path: path)
        var bytes = [UInt8](repeating: 0, count: count)
        let decompressed = try bytes.withUnsafeMutableBytes { try reader.read(into: $0.baseAddress!, count: count) }
        bytes.removeSubrange(decompressed...)
        return Head(bytes: bytes, isGzip: true, fileSize: fileSize, gzipSizeModulo32: size)
    }

    /// Reads up to `buffer.count` bytes at `offset` with `pread`, retrying short reads; returns how many were read.
    static func readFully(_ descriptor: Int32, into buffer: inout [UInt8], at offset: Int, file: String) throws -> Int {
        try buffer.withUnsafeMutableBytes { try readFully(descriptor, into: $0.baseAddress!, count: $0.count, at: offset, file: file) }
    }

    /// Reads up to `count` bytes at `offset` into `destination`, retrying short reads; returns how many were read.
    static func readFully(_ descriptor: Int32, into destination: UnsafeMutableRawPointer, count: Int, at offset: Int, file: String) throws -> Int {
        var done = 0
        while done < count {
            let got = pread(descriptor, destination + done, count - done, off_t(offset + done))
            if got < 0 {
                if errno == EINTR { continue }
                throw DataError(file: file, byteOffset: offset + done, "read error: \(String(cString: strerror(errno)))")
            }
            if got == 0 { break }
            done += got
        }
        return done
    }

    /// Calls `body` with the file's bytes (decompressed if the file is gzip).
    static func withBytes<R>(of path: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) throws -> R {
        try checkReadable(path)
        if isGzip(path) {
            let bytes = try GzipReader(path: path).readAll()
            return try bytes.withUnsafeBufferPointer { try body($0) }
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw DataError(file: path, "cannot read the file: \(error.localizedDescription)")
        }
        if data.isEmpty {
            // A non-nil base address even for no bytes, so readers can always take `baseAddress!`.
            return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1) {
                try body(UnsafeBufferPointer(start: $0.baseAddress, count: 0))
            }
        }
        return try data.withUnsafeBytes { try body($0.bindMemory(to: UInt8.self)) }
    }
}

extension Array where Element == UInt8 {
    /// The bytes as lowercase hex pairs, `93 4e 55`, for messages that must never print binary data.
    var hexDescription: String { map { String($0, radix: 16).leftPadded(2) }.joined(separator: " ") }
}
