import DescentCore
import DescentData
import Foundation
import Testing

/// Inputs the libFuzzer harnesses (Fuzz/) found that trapped, each kept as a regression test with
/// its bytes written out (the same bytes are in Fuzz/Corpus/<harness>/, so later fuzzing starts
/// from them).
@Suite struct FuzzRegressionTests {
    /// Fuzz/FuzzIDX, crash-8f11caaf…: an IDX header `00 00 08 03` with sizes 3 × 0x68686868 ×
    /// 0x68686868 (9.2·10¹⁸ bytes of UInt8, just below Int.max) made the memory estimate
    /// overflow multiplying by 4 bytes per Float; it now saturates at Int.max (the file is streamed
    /// or refused as too large, never trapped on).
    @Test func idxSizesJustBelowIntMaxSaturateTheMemoryEstimate() throws {
        let folder = try TemporaryFolder()
        let bytes: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 3] + [UInt8](repeating: 0x68, count: 8) + [0, 0, 0, 2, 0, 0, 0, 3, 0x18] + Array(0...11)
        let path = try folder.write("crash-idx3-ubyte", bytes: bytes)
        #expect(try StreamingDataset<Float>.estimatedInMemoryBytes(features: path) == Int.max)
        #expect(try StreamingDataset<Float>.estimatedInMemoryBytes(features: path, labels: path) == Int.max)
    }

    /// Fuzz/FuzzIDX, crash-eafb8d7b…: an IDX header of rank 7 whose sizes hold a 0 after three
    /// that overflow when multiplied left to right (0x00200055 · 0x6e736166 · 0x65000000) passed
    /// the header check (the product with the 0 is 0) and trapped in `Tensor`'s own product. Such
    /// a header is now refused; a shape with a 0 and small sizes still loads as empty.
    @Test func idxShapesWithAZeroAfterOverflowingSizesAreRefused() throws {
        let folder = try TemporaryFolder()
        let sizes: [UInt8] = [0x00, 0x20, 0x00, 0x55, 0x6e, 0x73, 0x61, 0x66, 0x65, 0, 0, 0] + [UInt8](repeating: 0, count: 16)
        let path = try folder.write("crash-idx", bytes: [0, 0, 8, 7] + sizes)
        let message = dataErrorMessage { let _: Tensor<Float> = try IDXLoader.load(path) }
        #expect(message.contains("multiply to more bytes than any file holds"), "\(message)")
        let empty = try folder.write("empty-idx", bytes: [0, 0, 8, 2, 0, 0, 0, 3, 0, 0, 0, 0])
        let tensor: Tensor<Float> = try IDXLoader.load(empty)
        #expect(tensor.shape == [3, 0])
    }
}
