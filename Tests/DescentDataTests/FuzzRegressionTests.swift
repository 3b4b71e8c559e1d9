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
}
