#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads CSV records from a file through a bounded buffer (no memory map, so the resident memory
/// stays at the buffer size however large the file is).
///
/// Records may cross block boundaries: a record that reaches the end of the buffer before the end
/// of the file is re-read after the buffer is refilled, starting from the record's first byte.
final class CSVRecordStream {
    let file: String
    let delimiter: UInt8
    private let descriptor: Int32
    private var buffer: UnsafeMutableRawBufferPointer
    /// Valid bytes in `buffer`.
    private var filled = 0
    /// The file offset of `buffer[0]`.
    private var bufferFileOffset = 0
    /// The file offset just past the bytes read so far.
    private var readOffset = 0
    private var reachedEnd = false
    private(set) var tokenizer: CSVTokenizer
    /// The file offset where the last returned record starts.
    private(set) var recordOffset = 0

    /// Opens `path` for reading from `offset` (which must be a record start), at 1-based `line`.
    init(path: String, delimiter: UInt8, offset: Int = 0, line: Int = 1, blockSize: Int = 1 << 20) throws {
        file = path
        self.delimiter = delimiter
        descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw DataError(file: path, "cannot open the file: \(String(cString: strerror(errno)))") }
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Swift.max(blockSize, 64), alignment: 16)
        bufferFileOffset = offset
        readOffset = offset
        tokenizer = CSVTokenizer(bytes: UnsafeBufferPointer(start: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: 0),
                                 delimiter: delimiter, file: path, position: 0, line: line)
        try refill(keepingFrom: 0)
    }

    deinit {
        close(descriptor)
        buffer.deallocate()
    }

    /// The bytes of the buffer this stream currently holds (for `bytesHeld` accounting).
    var capacity: Int { buffer.count }

    /// Keeps `buffer[start..<filled]`, moves it to the front, and reads more of the file after it.
    private func refill(keepingFrom start: Int) throws {
        let kept = filled - start
        if kept > 0 && start > 0 { buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: kept) }
        if kept * 2 > buffer.count {
            // A record longer than half the buffer: grow so the refill makes progress.
            let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
            bigger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: kept)
            buffer.deallocate()
            buffer = bigger
        }
        bufferFileOffset += start
        filled = kept
        while filled < buffer.count && !reachedEnd {
            let got = pread(descriptor, buffer.baseAddress! + filled, buffer.count - filled, off_t(readOffset))
            if got < 0 { throw DataError(file: file, byteOffset: readOffset, "read error: \(String(cString: strerror(errno)))") }
            if got == 0 { reachedEnd = true }
            filled += got
            readOffset += got
        }
        let line = tokenizer.line
        tokenizer = CSVTokenizer(bytes: UnsafeBufferPointer(start: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: filled),
                                 delimiter: delimiter, file: file, position: 0, line: line)
    }

    /// The next record's fields (byte ranges valid until the next call), or `false` at the end.
    func nextRecord(into fields: inout [CSVField]) throws -> Bool {
        while true {
            let start = tokenizer.position, startLine = tokenizer.line
            do {
                let found = try tokenizer.nextRecord(into: &fields)
                if found && (tokenizer.position < filled || reachedEnd) {
                    recordOffset = bufferFileOffset + (tokenizer.recordStart ?? start)
                    return true
                }
                if !found && reachedEnd { return false }
            } catch {
                // An error at the very end of the buffer may be a record cut by the block boundary.
                if reachedEnd || tokenizer.position < filled { throw error }
            }
            tokenizer.line = startLine
            try refill(keepingFrom: start)
        }
    }
}
