import DescentCore
@testable import DescentData
import Foundation
import Testing

/// The bytes of an IDX file: magic 00 00 type rank, big-endian sizes, then `data`.
func idxBytes(type: UInt8, shape: [Int], data: [UInt8]) -> [UInt8] {
    var bytes: [UInt8] = [0, 0, type, UInt8(shape.count)]
    for size in shape { bytes += withUnsafeBytes(of: UInt32(size).bigEndian, Array.init) }
    return bytes + data
}

/// The bytes of a `.npy` file with the given header dict and raw data (version 1 or 2).
func npyBytes(_ dict: String, data: [UInt8], version: UInt8 = 1) -> [UInt8] {
    let lengthBytes = version == 1 ? 2 : 4
    var header = Array(dict.utf8)
    // Pad with spaces and a newline so the data starts on a 64-byte boundary, as NumPy writes it.
    while (8 + lengthBytes + header.count + 1) % 64 != 0 { header.append(0x20) }
    header.append(0x0A)
    var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0]
    if version == 1 {
        bytes += withUnsafeBytes(of: UInt16(header.count).littleEndian, Array.init)
    } else {
        bytes += withUnsafeBytes(of: UInt32(header.count).littleEndian, Array.init)
    }
    return bytes + header + data
}

func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) }
}

@Suite struct IDXTests {
    @Test func readsImagesAndLabelsScaledToUnit() throws {
        let folder = try TemporaryFolder()
        // Two 2×3 "images" with pixels 0, 51, 102, 153, 204, 255 (k·51, so k/5 after scaling).
        let pixels: [UInt8] = [0, 51, 102, 153, 204, 255, 255, 204, 153, 102, 51, 0]
        let images = try folder.write("images-idx3-ubyte", bytes: idxBytes(type: 0x08, shape: [2, 2, 3], data: pixels))
        let labels = try folder.write("labels-idx1-ubyte", bytes: idxBytes(type: 0x08, shape: [2], data: [7, 3]))
        let raw: Tensor<Float> = try IDXLoader.load(images)
        #expect(raw.shape == [2, 2, 3])
        #expect(raw.scalars == pixels.map(Float.init))
        let dataset: TensorDataset<Float> = try IDXLoader.loadMNIST(images: images, labels: labels)
        #expect(dataset.featureShape == [6])
        #expect(dataset.features.scalars[0..<6] == [0, 0.2, 0.4, 0.6, 0.8, 1.0].map { Float($0) }[...])
        #expect(dataset.targets.classes == [7, 3])
        #expect(dataset.classCount == 10)
    }

    @Test func readsGzipCompressedFiles() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("x-idx2-ubyte", bytes: idxBytes(type: 0x08, shape: [3, 2], data: [1, 2, 3, 4, 5, 6]))
        let tensor: Tensor<Double> = try IDXLoader.load(try gzipFile(path))
        #expect(tensor.shape == [3, 2])
        #expect(tensor.scalars == [1, 2, 3, 4, 5, 6])
    }

    @Test func readsBigEndianFloatsAndInts() throws {
        let folder = try TemporaryFolder()
        let floats = [Float(1.5), -2.25].flatMap { withUnsafeBytes(of: $0.bitPattern.bigEndian, Array.init) }
        let path = try folder.write("f-idx1-float", bytes: idxBytes(type: 0x0D, shape: [2], data: floats))
        #expect(try IDXLoader.load(path, as: Double.self).scalars == [1.5, -2.25])
        let ints = [Int32(-7), 300].flatMap { withUnsafeBytes(of: $0.bigEndian, Array.init) }
        let labels = try folder.write("l-idx1-int", bytes: idxBytes(type: 0x0C, shape: [2], data: ints))
        #expect(try IDXLoader.loadLabels(labels) == [-7, 300])
    }

    @Test func truncatedFileNamesByteOffsetsAndCounts() throws {
        let folder = try TemporaryFolder()
        // Header promises 3 images of 2×2 = 12 bytes; only 5 data bytes follow (file is 16 + 5 = 21 bytes).
        let path = try folder.write("short-idx3-ubyte", bytes: idxBytes(type: 0x08, shape: [3, 2, 2], data: [1, 2, 3, 4, 5]))
        let message = dataErrorMessage { _ = try IDXLoader.load(path, as: Float.self) }
        #expect(message == "\(path): byte 21: the file ends after 5 of 12 data bytes (shape [3, 2, 2] of unsigned bytes from byte 16); it holds 1 complete items — the file is truncated, download it again")
        let header = try folder.write("h-idx3-ubyte", bytes: [0, 0, 8, 3, 0, 0])
        #expect(dataErrorMessage { _ = try IDXLoader.load(header, as: Float.self) } == "\(header): byte 6: the file ends inside the IDX header: 3 axes need 16 header bytes")
    }

    @Test func badMagicIsReported() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("not.idx", "hello world")
        let message = dataErrorMessage { _ = try IDXLoader.load(path, as: Float.self) }
        #expect(message.hasPrefix("\(path): byte 0: expected the IDX magic number (00 00 type rank), found 68 65 6c 6c"))
        let type = try folder.write("type.idx", bytes: [0, 0, 0x42, 1, 0, 0, 0, 0])
        #expect(dataErrorMessage { _ = try IDXLoader.load(type, as: Float.self) }.hasPrefix("\(type): byte 2: unknown IDX element type 0x42"))
    }

    @Test func corruptGzipNamesTheCompressedOffset() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("x-idx1-ubyte", bytes: idxBytes(type: 0x08, shape: [4000], data: (0..<4000).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 13) }))
        let compressed = try Array(Data(contentsOf: URL(fileURLWithPath: try gzipFile(path))))
        let truncated = try folder.write("cut.gz", bytes: Array(compressed.prefix(compressed.count / 2)))
        let message = dataErrorMessage { _ = try IDXLoader.load(truncated, as: Float.self) }
        #expect(message.hasPrefix("\(truncated): byte "))
        #expect(message.contains("the gzip data is corrupt or truncated"))
    }

    @Test func mismatchedImageAndLabelCounts() throws {
        let folder = try TemporaryFolder()
        let images = try folder.write("i", bytes: idxBytes(type: 0x08, shape: [2, 1, 1], data: [0, 1]))
        let labels = try folder.write("l", bytes: idxBytes(type: 0x08, shape: [3], data: [0, 1, 2]))
        let message = dataErrorMessage { let _: TensorDataset<Float> = try IDXLoader.loadMNIST(images: images, labels: labels) }
        #expect(message == "\(labels): 3 labels for 2 images in \(images); the files do not belong together")
    }
}

@Suite struct NPYTests {
    @Test func readsFloat32Version1() throws {
        let folder = try TemporaryFolder()
        let data = [Float(1), 2.5, -3, 4].flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        let path = try folder.write("a.npy", bytes: npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", data: data))
        let tensor: Tensor<Double> = try NPYLoader.load(path)
        #expect(tensor.shape == [2, 2])
        #expect(tensor.scalars == [1, 2.5, -3, 4])
    }

    @Test func readsFloat64Int32Int64AndUInt8Version2() throws {
        let folder = try TemporaryFolder()
        let doubles = [0.1, -0.2].flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        let f8 = try folder.write("d.npy", bytes: npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", data: doubles, version: 2))
        #expect(try NPYLoader.load(f8, as: Double.self).scalars == [0.1, -0.2])
        let i4 = try folder.write("i4.npy", bytes: npyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }", data: littleEndianBytes([Int32(2), 0, -1])))
        #expect(try NPYLoader.loadIntegers(i4) == [2, 0, -1])
        let i8 = try folder.write("i8.npy", bytes: npyBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", data: littleEndianBytes([Int64(5), 9])))
        #expect(try NPYLoader.load(i8, as: Float.self).scalars == [5, 9])
        let u1 = try folder.write("u1.npy", bytes: npyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': (1, 3), }", data: [0, 128, 255]))
        #expect(try NPYLoader.load(u1, as: Float.self).shape == [1, 3])
        #expect(try NPYLoader.header(u1).majorVersion == 1)
    }

    @Test func fortranOrderIsRejectedWithAFix() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("f.npy", bytes: npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 1), }", data: [0, 0, 0, 0]))
        let message = dataErrorMessage { _ = try NPYLoader.load(path, as: Float.self) }
        #expect(message == "\(path): byte 10: the array is stored in Fortran (column-major) order; only C order is supported — save numpy.ascontiguousarray(array) instead")
    }

    @Test func badMagicUnsupportedTypeAndTruncation() throws {
        let folder = try TemporaryFolder()
        let bad = try folder.write("bad.npy", "not numpy at all")
        #expect(dataErrorMessage { _ = try NPYLoader.load(bad, as: Float.self) }.hasPrefix("\(bad): byte 0: expected the .npy magic bytes"))
        let big = try folder.write("big.npy", bytes: npyBytes("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", data: [0, 0, 0, 0]))
        #expect(dataErrorMessage { _ = try NPYLoader.load(big, as: Float.self) }.contains("unsupported element type '>f4'"))
        // 3 float32 promised (12 bytes), 6 given; 10 + 57 header characters + newline pad to 128.
        let short = try folder.write("short.npy", bytes: npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", data: [0, 0, 0, 0, 0, 0]))
        #expect(dataErrorMessage { _ = try NPYLoader.load(short, as: Float.self) }
                == "\(short): byte 134: the file ends after 6 of 12 data bytes (shape [3], '<f4', data from byte 128); the file is truncated")
    }
}
