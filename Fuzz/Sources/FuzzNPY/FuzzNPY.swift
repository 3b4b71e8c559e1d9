import Foundation
import Descent
import FuzzSupport

/// `.npy`: the header, the memory-mapped load in both element types, integer labels, and the
/// streaming reader.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPY(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let path = FuzzInput.file(FuzzInput.bytes(start, count), name: "input.npy")
    FuzzInput.ignoringErrors { _ = try NPYLoader.header(path) }
    FuzzInput.ignoringErrors { let _: Tensor<Float> = try NPYLoader.load(path) }
    FuzzInput.ignoringErrors { let _: Tensor<Double> = try NPYLoader.load(path) }
    FuzzInput.ignoringErrors { _ = try NPYLoader.loadIntegers(path) }
    FuzzInput.ignoringErrors { _ = try NPYLoader.loadClassLabels(path) }
    FuzzInput.ignoringErrors { _ = try ArrayDatasetLoader.load(features: path, labels: path, as: Float.self) }
    FuzzInput.ignoringErrors {
        let dataset = try StreamingDataset<Float>.npy(features: path, labels: path, chunkRows: 5)
        let batches = try StreamingLoader(dataset, batchSize: .samples(2), prefetch: false).batches(epoch: 0)
        while try batches.next() != nil {}
    }
    return 0
}

/// The entry point SwiftPM links as `main` (see `runFuzzer`).
@_cdecl("FuzzNPY_main")
public func fuzzNPYMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, count in fuzzNPY(UnsafeRawPointer(data ?? UnsafePointer(bitPattern: 1)!), count) }
}
