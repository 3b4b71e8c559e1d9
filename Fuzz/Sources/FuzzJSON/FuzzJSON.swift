import Descent
import Foundation
import FuzzSupport

/// The JSON a model folder and a config hold that the library decodes: the standardiser, the
/// one-hot encoder, CSV options, the trainer state and the optimizer state (each validated on use),
/// and memory sizes (`--memory-limit`). (`config.json` and `preprocessing.json` as a whole are
/// decoded by the `descent` executable, which another package cannot import: their checks are
/// tested in Tests/DescentCLITests/Hostile*.)
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = FuzzInput.bytes(start, count)
    let decoder = JSONDecoder()
    FuzzInput.ignoringErrors {
        let standardizer = try decoder.decode(Standardizer.self, from: data)
        let rows = 2
        let shape = [rows] + standardizer.featureShape
        // Only shapes that fit a small tensor are applied (the decoder checked the product).
        guard standardizer.mean.count <= 4096 else { return }
        let x = Tensor<Float>(repeating: 1, shape: shape)
        _ = try standardizer.transform(x)
        _ = try standardizer.inverseTransform(x)
    }
    FuzzInput.ignoringErrors { _ = try decoder.decode(OneHotEncoder.self, from: data) }
    FuzzInput.ignoringErrors { _ = try decoder.decode(CSVOptions.self, from: data) }
    FuzzInput.ignoringErrors { try decoder.decode(TrainerState.self, from: data).validate() }
    FuzzInput.ignoringErrors {
        let state = try decoder.decode(OptimizerState<Float>.self, from: data)
        try Adam<Float>().restore(state)
    }
    FuzzInput.ignoringErrors { _ = try MemorySize(parsing: String(decoding: data, as: UTF8.self)) }
    return 0
}

/// The entry point SwiftPM links as `main` (see `runFuzzer`).
@_cdecl("FuzzJSON_main")
public func fuzzJSONMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, count in fuzzJSON(UnsafeRawPointer(data ?? UnsafePointer(bitPattern: 1)!), count) }
}
