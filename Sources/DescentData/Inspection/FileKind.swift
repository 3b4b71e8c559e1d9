/// What a data file is, from its first bytes (not its name).
enum FileKind: Equatable {
    /// An IDX array (MNIST): two zero bytes, then a type code 0x08–0x0E.
    case idx
    /// A NumPy `.npy` array: the magic `\x93NUMPY`.
    case npy
    /// Text: no NUL byte and valid UTF-8 in the first ``textCheckBytes`` bytes.
    case text
    /// Anything else (an image, an archive, a model file…).
    case binary

    /// How many leading bytes decide whether a file is text.
    static let textCheckBytes = 1024

    init(of bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.count >= 4 && bytes[0] == 0 && bytes[1] == 0 && bytes[2] >= 0x08 && bytes[2] <= 0x0E {
            self = .idx
        } else if bytes.count >= 6 && Array(bytes.prefix(6)) == NPYLoader.magic {
            self = .npy
        } else {
            self = FileKind.isText(bytes) ? .text : .binary
        }
    }

    /// No NUL byte and valid UTF-8 in the first ``textCheckBytes`` bytes (a character cut by that
    /// limit does not count against it).
    static func isText(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let head = UnsafeBufferPointer(rebasing: bytes.prefix(textCheckBytes))
        if head.contains(0) { return false }
        let cut = bytes.count > textCheckBytes ? 3 : 0
        return (0...cut).contains { String(validating: UnsafeBufferPointer(rebasing: head.dropLast($0)), as: UTF8.self) != nil }
    }
}
