import Foundation
import Descent
import FuzzSupport

/// Checkpoint files: the decoder (trailer, checksum, sections), then a restore into a small
/// trainer. The bytes are read as they are, and again as the archive of a checkpoint with a fresh,
/// valid trailer (length and checksum), so that edits, not only accidents, reach the field checks.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpoint(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = FuzzInput.bytes(start, count)
    for candidate in [data, withFreshChecksum(data)] {
        FuzzInput.ignoringErrors {
            let checkpoint = try TrainingCheckpoint<Float>(data: candidate)
            var generator = RandomGenerator(seed: 0)
            let model: Sequential<Float> = try ModelSpec(parsing: "mlp(3)").makeModel(inputs: 2, outputs: 2, generator: &generator)
            let trainer = try Trainer(model: model, loss: CrossEntropyLoss(), optimizer: Adam<Float>())
            try trainer.restore(from: checkpoint)
        }
    }
    return 0
}

/// `payload` with a valid 24-byte trailer: `DSCNTCK1`, its length and its FNV-1a checksum.
func withFreshChecksum(_ payload: Data) -> Data {
    var data = payload
    data.append(contentsOf: Array("DSCNTCK1".utf8))
    withUnsafeBytes(of: UInt64(payload.count).littleEndian) { data.append(contentsOf: $0) }
    withUnsafeBytes(of: fnv1a64(payload).littleEndian) { data.append(contentsOf: $0) }
    return data
}

/// The entry point SwiftPM links as `main` (see `runFuzzer`).
@_cdecl("FuzzCheckpoint_main")
public func fuzzCheckpointMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, count in fuzzCheckpoint(UnsafeRawPointer(data ?? UnsafePointer(bitPattern: 1)!), count) }
}
