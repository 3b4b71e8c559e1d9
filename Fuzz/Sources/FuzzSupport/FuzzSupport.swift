import Foundation

/// What the harnesses share: the fuzzer's bytes as a file (the readers under test open paths, and
/// memory-map them, as the CLI does) in a folder in memory when there is one.
public enum FuzzInput {
    /// A folder for this process's input files: /dev/shm (memory) when it exists.
    static let folder: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = "\(base)/descent-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// The bytes as a buffer.
    public static func bytes(_ start: UnsafeRawPointer, _ count: Int) -> Data {
        Data(bytes: start, count: count)
    }

    /// Writes `data` to a file called `name` in this process's folder and returns its path.
    public static func file(_ data: Data, name: String) -> String {
        let path = "\(folder)/\(name)"
        FileManager.default.createFile(atPath: path, contents: data)
        return path
    }

    /// Runs `body`, ignoring the errors it throws: a thrown error is the expected answer to a bad
    /// input; only a trap, a sanitizer report or a hang is a finding.
    public static func ignoringErrors(_ body: () throws -> Void) {
        do { try body() } catch {}
    }
}

/// A gzip stream holding `data` in stored (uncompressed) deflate blocks, so that a harness can
/// put fuzzed content behind a valid gzip wrapper (RFC 1952 and RFC 1951 §3.2.4).
public func gzipStored(_ data: Data) -> Data {
    var out = Data([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff])
    let bytes = [UInt8](data)
    var offset = 0
    repeat {
        let length = min(65_535, bytes.count - offset)
        let final: UInt8 = offset + length >= bytes.count ? 1 : 0
        out.append(final)
        out.append(contentsOf: [UInt8(length & 0xff), UInt8(length >> 8), UInt8(~length & 0xff), UInt8((~length >> 8) & 0xff)])
        out.append(contentsOf: bytes[offset..<(offset + length)])
        offset += length
    } while offset < bytes.count
    var crc: UInt32 = 0xffff_ffff
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = (crc >> 1) ^ (0xedb8_8320 & (0 &- (crc & 1))) }
    }
    crc ^= 0xffff_ffff
    let size = UInt32(truncatingIfNeeded: bytes.count)
    for value in [crc, size] { for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((value >> UInt32(shift)) & 0xff)) } }
    return out
}

/// libFuzzer's driver, for harnesses that start it themselves (see ``runFuzzer(_:_:_:)``).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// Runs libFuzzer over `callback`. SwiftPM links an executable with `--defsym main=<Module>_main`,
/// a symbol `-parse-as-library` never emits (../shared/reference/loading-fuzzing-convolutions.md,
/// §7): each harness defines `<Module>_main` itself and calls this, so SwiftPM's link succeeds
/// and `main` starts libFuzzer's driver.
public func runFuzzer(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return withUnsafeMutablePointer(to: &arguments) { LLVMFuzzerRunDriver(&count, $0, callback) }
}
