import Foundation
import Descent
import FuzzSupport

/// safetensors: the archive reader, and loading it into a small model (names, shapes, dtypes).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = FuzzInput.bytes(start, count)
    FuzzInput.ignoringErrors {
        let archive = try SafeTensorsArchive(data: data)
        var generator = RandomGenerator(seed: 0)
        let model: Sequential<Float> = try ModelSpec(parsing: "mlp(3)").makeModel(inputs: 2, outputs: 2, generator: &generator)
        try model.loadState(from: archive)
    }
    return 0
}

/// The entry point SwiftPM links as `main` (see `runFuzzer`).
@_cdecl("FuzzSafeTensors_main")
public func fuzzSafeTensorsMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, count in fuzzSafeTensors(UnsafeRawPointer(data ?? UnsafePointer(bitPattern: 1)!), count) }
}
