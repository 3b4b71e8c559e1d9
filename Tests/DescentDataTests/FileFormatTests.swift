import DescentCore
@testable import DescentData
import Foundation
import Testing

/// Little-endian bytes of Float32 values, as NumPy's `<f4` stores them.
func float32Bytes(_ values: [Float]) -> [UInt8] { values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) } }

/// Runs `python3 -c script` and returns its standard output, or `nil` when python3 with NumPy is not installed.
func numpyOutput(_ script: String) throws -> String? {
    let probe = Process()
    probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    probe.arguments = ["python3", "-c", "import numpy"]
    probe.standardError = FileHandle.nullDevice
    guard (try? probe.run()) != nil else { return nil }
    probe.waitUntilExit()
    guard probe.terminationStatus == 0 else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

@Suite struct FormatDetectionTests {
    @Test func formatComesFromTheContentNotTheName() throws {
        let folder = try TemporaryFolder()
        let npy = try folder.write("looks.csv", bytes: npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", data: float32Bytes([1])))
        #expect(try DataFileFormat.detect(path: npy) == .npy)
        let idx = try folder.write("data.bin", bytes: idxBytes(type: 0x08, shape: [2, 1, 1], data: [1, 2]))
        #expect(try DataFileFormat.detect(path: idx) == .idx)
        #expect(try DataFileFormat.detect(path: try gzipFile(idx)) == .idx)
        let csv = try folder.write("table.npy", "a;b\n1;2\n")
        #expect(try DataFileFormat.detect(path: csv) == .csv)
        #expect(try DataFileFormat.detect(path: try gzipFile(csv)) == .csv)
        #expect(try DataFileFormat.detect(path: try folder.write("empty", "")) == .csv)
        // A truncated IDX file is still IDX, so its loader can say it is truncated.
        let short = try folder.write("short", bytes: idxBytes(type: 0x08, shape: [3, 2, 2], data: [1]))
        #expect(try DataFileFormat.detect(path: short) == .idx)
        #expect(DataFileFormat.isGzipCompressed(path: try gzipFile(csv)))
        #expect(!DataFileFormat.isGzipCompressed(path: csv))
    }

    @Test func unsupportedBinaryShowsHexAndWhatIsSupported() throws {
        let folder = try TemporaryFolder()
        let junk = try folder.write("x.csv", bytes: [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00])
        // The first bytes of an ELF executable, written above, printed as hex.
        #expect(dataErrorMessage { _ = try DataFileFormat.detect(path: junk) }
                == "\(junk): not CSV text, IDX or .npy (first bytes: 7f 45 4c 46 02 01 01 00 00 00); supported: "
                + "CSV/TSV (plain or .gz), IDX images and labels (plain or .gz, as MNIST and Fashion-MNIST), NumPy .npy")
        let zip = try folder.write("a.npz", bytes: [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00])
        #expect(dataErrorMessage { _ = try DataFileFormat.detect(path: zip) }.contains("an .npz file holds .npy arrays, unzip it"))
        let idxLike = try folder.write("bad-type", bytes: [0, 0, 0x42, 1, 0, 0, 0, 1, 0])
        #expect(dataErrorMessage { _ = try DataFileFormat.detect(path: idxLike) }.contains("type 0x42 or rank 1 is not valid IDX"))
        #expect(dataErrorMessage { _ = try DataFileFormat.detect(path: folder.path("missing")) } == "\(folder.path("missing")): no such file")
    }
}

@Suite struct MemoryMappedNPYTests {
    @Test func matchingTypeIsMappedAndWritesStayPrivate() throws {
        let folder = try TemporaryFolder()
        let values: [Float] = [1, 2.5, -3, 4, 5, 6]
        let path = try folder.write("x.npy", bytes: npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", data: float32Bytes(values)))
        var tensor: Tensor<Float> = try NPYLoader.load(path)
        #expect(tensor.storage.isMemoryMapped)
        #expect(tensor.shape == [3, 2])
        #expect(tensor.scalars == values)
        // The only holder writes in place: MAP_PRIVATE copies the page, the file keeps its bytes.
        tensor.withUnsafeMutableBufferPointer { $0[0] = 99 }
        #expect(tensor.scalars[0] == 99)
        #expect(try NPYLoader.load(path, as: Float.self).scalars == values)
        // Another type is converted into pooled storage, with the same values.
        let converted: Tensor<Double> = try NPYLoader.load(path)
        #expect(!converted.storage.isMemoryMapped)
        #expect(converted.scalars == values.map(Double.init))
        #expect(try !NPYLoader.load(path, as: Float.self, memoryMap: false).storage.isMemoryMapped)
    }

    @Test func misalignedOrCompressedDataIsCopied() throws {
        let folder = try TemporaryFolder()
        // NumPy before 1.9 padded headers to 16 bytes: data at byte 80 is not 64-byte aligned.
        var header = Array("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }".utf8)
        while (10 + header.count + 1) % 16 != 0 || (10 + header.count + 1) % 64 == 0 { header.append(0x20) }
        header.append(0x0A)
        let bytes = NPYLoader.magic + [1, 0] + withUnsafeBytes(of: UInt16(header.count).littleEndian, Array.init) + header
            + [0.5, -1.25].flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        let path = try folder.write("old.npy", bytes: bytes)
        #expect(try NPYLoader.header(path).dataOffset % 64 != 0)
        let tensor: Tensor<Double> = try NPYLoader.load(path)
        #expect(!tensor.storage.isMemoryMapped)
        #expect(tensor.scalars == [0.5, -1.25])
        let gz: Tensor<Double> = try NPYLoader.load(try gzipFile(path))
        #expect(gz.scalars == [0.5, -1.25])
    }

    @Test func headerSizesThatOverflowAreErrorsNotTraps() throws {
        let folder = try TemporaryFolder()
        // 2³² · 2³² elements overflow Int: the product is checked before use.
        let npy = try folder.write("huge.npy", bytes: npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", data: []))
        #expect(dataErrorMessage { _ = try NPYLoader.load(npy, as: Float.self) }
                == "\(npy): byte 10: the shape [4294967296, 4294967296] multiplies to more bytes than any file holds; the header is corrupt")
        // Fits in Int but not in the file: a truncation error with both sizes.
        let big = try folder.write("big.npy", bytes: npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000), }", data: [0, 0]))
        #expect(dataErrorMessage { _ = try NPYLoader.load(big, as: Float.self) }.contains("the file ends after 2 of 8,000,000,000 data bytes"))
        // IDX 00 00 08 03 with three sizes of 2³²−1: (2³²−1)³ bytes overflow.
        let idx = try folder.write("huge-idx3-ubyte", bytes: [0, 0, 8, 3] + [UInt8](repeating: 0xFF, count: 12))
        #expect(dataErrorMessage { _ = try IDXLoader.load(idx, as: Float.self) }
                == "\(idx): byte 4: the IDX header's sizes [4294967295, 4294967295, 4294967295] multiply to more bytes than any file holds; the header is corrupt (this is not a valid IDX file)")
        #expect(dataErrorMessage { _ = try StreamingDataset<Float>.idx(images: idx, labels: idx) }.contains("multiply to more bytes"))
    }
}

@Suite struct LabelFileTests {
    @Test func readsLabelsFromEveryFormat() throws {
        let folder = try TemporaryFolder()
        let idx = try folder.write("l-idx1-ubyte", bytes: idxBytes(type: 0x08, shape: [3], data: [2, 0, 1]))
        #expect(try LabelFile.load(try gzipFile(idx)) == LabelFile(classes: [2, 0, 1], classNames: nil, format: .idx))
        let i8 = try folder.write("y.npy", bytes: npyBytes("{'descr': '<i8', 'fortran_order': False, 'shape': (3, 1), }", data: littleEndianBytes([Int64(4), 0, 9])))
        #expect(try LabelFile.loadClasses(i8) == [4, 0, 9])
        let whole = try folder.write("w.npy", bytes: npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", data: float32Bytes([3, 1])))
        #expect(try LabelFile.loadClasses(whole) == [3, 1])
        let header = try folder.write("h.csv", "label\r\n1\r\n0\r\n2\r\n")
        #expect(try LabelFile.loadClasses(header) == [1, 0, 2])
        let plain = try folder.write("p.csv", "1\n0\n\"2\"\n3.0\n")
        #expect(try LabelFile.loadClasses(plain) == [1, 0, 2, 3])
        // Text labels are numbered in sorted order; the header "species" occurs on no other line.
        let text = try LabelFile.load(try folder.write("t.csv", "species\ndog\ncat\ndog\n"))
        #expect(text.classes == [1, 0, 1])
        #expect(text.classNames == ["cat", "dog"])
        #expect(text.classCount == 2)
        #expect(try LabelFile.load(try folder.write("n.csv", "dog\ncat\ndog\n"), hasHeader: false).classes == [1, 0, 1])
    }

    @Test func badLabelsNameTheirPlace() throws {
        let folder = try TemporaryFolder()
        let fraction = try folder.write("f.npy", bytes: npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", data: float32Bytes([1, 2.5])))
        // 10 preamble bytes + the 57-character dict + newline, padded: data from byte 128; element 1 at 132.
        #expect(dataErrorMessage { _ = try LabelFile.load(fraction) }
                == "\(fraction): byte 132: label 1 is 2.5, not a whole number; class labels must be whole numbers (for regression targets, use the array as values, not labels)")
        let negative = try folder.write("neg.csv", "1\n-1\n")
        #expect(dataErrorMessage { _ = try LabelFile.load(negative) } == "\(negative): label 1 is -1; class labels must be 0 or more (0, 1, 2 …)")
        let table = try folder.write("two.csv", "a,b\n1,2\n")
        #expect(dataErrorMessage { _ = try LabelFile.load(table) }.hasPrefix("\(table):1:2: this line has more than one field"))
        let gap = try folder.write("gap.csv", "1\n\n2\n")
        #expect(dataErrorMessage { _ = try LabelFile.load(gap) } == "\(gap):2: empty line; every line must hold one label")
        let wide = try folder.write("wide.npy", bytes: npyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", data: [UInt8](repeating: 0, count: 24)))
        #expect(dataErrorMessage { _ = try LabelFile.load(wide) }.contains("found shape [2, 3] (for one-hot labels save labels.argmax(axis=1) instead)"))
        #expect(dataErrorMessage { _ = try LabelFile.load(try folder.write("e.csv", "")) }.contains("holds no labels"))
    }
}

@Suite struct ArrayDatasetTests {
    @Test func npyFeaturesWithCSVLabelsAndRegressionTargets() throws {
        let folder = try TemporaryFolder()
        let x = try folder.write("X.npy", bytes: npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", data: float32Bytes([1, 2, 3, 4, 5, 6])))
        let y = try folder.write("y.csv", "class\n0\n2\n1\n")
        let data: TensorDataset<Float> = try ArrayDatasetLoader.load(features: x, labels: y)
        #expect(data.features.storage.isMemoryMapped)
        #expect(data.targets.classes == [0, 2, 1])
        #expect(data.classCount == 3)
        let values = try folder.write("v.npy", bytes: npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", data: float32Bytes([0.5, 1, 2])))
        let regression: TensorDataset<Float> = try ArrayDatasetLoader.load(features: x, labels: values)
        #expect(regression.targets.values?.shape == [3, 1])
        #expect(regression.targets.values?.scalars == [0.5, 1, 2])
        let unlabeled: TensorDataset<Float> = try ArrayDatasetLoader.load(features: x)
        #expect(unlabeled.targets.values?.shape == [3, 0])
    }

    @Test func imageShapesAreKeptOrFlattened() throws {
        let folder = try TemporaryFolder()
        let images = try folder.write("i-idx3-ubyte", bytes: idxBytes(type: 0x08, shape: [2, 2, 3], data: [UInt8](repeating: 255, count: 12)))
        let labels = try folder.write("l-idx1-ubyte", bytes: idxBytes(type: 0x08, shape: [2], data: [1, 0]))
        let flat: TensorDataset<Float> = try ArrayDatasetLoader.load(features: images, labels: labels)
        #expect(flat.features.shape == [2, 6])
        #expect(flat.features.scalars.allSatisfy { $0 == 1 })
        let kept: TensorDataset<Float> = try ArrayDatasetLoader.load(features: try gzipFile(images), labels: labels, flatten: false)
        #expect(kept.features.shape == [2, 1, 2, 3])
        let mnist: TensorDataset<Float> = try IDXLoader.loadMNIST(images: images, labels: labels, flatten: false)
        #expect(mnist.features.shape == [2, 1, 2, 3])
        let channels = try folder.write("c-idx4-ubyte", bytes: idxBytes(type: 0x08, shape: [2, 3, 1, 1], data: [1, 2, 3, 4, 5, 6]))
        #expect(try ArrayDatasetLoader.load(features: channels, labels: labels, flatten: false, as: Float.self).features.shape == [2, 3, 1, 1])
    }

    @Test func emptyAndMismatchedArraysAreErrors() throws {
        let folder = try TemporaryFolder()
        let noRows = try folder.write("r.npy", bytes: npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }", data: []))
        #expect(dataErrorMessage { _ = try ArrayDatasetLoader.load(features: noRows, as: Float.self) } == "\(noRows): the array has no rows (shape [0, 3])")
        let noWidth = try folder.write("w.npy", bytes: npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 0), }", data: []))
        #expect(dataErrorMessage { _ = try ArrayDatasetLoader.load(features: noWidth, as: Float.self) }.hasPrefix("\(noWidth): each row has no features (shape [4, 0])"))
        let x = try folder.write("x.npy", bytes: npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", data: float32Bytes([1, 2])))
        let y = try folder.write("y.csv", "0\n1\n1\n")
        #expect(dataErrorMessage { _ = try ArrayDatasetLoader.load(features: x, labels: y, as: Float.self) }
                == "\(y): 3 labels for 2 rows in \(x); the files do not belong together")
        let csv = try folder.write("t.csv", "a,b\n1,2\n")
        #expect(dataErrorMessage { _ = try ArrayDatasetLoader.load(features: csv, as: Float.self) }.contains("read CSV with CSVLoader"))
        let emptyImages = try folder.write("e-idx3-ubyte", bytes: idxBytes(type: 0x08, shape: [0, 28, 28], data: []))
        #expect(dataErrorMessage { _ = try IDXLoader.loadMNIST(images: emptyImages, labels: y, as: Float.self) } == "\(emptyImages): the file holds no images (shape [0, 28, 28])")
    }
}

@Suite struct NPYWriterTests {
    @Test func writtenFilesReadBackMappedAndAligned() throws {
        let folder = try TemporaryFolder()
        let tensor = try Tensor<Float>(shape: [2, 3], scalars: [1, -2, 3.5, 4, 5, 6e-8])
        let path = folder.path("X.npy")
        try NPYWriter.write(tensor, to: path)
        let back: Tensor<Float> = try NPYLoader.load(path)
        #expect(back.storage.isMemoryMapped)
        #expect(back.shape == [2, 3])
        #expect(back.scalars == tensor.scalars)
        // 10 preamble bytes and a 60-character dict, padded with spaces and a newline to 128 (NumPy writes the same).
        #expect(try NPYLoader.header(path).dataOffset == 128)
        try NPYWriter.write(Tensor<Double>([0.1, 0.2]), to: path)  // replaces the file atomically
        #expect(try NPYLoader.load(path, as: Double.self).scalars == [0.1, 0.2])
        try NPYWriter.write(labels: [3, 0, 7], to: folder.path("y.npy"))
        #expect(try NPYLoader.header(folder.path("y.npy")).typeDescription == "<i8")
        #expect(try LabelFile.loadClasses(folder.path("y.npy")) == [3, 0, 7])
        // No temporary files are left beside them.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted() == ["X.npy", "y.npy"])
        #expect(dataErrorMessage { try NPYWriter.write(labels: [1], to: folder.path("no/such/dir/y.npy")) }.contains("cannot create"))
    }

    @Test func numpyReadsWhatWeWriteAndWeReadWhatNumpyWrites() throws {
        let folder = try TemporaryFolder()
        try NPYWriter.write(try Tensor<Float>(shape: [2, 2], scalars: [1, 2, 3, 4.5]), to: folder.path("ours.npy"))
        try NPYWriter.write(labels: [5, 6], to: folder.path("labels.npy"))
        let script = """
        import numpy as np
        a = np.load('\(folder.path("ours.npy"))'); b = np.load('\(folder.path("labels.npy"))')
        print(a.dtype, a.shape, a.tolist(), b.dtype, b.tolist())
        np.save('\(folder.path("theirs.npy"))', np.arange(6, dtype=np.float32).reshape(3, 2) / 4)
        """
        guard let output = try numpyOutput(script) else {
            print("NPYWriterTests: python3 with NumPy is not installed; checked only with NPYLoader")
            return
        }
        #expect(output == "float32 (2, 2) [[1.0, 2.0], [3.0, 4.5]] int64 [5, 6]")
        let theirs: Tensor<Float> = try NPYLoader.load(folder.path("theirs.npy"))
        #expect(theirs.storage.isMemoryMapped)
        #expect(theirs.shape == [3, 2])
        #expect(theirs.scalars == [0, 0.25, 0.5, 0.75, 1, 1.25])
        // Our header is byte for byte the one numpy.save wrote.
        let written = try Array(Data(contentsOf: URL(fileURLWithPath: folder.path("theirs.npy"))).prefix(128))
        #expect(written == NPYWriter.header(descriptor: "f4", shape: [3, 2]))
    }
}

/// A measurement, not a check: run with `DESCENT_BIG_NPY=/path/to/big.npy` to time mapping against copying.
@Suite struct BigNPYMeasurement {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["DESCENT_BIG_NPY"] != nil))
    func mappingABigFileTakesMilliseconds() throws {
        let path = ProcessInfo.processInfo.environment["DESCENT_BIG_NPY"] ?? ""
        let clock = ContinuousClock()
        var mapped: Tensor<Float>?
        let mapTime = try clock.measure { mapped = try NPYLoader.load(path) }
        #expect(mapped?.storage.isMemoryMapped == true)
        let copyTime = try clock.measure { _ = try NPYLoader.load(path, as: Float.self, memoryMap: false) }
        print("BigNPYMeasurement: \(path): shape \(mapped?.shape ?? []), mapped in \(mapTime), copied in \(copyTime)")
    }
}
