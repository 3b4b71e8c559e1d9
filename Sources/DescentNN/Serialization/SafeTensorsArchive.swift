import DescentCore
import Foundation

/// Reads and writes the safetensors format (Hugging Face), which PyTorch reads with
/// `safetensors.torch.load_file` and writes with `save_file`.
///
/// Layout: an 8-byte little-endian unsigned header length `N`; `N` bytes of UTF-8 JSON mapping
/// each tensor name to `{"dtype": "F32", "shape": [5, 4], "data_offsets": [begin, end]}` (byte
/// offsets into the data that follows) plus an optional `"__metadata__"` object of strings; then
/// the data. Descent writes the header padded with spaces to a multiple of 8 bytes (as the Rust
/// implementation does, so the data is aligned), the tensor names sorted, and the data of 8-byte
/// types before 4-byte ones, each group by name.
///
/// Reading validates everything before touching the data and reports a truncated or corrupt file
/// as a ``SafeTensorsError``: a header length beyond the file, a header that is not a JSON
/// object, an unknown dtype, a negative shape, offsets that do not match the shape, that overlap,
/// leave gaps, or run past the end.
public struct SafeTensorsArchive: Sendable, Equatable {
    /// The tensors by name.
    public var tensors: [String: SafeTensor]
    /// The `__metadata__` strings.
    public var metadata: [String: String]

    /// An archive of `tensors` with `metadata`.
    public init(tensors: [String: SafeTensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The tensor names, sorted.
    public var names: [String] { tensors.keys.sorted() }

    /// The largest header the reader accepts (as the Rust implementation: 100 MB).
    public static let maximumHeaderLength = 100_000_000

    // MARK: Reading

    /// Reads the file at `url`. - Throws: ``SafeTensorsError`` naming the file and the problem.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw SafeTensorsError("cannot read \(url.path): \(error.localizedDescription)")
        }
        do { try self.init(data: data) } catch let error as SafeTensorsError {
            throw SafeTensorsError("\(url.path): \(error.message)")
        }
    }

    /// Parses a safetensors file held in memory. - Throws: ``SafeTensorsError``.
    public init(data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else {
            throw SafeTensorsError("the file has \(bytes.count) bytes, too short for the 8-byte header length (truncated?)")
        }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw SafeTensorsError("the header length is \(headerLength) bytes but only \(bytes.count - 8) follow (truncated, or not a safetensors file)")
        }
        guard headerLength <= UInt64(SafeTensorsArchive.maximumHeaderLength) else {
            throw SafeTensorsError("the header length \(headerLength) exceeds the limit of \(SafeTensorsArchive.maximumHeaderLength) bytes")
        }
        let headerEnd = 8 + Int(headerLength)
        let headerBytes = bytes[8..<headerEnd]
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw SafeTensorsError("the header does not start with `{` (not a safetensors file, or corrupt)")
        }
        guard String(bytes: headerBytes, encoding: .utf8) != nil else {
            throw SafeTensorsError("the header is not valid UTF-8")
        }
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: Data(headerBytes)) } catch {
            throw SafeTensorsError("the header is not valid JSON: \(error.localizedDescription)")
        }
        guard let object = json as? [String: Any] else { throw SafeTensorsError("the header is not a JSON object") }
        let dataLength = bytes.count - headerEnd
        var metadata: [String: String] = [:]
        var located: [(name: String, dtype: SafeTensorsDType, shape: [Int], begin: Int, end: Int)] = []
        for (name, value) in object {
            if name == "__metadata__" {
                guard let entries = value as? [String: Any] else { throw SafeTensorsError("`__metadata__` must be an object of strings") }
                for (key, v) in entries {
                    guard let text = v as? String else { throw SafeTensorsError("`__metadata__` value for `\(key)` must be a string") }
                    metadata[key] = text
                }
                continue
            }
            guard let entry = value as? [String: Any] else { throw SafeTensorsError("tensor `\(name)`: the entry is not an object") }
            guard let dtypeName = entry["dtype"] as? String, let dtype = SafeTensorsDType(rawValue: dtypeName) else {
                throw SafeTensorsError("tensor `\(name)`: unknown or missing dtype \(entry["dtype"].map { "\($0)" } ?? "(none)"); known: \(SafeTensorsDType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let shape = SafeTensorsArchive.integers(entry["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
                throw SafeTensorsError("tensor `\(name)`: `shape` must be a list of non-negative integers")
            }
            guard let offsets = SafeTensorsArchive.integers(entry["data_offsets"]), offsets.count == 2 else {
                throw SafeTensorsError("tensor `\(name)`: `data_offsets` must be [begin, end]")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end, end <= dataLength else {
                throw SafeTensorsError("tensor `\(name)`: data_offsets [\(begin), \(end)] are outside the \(dataLength) data bytes (truncated file?)")
            }
            var count = 1
            for d in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow, product <= dataLength else { throw SafeTensorsError("tensor `\(name)`: shape \(shape) is larger than the file") }
                count = product
            }
            guard end - begin == count * dtype.byteCount else {
                throw SafeTensorsError("tensor `\(name)`: a \(dtype.rawValue) tensor of shape \(shape) needs \(count * dtype.byteCount) bytes, data_offsets [\(begin), \(end)] give \(end - begin)")
            }
            located.append((name, dtype, shape, begin, end))
        }
        // As the Rust reader: the tensors' byte ranges must tile the data exactly.
        located.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var position = 0
        for t in located {
            if t.begin < position {
                throw SafeTensorsError("tensor `\(t.name)`: data_offsets [\(t.begin), \(t.end)] overlap another tensor's data")
            }
            if t.begin > position {
                throw SafeTensorsError("tensor `\(t.name)`: data_offsets start at \(t.begin), leaving a gap after byte \(position)")
            }
            position = t.end
        }
        guard position == dataLength else {
            throw SafeTensorsError("the tensors cover \(position) of the \(dataLength) data bytes; the header and the data do not match")
        }
        var tensors: [String: SafeTensor] = [:]
        for t in located {
            tensors[t.name] = try SafeTensor(dtype: t.dtype, shape: t.shape, bytes: Data(bytes[(headerEnd + t.begin)..<(headerEnd + t.end)]))
        }
        self.tensors = tensors
        self.metadata = metadata
    }

    private static func integers(_ value: Any?) -> [Int]? {
        guard let list = value as? [Any] else { return nil }
        var result: [Int] = []
        for item in list {
            guard let number = item as? NSNumber else { return nil }
            let d = number.doubleValue
            guard d == d.rounded(), Swift.abs(d) < 9e15 else { return nil }
            result.append(Int(d))
        }
        return result
    }

    // MARK: Writing

    /// The archive in safetensors format.
    public func encoded() -> Data {
        // Data order: 8-byte types first (alignment), then by name; header keys sorted by name.
        let order = tensors.keys.sorted {
            let a = tensors[$0]!.dtype.byteCount, b = tensors[$1]!.dtype.byteCount
            return a != b ? a > b : $0 < $1
        }
        var offsets: [String: (Int, Int)] = [:]
        var position = 0
        for name in order {
            let count = tensors[name]!.bytes.count
            offsets[name] = (position, position + count)
            position += count
        }
        var header = "{"
        var parts: [String] = []
        if !metadata.isEmpty {
            let inner = metadata.keys.sorted().map { "\(jsonStringLiteral($0)):\(jsonStringLiteral(metadata[$0]!))" }
            parts.append("\"__metadata__\":{" + inner.joined(separator: ",") + "}")
        }
        for name in tensors.keys.sorted() {
            let t = tensors[name]!, (begin, end) = offsets[name]!
            parts.append("\(jsonStringLiteral(name)):{\"dtype\":\"\(t.dtype.rawValue)\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(begin),\(end)]}")
        }
        header += parts.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(UInt8(ascii: " ")) }
        var data = Data(capacity: 8 + headerBytes.count + position)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: headerBytes)
        for name in order { data.append(tensors[name]!.bytes) }
        return data
    }

    /// Writes the archive to `url` atomically. - Throws: ``SafeTensorsError`` if the file cannot be written.
    public func write(to url: URL) throws {
        do { try encoded().write(to: url, options: .atomic) } catch {
            throw SafeTensorsError("cannot write \(url.path): \(error.localizedDescription)")
        }
    }
}
