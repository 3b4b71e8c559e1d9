import Foundation

/// Encodes an RGB image as PNG, so a large smooth colour field (the filled background of a
/// contour plot) can be embedded in an SVG as one `<image>` instead of thousands of rectangles.
///
/// The pixel data is stored without compression (deflate "stored" blocks), which needs no zlib:
/// a 100 × 100 image is about 30 KB, base64 about 40 KB, against about 500 KB of `<rect>`s.
/// Reference: PNG specification, W3C, 2003; RFC 1950 (zlib) and RFC 1951 (deflate).
enum PNGEncoder {
    /// The PNG file of an image `width` pixels wide whose rows, top to bottom, are `pixels`
    /// (row-major, `width × height` colours).
    static func encode(width: Int, height: Int, pixels: [Color]) -> Data {
        precondition(pixels.count == width * height, "PNG encoder: \(pixels.count) pixels for \(width) × \(height).")
        var raw = [UInt8]()
        raw.reserveCapacity(height * (1 + 3 * width))
        for row in 0..<height {
            raw.append(0)  // Filter type 0: none.
            for column in 0..<width {
                let color = pixels[row * width + column]
                raw.append(UInt8((color.red * 255).rounded()))
                raw.append(UInt8((color.green * 255).rounded()))
                raw.append(UInt8((color.blue * 255).rounded()))
            }
        }
        var file = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var header = [UInt8]()
        header += bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        header += [8, 2, 0, 0, 0]  // 8 bits per channel, truecolour RGB, deflate, no filter, no interlace.
        appendChunk("IHDR", header, to: &file)
        appendChunk("IDAT", zlibStored(raw), to: &file)
        appendChunk("IEND", [], to: &file)
        return file
    }

    /// Wraps `bytes` in a zlib stream of uncompressed deflate blocks (at most 65,535 bytes each).
    private static func zlibStored(_ bytes: [UInt8]) -> [UInt8] {
        var stream: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let length = min(65_535, bytes.count - offset)
            let isLast = offset + length == bytes.count
            stream.append(isLast ? 1 : 0)
            stream += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            stream += bytes[offset..<(offset + length)]
            offset += length
        } while offset < bytes.count
        return stream + bigEndian(adler32(bytes))
    }

    private static func appendChunk(_ type: String, _ body: [UInt8], to file: inout Data) {
        let typeBytes = Array(type.utf8)
        file.append(contentsOf: bigEndian(UInt32(body.count)))
        file.append(contentsOf: typeBytes)
        file.append(contentsOf: body)
        file.append(contentsOf: bigEndian(crc32(typeBytes + body)))
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    /// Adler-32 checksum of the uncompressed data (RFC 1950).
    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return (b << 16) | a
    }

    /// CRC-32 (polynomial 0xEDB88320) as PNG chunks use.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }
}
