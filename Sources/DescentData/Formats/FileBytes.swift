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
