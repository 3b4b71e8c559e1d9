#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Why the system zlib through dlopen, not a package: every Linux (and macOS) system has
// libz.so.1, so loading it at run time needs no headers, no build-time package and no C target,
// and adds nothing to the build (compress-nio would pull in swift-nio: about a minute more per
// clean build, for a few calls). zlib's gz* functions read gzip streams incrementally, which the
// streaming IDX reader needs. If the library is missing, only gzip files fail, with a message
// saying what to install.

/// The few zlib functions DescentData uses, looked up once with `dlopen("libz.so.1")`.
final class Zlib: @unchecked Sendable {  // immutable after init: function pointers only
    typealias Open = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>) -> OpaquePointer?
    typealias Read = @convention(c) (OpaquePointer, UnsafeMutableRawPointer, UInt32) -> Int32
    typealias Close = @convention(c) (OpaquePointer) -> Int32
    typealias ErrorText = @convention(c) (OpaquePointer, UnsafeMutablePointer<Int32>) -> UnsafePointer<CChar>?
    typealias Offset = @convention(c) (OpaquePointer) -> Int
    typealias Buffer = @convention(c) (OpaquePointer, UInt32) -> Int32

    let open: Open
    let read: Read
    let close: Close
    let errorText: ErrorText
    let compressedOffset: Offset
    let setBufferSize: Buffer

    /// The loaded library, or the reason it could not be loaded.
    static let shared: Result<Zlib, DataError> = {
        #if canImport(Darwin)
        let names = ["libz.1.dylib", "libz.dylib"]
        #else
        let names = ["libz.so.1", "libz.so"]
        #endif
        guard let handle = names.lazy.compactMap({ dlopen($0, RTLD_NOW) }).first else {
            return .failure(DataError("reading gzip files needs the system zlib (libz.so.1), which could not be loaded; "
                                      + "install it (Debian/Ubuntu: apt-get install zlib1g) or decompress the file with gunzip first"))
        }
        func symbol<T>(_ name: String, as type: T.Type) -> T? {
            dlsym(handle, name).map { unsafeBitCast($0, to: type) }
        }
        guard let open = symbol("gzopen", as: Open.self), let read = symbol("gzread", as: Read.self),
              let close = symbol("gzclose", as: Close.self), let errorText = symbol("gzerror", as: ErrorText.self),
              let offset = symbol("gzoffset", as: Offset.self), let buffer = symbol("gzbuffer", as: Buffer.self)
        else { return .failure(DataError("the system zlib lacks the gz* functions; decompress the file with gunzip first")) }
        return .success(Zlib(open: open, read: read, close: close, errorText: errorText, compressedOffset: offset, setBufferSize: buffer))
    }()

    private init(open: Open, read: Read, close: Close, errorText: ErrorText, compressedOffset: Offset, setBufferSize: Buffer) {
        self.open = open
        self.read = read
        self.close = close
        self.errorText = errorText
        self.compressedOffset = compressedOffset
        self.setBufferSize = setBufferSize
    }
}

/// Reads a gzip file front to back in pieces (`gzopen`/`gzread` from the system zlib).
final class GzipReader {
    let path: String
    private let zlib: Zlib
    private var file: OpaquePointer?
    /// Decompressed bytes read so far.
    private(set) var offset = 0

    /// Opens `path`. - Throws: ``DataError`` if zlib is missing or the file cannot be opened.
    init(path: String) throws {
        self.path = path
        zlib = try Zlib.shared.get()
        guard let file = zlib.open(path, "rb") else {
            throw DataError(file: path, "cannot open the file: \(String(cString: strerror(errno)))")
        }
        _ = zlib.setBufferSize(file, 1 << 17)
        self.file = file
    }

    /// Fills up to `count` bytes at `destination`; returns how many were read (fewer only at the end).
    /// - Throws: ``DataError`` with the compressed byte offset for corrupt or truncated data.
    func read(into destination: UnsafeMutableRawPointer, count: Int) throws -> Int {
        guard let file else { return 0 }
        var total = 0
        while total < count {
            let piece = UInt32(Swift.min(count - total, 1 << 30))
            let got = zlib.read(file, destination + total, piece)
            if got < 0 {
                var code: Int32 = 0
                let text = zlib.errorText(file, &code).map { String(cString: $0) } ?? "unknown error"
                throw DataError(file: path, byteOffset: zlib.compressedOffset(file),
                                "the gzip data is corrupt or truncated (zlib: \(text)) after \((offset + total).grouped) decompressed bytes")
            }
            if got == 0 {
                // zlib reports a truncated stream (Z_BUF_ERROR) only through gzerror at the end.
                var code: Int32 = 0
                let text = zlib.errorText(file, &code).map { String(cString: $0) } ?? ""
                if code != 0 {
                    throw DataError(file: path, byteOffset: zlib.compressedOffset(file),
                                    "the gzip data is corrupt or truncated (zlib: \(text)) after \((offset + total).grouped) decompressed bytes; the file is incomplete, download it again")
                }
                break
            }
            total += Int(got)
        }
        offset += total
        return total
    }

    /// Everything from the current position to the end.
    func readAll() throws -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let got = try chunk.withUnsafeMutableBytes { try read(into: $0.baseAddress!, count: $0.count) }
            result.append(contentsOf: chunk[..<got])
            if got < chunk.count { return result }
        }
    }

    deinit { if let file { _ = zlib.close(file) } }
}
