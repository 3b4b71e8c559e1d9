import Foundation
import Descent
import FuzzSupport

/// Spec strings (`--model`, `--loss`, `--optimizer`, `--schedule`, `--early-stopping`): the parser
/// and every factory that reads a parsed spec. A model spec that parses is also size-checked and,
/// when small, built, as the CLI does.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSpec(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    FuzzInput.ignoringErrors { _ = try Spec(parsing: text) }
    FuzzInput.ignoringErrors {
        let spec = try ModelSpec(parsing: text)
        var generator = RandomGenerator(seed: 0)
        if spec.needsImageInput {
            // Convolutional specs (`layers(...)`, `lenet5`, `cnn(...)`) on small images, as the CLI builds them.
            try spec.checkFits(inputShape: [1, 8, 8], outputs: 2, bytesPerScalar: 4, memoryLimit: 1 << 20)
            let model: Sequential<Float> = try spec.makeModel(inputShape: [1, 8, 8], outputs: 2, generator: &generator)
            _ = try model.forward(Tensor<Float>(repeating: 0.5, shape: [1, 1, 8, 8]), context: .evaluation)
        } else {
            try spec.checkFits(inputs: 3, outputs: 2, bytesPerScalar: 4, memoryLimit: 1 << 20)
            let _: Sequential<Float> = spec.makeModel(inputs: 3, outputs: 2, generator: &generator)
        }
    }
    FuzzInput.ignoringErrors { _ = try ModelSpec.inputShape(parsing: text) }
    FuzzInput.ignoringErrors { _ = try LossSpec.makeLoss(text) }
    FuzzInput.ignoringErrors { _ = try OptimizerFactory.make(text, as: Float.self) }
    FuzzInput.ignoringErrors { _ = try ScheduleFactory.make(text) }
    FuzzInput.ignoringErrors { _ = try EarlyStopping(spec: text) }
    return 0
}

/// The entry point SwiftPM links as `main` (see `runFuzzer`).
@_cdecl("FuzzSpec_main")
public func fuzzSpecMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv) { data, count in fuzzSpec(UnsafeRawPointer(data ?? UnsafePointer(bitPattern: 1)!), count) }
}
