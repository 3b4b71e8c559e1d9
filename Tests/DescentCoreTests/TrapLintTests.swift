import Foundation
import Testing

/// Finds new traps in `Sources/` (issue 18): `try!`, `fatalError(`, `precondition(` and
/// `preconditionFailure(` are allowed only where listed below, each with the reason no value from a
/// file, an argument, an environment variable or a request can reach it. A value from outside is
/// checked with a thrown error instead (``TrapLint/allowed`` says where those checks live).
/// The test fails for a trap that is not listed, and for a listed one that no longer exists
/// (so that the list stays true).
@Suite struct TrapLintTests {
    @Test func everyTrapInSourcesIsListedWithItsReason() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        let found = try TrapLint.traps(under: sources)
        #expect(found.count > 20, "the scan found only \(found.count) traps: is \(sources.path) the Sources folder?")
        let unlisted = found.filter { trap in !TrapLint.allowed.contains { trap.file == $0.file && trap.line.contains($0.fragment) } }
        #expect(unlisted.isEmpty, """
            traps that no input may reach must be listed in TrapLint.allowed with the reason; a value \
            from outside must be checked with a thrown error instead:
            \(unlisted.map { "\($0.file):\($0.number): \($0.line)" }.joined(separator: "\n"))
            """)
        let stale = TrapLint.allowed.filter { entry in !found.contains { $0.file == entry.file && $0.line.contains(entry.fragment) } }
        #expect(stale.isEmpty, "listed traps that are gone (remove them from TrapLint.allowed): \(stale.map { "\($0.file): \($0.fragment)" })")
    }

    @Test func theScanFindsATrapInAnExample() {
        // The scanner itself can fail: a line with a trap is found, a comment and a string mentioning one are not.
        let text = "let a = try! f()\n// try! in a comment\n/// fatalError( in docs\nlet s = \"precondition(\"\nprecondition(x > 0)\n"
        #expect(TrapLint.traps(in: text, file: "x.swift").map(\.number) == [1, 5])
    }
}

enum TrapLint {
    struct Trap { var file: String; var number: Int; var line: String }
    struct Entry { var file: String; var fragment: String; var reason: String }

    static let patterns = ["try!", "fatalError(", "precondition(", "preconditionFailure("]

    static func traps(under root: URL) throws -> [Trap] {
        let paths = (FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".swift") }.sorted()
        return try paths.flatMap { path in
            try traps(in: String(contentsOf: root.appendingPathComponent(path), encoding: .utf8), file: path)
        }
    }

    /// The lines of `text` with a trap outside comments and string literals (a line-level check:
    /// the text before `//` and outside double quotes).
    static func traps(in text: String, file: String) -> [Trap] {
        var result: [Trap] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var code = "", inString = false, previous: Character = " "
            for character in raw {
                if character == "\"" && previous != "\\" { inString.toggle(); previous = character; continue }
                if !inString && character == "/" && previous == "/" { code.removeLast(); break }
                if !inString { code.append(character) }
                previous = character
            }
            if patterns.contains(where: { code.contains($0) }) {
                result.append(Trap(file: file, number: index + 1, line: raw.trimmingCharacters(in: .whitespaces)))
            }
        }
        return result
    }

    // Where the checks of outside values live: ModelSpec.checkFits (model sizes against memory, before
    // allocating), the spec parsers (layer and loss hyperparameters), TrainConfiguration.validateValues
    // and the commands' validate() (arguments and config files), Preprocessing.validate and
    // Standardizer.init(from:) (model folders), TrainerState.validate and GradientOptimizer.restore
    // (checkpoints), the IDX/.npy/safetensors/CSV readers (file headers, with overflow-checked sizes).
    static let allowed: [Entry] = [
        // Tensor operations: a shape mismatch is a bug in the calling code (ARCHITECTURE.md, "Operators
        // trap with both shapes in the message"); data from outside is checked before it becomes a tensor.
        .init(file: "DescentCore/Ops/Matmul.swift", fragment: "precondition(a.rank >= 2 && b.rank >= 2", reason: "shape bug"),
        .init(file: "DescentCore/Ops/Matmul.swift", fragment: "precondition(k == k2", reason: "shape bug"),
        .init(file: "DescentCore/Ops/Matmul.swift", fragment: "precondition(batchA == batchB", reason: "shape bug"),
        .init(file: "DescentCore/Ops/Matmul.swift", fragment: "precondition(x.rank >= 1 && weight.rank == 2", reason: "shape bug"),
        .init(file: "DescentCore/Ops/Matmul.swift", fragment: "precondition(bias.shape == [weight.shape[0]]", reason: "shape bug"),
        .init(file: "DescentCore/Ops/Binary.swift", fragment: "cannot be broadcast together", reason: "shape bug"),
        .init(file: "DescentCore/Ops/Binary.swift", fragment: "replacing(with:where:)", reason: "shape bug"),
        .init(file: "DescentCore/Ops/Reductions.swift", fragment: "is out of range for shape", reason: "axis bug"),
        .init(file: "DescentCore/Ops/Shaping.swift", fragment: "reshape: shape", reason: "shape bug; files use the throwing reshaped(to:)"),
        .init(file: "DescentCore/Ops/Shaping.swift", fragment: "expandingShape(at:)", reason: "axis bug"),
        .init(file: "DescentCore/Ops/Shaping.swift", fragment: "is not a permutation", reason: "axis bug"),
        .init(file: "DescentCore/Ops/Shaping.swift", fragment: "transposed(): needs rank", reason: "shape bug"),
        .init(file: "DescentCore/Ops/Shaping.swift", fragment: "slice: range", reason: "range bug"),
        .init(file: "DescentCore/Autodiff/Backward.swift", fragment: "addInPlace: shapes", reason: "autodiff invariant"),
        .init(file: "DescentCore/Tensor/Tensor.swift", fragment: "negative dimension in shape", reason: "shapes from files are checked by their readers; model sizes by ModelSpec.checkFits"),
        .init(file: "DescentCore/Tensor/Tensor.swift", fragment: "try! self.init(shape: [scalars.count]", reason: "the shape is the array's own count"),
        .init(file: "DescentCore/Tensor/Tensor.swift", fragment: "Tensor.scalar needs one element", reason: "API misuse"),
        .init(file: "DescentCore/Tensor/Tensor.swift", fragment: "components, tensor has rank", reason: "index bug"),
        .init(file: "DescentCore/Tensor/Tensor.swift", fragment: "is out of range for shape", reason: "index bug"),
        .init(file: "DescentCore/Random/RandomGenerator.swift", fragment: "needs a positive bound", reason: "callers pass a non-empty count"),
        .init(file: "DescentKernels/GEMMDriver.swift", fragment: "GEMM: negative dimension", reason: "dimensions come from tensor shapes, never negative"),
        // Out of memory: Swift cannot recover from a failed allocation; sizes from outside are checked
        // against the memory limit first (ModelSpec.checkFits, the streaming memory budget).
        .init(file: "DescentKernels/BufferPool.swift", fragment: "out of memory allocating", reason: "allocation failure after the size checks"),
        // Constructors whose arguments the spec parsers check with a thrown SpecError first.
        .init(file: "DescentNN/Layers/Linear.swift", fragment: "Linear: sizes must be ≥ 0", reason: "ModelSpec.checkFits / Preprocessing.validate first"),
        .init(file: "DescentNN/Layers/Dropout.swift", fragment: "the probability must be in [0, 1]", reason: "ModelSpec parser checks dropout"),
        .init(file: "DescentNN/Metrics/ClassificationMetrics.swift", fragment: "TopKAccuracy: k must be", reason: "library API; no CLI input"),
        .init(file: "DescentNN/Losses/RegressionLosses.swift", fragment: "HuberLoss: delta must be > 0", reason: "LossSpec parser checks delta"),
        .init(file: "DescentNN/Losses/RegressionLosses.swift", fragment: "SmoothL1Loss: beta must be", reason: "LossSpec parser checks beta"),
        .init(file: "DescentNN/Losses/CrossEntropyLoss.swift", fragment: "labelSmoothing must be in [0, 1]", reason: "LossSpec parser checks it"),
        .init(file: "DescentNN/Serialization/SafeTensors.swift", fragment: "big-endian hosts are not supported", reason: "the host, not the input"),
        .init(file: "DescentNN/Serialization/SafeTensors.swift", fragment: "return try! Tensor(shape: shape", reason: "the reader checked the byte count against the shape before"),
        // Optimizers and schedules: abstract methods and invariants of the library's own code.
        .init(file: "DescentOptim/Optimizers/GradientOptimizer.swift", fragment: "setLearningRates:", reason: "rates come from the optimizer's own groups"),
        .init(file: "DescentOptim/Optimizers/GradientOptimizer.swift", fragment: "must override makeElementwiseUpdate", reason: "abstract method"),
        .init(file: "DescentOptim/Optimizers/GradientOptimizer.swift", fragment: "must override apply", reason: "abstract method"),
        .init(file: "DescentOptim/Schedules/SequentialSchedule.swift", fragment: "schedules need", reason: "ScheduleFactory builds both lists together"),
        .init(file: "DescentOptim/Schedules/OneCycleSchedule.swift", fragment: "fatalError(\"unreachable\")", reason: "after an exhaustive loop"),
        // Loaders: batch sizes and positions from arguments and checkpoints are checked first
        // (TrainConfiguration.resolvedBatchSize, TrainerState.validate).
        .init(file: "DescentData/Loading/DataLoader.swift", fragment: "DataLoader: batchSize must be positive", reason: "checked by the CLI"),
        .init(file: "DescentData/Loading/DataLoader.swift", fragment: "DataLoader: sampleCount must be positive", reason: "library API"),
        .init(file: "DescentData/Loading/DataLoader.swift", fragment: "DataLoader: batchIndex must be ≥ 0", reason: "TrainerState.validate"),
        .init(file: "DescentData/Streaming/StreamingLoader.swift", fragment: "StreamingLoader: batchSize must be positive", reason: "checked by the CLI"),
        .init(file: "DescentData/Streaming/StreamingLoader.swift", fragment: "windowChunks must be positive", reason: "computed from the memory budget, ≥ 1"),
        // The compiled step's own invariants.
        .init(file: "DescentCompiled/CompiledStep+Passes.swift", fragment: "does not fit its parameter", reason: "invariant of the capture"),
        .init(file: "DescentCompiled/CompiledStep.swift", fragment: "maximumBatchSize must be positive", reason: "from the loader's batch size, ≥ 1"),
        .init(file: "DescentCompiled/CompiledStep.swift", fragment: "a fused step does not accumulate", reason: "invariant of the caller"),
        // Plots: sizes from the program's own charts.
        .init(file: "DescentPlot/Style/ColorMap.swift", fragment: "needs at least two stops", reason: "colour maps are constants"),
        .init(file: "DescentPlot/Support/PNGEncoder.swift", fragment: "PNG encoder:", reason: "pixels from the program's own raster"),
        // A developer tool, not the product.
        .init(file: "DescentBenchmarks/KernelBenchmarks.swift", fragment: "unknown elementwise benchmark", reason: "benchmark names are constants"),
    ]
}
