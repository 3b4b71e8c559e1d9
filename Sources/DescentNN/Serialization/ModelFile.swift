import DescentCore
import Foundation

/// A model's state and a file's tensors that do not match, every problem listed.
public struct StateMismatchError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Names the model has and the file lacks.
    public var missing: [String]
    /// Names the file has and the model lacks.
    public var unexpected: [String]
    /// Names whose shapes differ: (name, model's shape, file's shape).
    public var wrongShape: [ShapeProblem]
    /// Names whose element types cannot be loaded: (name, what the model needs, the file's dtype).
    public var wrongType: [TypeProblem]

    /// A shape that differs between model and file.
    public struct ShapeProblem: Equatable, Sendable {
        /// The dotted name.
        public var name: String
        /// The model's shape.
        public var expected: [Int]
        /// The file's shape.
        public var found: [Int]
    }
    /// An element type that cannot be loaded.
    public struct TypeProblem: Equatable, Sendable {
        /// The dotted name.
        public var name: String
        /// What the model can load.
        public var expected: String
        /// The file's dtype.
        public var found: String
    }

    /// `true` when nothing is wrong.
    public var isEmpty: Bool { missing.isEmpty && unexpected.isEmpty && wrongShape.isEmpty && wrongType.isEmpty }

    /// One line per kind of problem, in the style of PyTorch's `load_state_dict` error.
    public var description: String {
        var lines = ["the model's state and the file do not match:"]
        if !missing.isEmpty { lines.append("  missing from the file: \(missing.joined(separator: ", "))") }
        if !unexpected.isEmpty { lines.append("  unexpected in the file: \(unexpected.joined(separator: ", "))") }
        for p in wrongShape { lines.append("  wrong shape for \(p.name): the model has \(p.expected), the file has \(p.found)") }
        for p in wrongType { lines.append("  wrong dtype for \(p.name): the model needs \(p.expected), the file has \(p.found)") }
        return lines.joined(separator: "\n")
    }
}

extension Layer {
    /// The model's parameters and buffers as a safetensors archive, under their dotted names:
    /// `F32` or `F64` for parameters and floating-point buffers, `I64` for counters
    /// (`num_batches_tracked`), so that `torch.nn.Module.load_state_dict(safetensors.torch.load_file(path))`
    /// loads it into the equivalent PyTorch model.
    /// - Parameter metadata: strings stored under `__metadata__`. The default value is `[:]`.
    public func stateArchive(metadata: [String: String] = [:]) -> SafeTensorsArchive {
        var tensors: [String: SafeTensor] = [:]
        for entry in stateEntries() {
            tensors[entry.name] = entry.kind == .integerBuffer
                ? SafeTensor(integers: entry.value.doubles, shape: entry.value.shape)
                : SafeTensor(entry.value)
        }
        return SafeTensorsArchive(tensors: tensors, metadata: metadata)
    }

    /// Saves the parameters and buffers to a safetensors file (see ``stateArchive(metadata:)``).
    /// - Throws: ``SafeTensorsError`` if the file cannot be written.
    public func saveState(to url: URL, metadata: [String: String] = [:]) throws {
        try stateArchive(metadata: metadata).write(to: url)
    }

    /// Loads parameters and buffers from a safetensors file written by Descent or by
    /// `safetensors.torch.save_file(model.state_dict(), path)`.
    /// - Throws: ``SafeTensorsError`` for an unreadable file, ``StateMismatchError`` listing every
    ///   missing, unexpected, wrongly shaped or wrongly typed tensor. Nothing is changed on error.
    public func loadState(from url: URL) throws {
        try loadState(from: SafeTensorsArchive(contentsOf: url))
    }

    /// Loads parameters and buffers from an archive (`model.load_state_dict(state, strict=True)`).
    ///
    /// Floating-point tensors of any precision (`F16`, `BF16`, `F32`, `F64`) load into the model's
    /// element type, as PyTorch's `load_state_dict` converts; counters (`num_batches_tracked`) take
    /// integers or floats. Parameters are written in place, so optimizers holding them stay valid.
    /// - Throws: ``StateMismatchError`` listing every problem; nothing is changed on error.
    public func loadState(from archive: SafeTensorsArchive) throws {
        let entries = stateEntries()
        let modelNames = Set(entries.map(\.name))
        var problem = StateMismatchError(
            missing: entries.map(\.name).filter { archive.tensors[$0] == nil },
            unexpected: archive.names.filter { !modelNames.contains($0) },
            wrongShape: [], wrongType: [])
        for entry in entries {
            guard let stored = archive.tensors[entry.name] else { continue }
            if stored.shape != entry.value.shape {
                problem.wrongShape.append(.init(name: entry.name, expected: entry.value.shape, found: stored.shape))
            }
            if entry.kind != .integerBuffer && !stored.dtype.isFloatingPoint {
                problem.wrongType.append(.init(name: entry.name, expected: "a floating-point type (F32, F64, F16, BF16)", found: stored.dtype.rawValue))
            }
        }
        guard problem.isEmpty else { throw problem }
        let structure = LayerStructureCache.shared.structure(of: self)
        for (name, parameter) in structure.parameters {
            let value: Tensor<Scalar> = archive.tensors[name]!.tensor()
            value.withUnsafeBufferPointer { source in
                parameter.updateInPlace { $0.baseAddress!.update(from: source.baseAddress!, count: source.count) }
            }
        }
        for (name, buffer) in structure.buffers {
            buffer.value = archive.tensors[name]!.tensor()
        }
    }
}
