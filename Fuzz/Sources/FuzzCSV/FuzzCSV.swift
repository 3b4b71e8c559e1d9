import Foundation
import Descent
import FuzzSupport

/// CSV: the parallel in-memory reader (delimiter detected, header, Eisel–Lemire numbers), the
/// streaming reader, the format detection and the inspector's view, over the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let path = FuzzInput.file(FuzzInput.bytes(start, count), name: "input.csv")
    FuzzInput.ignoringErrors { _ = try DataFileFormat.detect(path: path) }
    FuzzInput.ignoringErrors { let _: CSVTable<Float> = try CSVLoader.load(path) }
    FuzzInput.ignoringErrors { let _: CSVTable<Double> = try CSVLoader.load(path, options: CSVOptions(hasHeader: false)) }
    FuzzInput.ignoringErrors {
        let dataset = try StreamingDataset<Float>.csv(path, chunkRows: 7)
        let loader = StreamingLoader(dataset, batchSize: .samples(3), shuffle: true, seed: 1, windowChunks: 2, prefetch: false)
        let batches = try loader.batches(epoch: 0)
        while try batches.next() != nil {}
    }
    return 0
}

/// The entry point SwiftPM links as `main` (see `runFuzzer`).
@_cdecl("FuzzCSV_main")
public func fuzzCSVMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, count in fuzzCSV(UnsafeRawPointer(data ?? UnsafePointer(bitPattern: 1)!), count) }
}
