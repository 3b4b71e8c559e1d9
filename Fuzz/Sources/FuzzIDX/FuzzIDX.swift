import Foundation
import Descent
import FuzzSupport

/// IDX (plain, or gzip when the bytes start with its magic): header, whole-file load, labels, the
/// streaming reader and the size estimate the CLI asks before loading.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    readIDX(FuzzInput.bytes(start, count))
    return 0
}

func readIDX(_ data: Data) {
    let path = FuzzInput.file(data, name: "input-idx3-ubyte")
    FuzzInput.ignoringErrors { _ = try IDXLoader.header(path) }
    FuzzInput.ignoringErrors { let _: Tensor<Float> = try IDXLoader.load(path, scaleToUnit: true) }
    FuzzInput.ignoringErrors { _ = try IDXLoader.loadLabels(path) }
    FuzzInput.ignoringErrors { _ = try LabelFile.load(path) }
    FuzzInput.ignoringErrors { _ = try StreamingDataset<Float>.estimatedInMemoryBytes(features: path, labels: path) }
    FuzzInput.ignoringErrors {
        let dataset = try StreamingDataset<Float>.idx(images: path, labels: path, chunkRows: 5)
        let batches = try StreamingLoader(dataset, batchSize: .samples(2), prefetch: false).batches(epoch: 0)
        while try batches.next() != nil {}
    }
}

/// The entry point SwiftPM links as `main` (see `runFuzzer`).
@_cdecl("FuzzIDX_main")
public func fuzzIDXMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, count in fuzzIDX(UnsafeRawPointer(data ?? UnsafePointer(bitPattern: 1)!), count) }
}
