import Foundation

/// A decoded PNG image (8-bit grey, grey+alpha, RGB or RGBA, not interlaced): enough to read
/// the screenshots headless Chromium takes, with no dependency beyond Foundation.
///
/// Includes a small DEFLATE decoder (RFC 1951: stored, fixed and dynamic Huffman blocks),
/// since Foundation on Linux has no zlib API. Reference: RFC 2083 (PNG), RFC 1950/1951 (zlib).
struct BrowserPNG {
    let width: Int
    let height: Int
    /// RGB per pixel, row by row from the top; alpha, if any, is dropped (screenshots are opaque).
    let rgb: [UInt8]

    struct DecodingError: Error, CustomStringConvertible {
        let description: String
    }

    /// The (red, green, blue) of the pixel at column `x`, row `y`.
    func pixel(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
        let i = (y * width + x) * 3
        return (rgb[i], rgb[i + 1], rgb[i + 2])
    }

    init(data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.count > 8, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else {
            throw DecodingError(description: "not a PNG file")
        }
        var offset = 8
        var width = 0, height = 0, colorType = -1
        var compressed: [UInt8] = []
        func bigEndian(_ at: Int) -> Int { Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3]) }
        while offset + 8 <= bytes.count {
            let length = bigEndian(offset)
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let body = offset + 8
            guard body + length + 4 <= bytes.count else { throw DecodingError(description: "truncated \(type) chunk") }
            switch type {
            case "IHDR":
                (width, height) = (bigEndian(body), bigEndian(body + 4))
                let (depth, interlace) = (bytes[body + 8], bytes[body + 12])
                colorType = Int(bytes[body + 9])
                guard depth == 8, interlace == 0, [0, 2, 4, 6].contains(colorType) else {
                    throw DecodingError(description: "unsupported PNG: bit depth \(depth), colour type \(colorType), interlace \(interlace)")
                }
            case "IDAT": compressed += bytes[body..<(body + length)]
            case "IEND": offset = bytes.count
            default: break
            }
            offset = body + length + 4
        }
        guard width > 0, height > 0 else { throw DecodingError(description: "no IHDR chunk") }
        guard compressed.count > 2 else { throw DecodingError(description: "no image data") }
        var inflater = Inflater(Array(compressed.dropFirst(2)))  // skip the 2-byte zlib header
        let raw = try inflater.inflate()
        let channels = [0: 1, 2: 3, 4: 2, 6: 4][colorType]!
        let stride = width * channels
        guard raw.count >= height * (stride + 1) else { throw DecodingError(description: "image data too short: \(raw.count) bytes") }
        var pixels = [UInt8](repeating: 0, count: height * stride)
        for row in 0..<height {
            let filter = raw[row * (stride + 1)]
            let source = row * (stride + 1) + 1
            for i in 0..<stride {
                let x = Int(raw[source + i])
                let a = i >= channels ? Int(pixels[row * stride + i - channels]) : 0
                let b = row > 0 ? Int(pixels[(row - 1) * stride + i]) : 0
                let c = (i >= channels && row > 0) ? Int(pixels[(row - 1) * stride + i - channels]) : 0
                let predicted: Int
                switch filter {
                case 0: predicted = 0
                case 1: predicted = a
                case 2: predicted = b
                case 3: predicted = (a + b) / 2
                case 4:
                    let p = a + b - c
                    let (pa, pb, pc) = (abs(p - a), abs(p - b), abs(p - c))
                    predicted = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                default: throw DecodingError(description: "unknown filter \(filter) in row \(row)")
                }
                pixels[row * stride + i] = UInt8((x + predicted) & 0xFF)
            }
        }
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for p in 0..<(width * height) {
            let s = p * channels
            if channels <= 2 {
                (rgb[p * 3], rgb[p * 3 + 1], rgb[p * 3 + 2]) = (pixels[s], pixels[s], pixels[s])
            } else {
                (rgb[p * 3], rgb[p * 3 + 1], rgb[p * 3 + 2]) = (pixels[s], pixels[s + 1], pixels[s + 2])
            }
        }
        (self.width, self.height, self.rgb) = (width, height, rgb)
    }
}

/// DEFLATE decoder (RFC 1951).
private struct Inflater {
    private let input: [UInt8]
    private var position = 0  // in bits
    private var output: [UInt8] = []

    init(_ input: [UInt8]) { self.input = input }

    private mutating func bits(_ count: Int) throws -> Int {
        var value = 0
        for i in 0..<count {
            let byte = position >> 3
            guard byte < input.count else { throw BrowserPNG.DecodingError(description: "DEFLATE stream ends early") }
            value |= Int((input[byte] >> UInt8(position & 7)) & 1) << i
            position += 1
        }
        return value
    }

    /// A canonical Huffman code: symbol counts per length and the symbols in code order.
    private struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int] = []
        init(lengths: [Int]) {
            for length in lengths { counts[length] += 1 }
            counts[0] = 0
            var offsets = [Int](repeating: 0, count: 16)
            for length in 1..<16 { offsets[length] = offsets[length - 1] + counts[length - 1] }
            symbols = [Int](repeating: 0, count: lengths.count)
            for (symbol, length) in lengths.enumerated() where length > 0 {
                symbols[offsets[length]] = symbol
                offsets[length] += 1
            }
        }
    }

    private mutating func decode(_ huffman: Huffman) throws -> Int {
        var code = 0, first = 0, index = 0
        for length in 1..<16 {
            code |= try bits(1)
            let count = huffman.counts[length]
            if code - first < count { return huffman.symbols[index + code - first] }
            index += count
            first = (first + count) << 1
            code <<= 1
        }
        throw BrowserPNG.DecodingError(description: "invalid Huffman code")
    }

    private static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
                                       4097, 6145, 8193, 12289, 16385, 24577]
    private static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    mutating func inflate() throws -> [UInt8] {
        var last = 0
        repeat {
            last = try bits(1)
            switch try bits(2) {
            case 0:
                position = (position + 7) & ~7
                let length = try bits(16)
                _ = try bits(16)
                let start = position >> 3
                guard start + length <= input.count else { throw BrowserPNG.DecodingError(description: "stored block too long") }
                output += input[start..<(start + length)]
                position += length * 8
            case 1:
                let literal = Huffman(lengths: [Int](repeating: 8, count: 144) + [Int](repeating: 9, count: 112)
                                      + [Int](repeating: 7, count: 24) + [Int](repeating: 8, count: 8))
                try block(literal: literal, distance: Huffman(lengths: [Int](repeating: 5, count: 30)))
            case 2:
                let literalCount = try bits(5) + 257, distanceCount = try bits(5) + 1, codeCount = try bits(4) + 4
                let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
                var codeLengths = [Int](repeating: 0, count: 19)
                for i in 0..<codeCount { codeLengths[order[i]] = try bits(3) }
                let codeHuffman = Huffman(lengths: codeLengths)
                var lengths: [Int] = []
                while lengths.count < literalCount + distanceCount {
                    let symbol = try decode(codeHuffman)
                    switch symbol {
                    case 0..<16: lengths.append(symbol)
                    case 16:
                        guard let previous = lengths.last else { throw BrowserPNG.DecodingError(description: "repeat with no previous length") }
                        lengths += [Int](repeating: previous, count: 3 + (try bits(2)))
                    case 17: lengths += [Int](repeating: 0, count: 3 + (try bits(3)))
                    default: lengths += [Int](repeating: 0, count: 11 + (try bits(7)))
                    }
                }
                try block(literal: Huffman(lengths: Array(lengths[0..<literalCount])),
                          distance: Huffman(lengths: Array(lengths[literalCount..<(literalCount + distanceCount)])))
            default:
                throw BrowserPNG.DecodingError(description: "invalid DEFLATE block type")
            }
        } while last == 0
        return output
    }

    private mutating func block(literal: Huffman, distance: Huffman) throws {
        while true {
            let symbol = try decode(literal)
            if symbol < 256 { output.append(UInt8(symbol)); continue }
            if symbol == 256 { return }
            let index = symbol - 257
            guard index < Self.lengthBase.count else { throw BrowserPNG.DecodingError(description: "invalid length symbol \(symbol)") }
            let length = Self.lengthBase[index] + (try bits(Self.lengthExtra[index]))
            let distanceSymbol = try decode(distance)
            guard distanceSymbol < Self.distanceBase.count else { throw BrowserPNG.DecodingError(description: "invalid distance symbol") }
            let back = Self.distanceBase[distanceSymbol] + (try bits(Self.distanceExtra[distanceSymbol]))
            guard back <= output.count else { throw BrowserPNG.DecodingError(description: "distance beyond the output") }
            let start = output.count - back
            for i in 0..<length { output.append(output[start + i]) }
        }
    }
}
