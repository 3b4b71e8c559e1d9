import Foundation
import Descent
import FuzzSupport

/// IDX behind a valid gzip wrapper: the fuzzer's bytes are the decompressed content, so the
/// mutations reach the IDX reader through the gzip path (which a raw mutation rarely keeps valid).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDXGzip(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let path = FuzzInput.file(gzipStored(FuzzInput.bytes(start, count)), name: "input-idx3-ubyte.gz")
    FuzzInput.ignoringErrors { _ = try IDXLoader.header(path) }
    FuzzInput.ignoringErrors { let _: Tensor<Float> = try IDXLoader.load(path) }
    FuzzInput.ignoringErrors { _ = try IDXLoader.loadLabels(path) }
    FuzzInput.ignoringErrors { _ = try StreamingDataset<Float>.estimatedInMemoryBytes(features: path, labels: path) }
    FuzzInput.ignoringErrors { _ = try ArrayDatasetLoader.load(features: path, labels: path, as: Float.self) }
    return 0
}

/// The entry point SwiftPM links as `main` (see `runFuzzer`).
@_cdecl("FuzzIDXGzip_main")
public func fuzzIDXGzipMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, count in fuzzIDXGzip(UnsafeRawPointer(data ?? UnsafePointer(bitPattern: 1)!), count) }
}
