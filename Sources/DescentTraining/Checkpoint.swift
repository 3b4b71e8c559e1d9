import DescentCore
import DescentNN
import DescentOptim
import Foundation

/// A checkpoint that cannot be written or read: a system error, or a file that is truncated,
/// corrupted or from another model.
public struct CheckpointError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What was wrong and what to do about it.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }

    /// `what` with the system's reason and, for the failures a user can fix, what to do.
    static func system(_ what: String, _ code: Int32) -> CheckpointError {
        let hint: String
        switch code {
        case ENOSPC, EDQUOT, EFBIG: hint = "; free some space (the last good file is kept), or write to another folder"
        case EROFS, EACCES, EPERM: hint = "; choose a folder you can write to"
        case ENOTDIR: hint = "; part of the path is a file, not a folder"
        default: hint = ""
        }
        return CheckpointError("\(what): \(String(cString: strerror(code)))\(hint)")
    }
}

/// Everything needed to continue a run exactly: the model's parameters and buffers, the best
/// weights so far (for early stopping), the optimizer's state, the trainer's state (loader
/// position, step, history, schedule, early stopping, divergence reference), the random
/// generators inside the model (dropout), and the caller's configuration.
///
/// File format: a safetensors archive (tensors `model/NAME`, `best/NAME`,
/// `optimizer/PARAMETER/BUFFER`; everything else as JSON in the metadata entry
/// `descent.checkpoint`), followed by a 24-byte trailer: the 8 bytes `DSCNTCK1`, the archive's
/// length and its 64-bit FNV-1a checksum (both little-endian `UInt64`). A truncated file or a
/// flipped bit fails the check (``fnv1a64(_:)-(Data)``). Tensors are stored as raw bytes, so
/// restoring is bit-exact.
public struct TrainingCheckpoint<Scalar: TensorScalar>: Sendable {
    /// The model's parameters and buffers.
    public var model: SafeTensorsArchive
    /// The weights of the best epoch so far, if early stopping keeps them.
    public var bestWeights: SafeTensorsArchive?
    /// The optimizer's state.
    public var optimizer: OptimizerState<Scalar>
    /// The trainer's state.
    public var trainer: TrainerState
    /// The random generators of the model's dropout layers, by layer name.
    public var generators: [String: RandomGenerator]
    /// The caller's configuration (the CLI's options as JSON).
    public var configuration: String?

    /// A checkpoint from its parts.
    public init(model: SafeTensorsArchive, bestWeights: SafeTensorsArchive?, optimizer: OptimizerState<Scalar>,
                trainer: TrainerState, generators: [String: RandomGenerator], configuration: String?) {
        self.model = model; self.bestWeights = bestWeights; self.optimizer = optimizer
        self.trainer = trainer; self.generators = generators; self.configuration = configuration
    }

    static var trailerMagic: [UInt8] { Array("DSCNTCK1".utf8) }

    struct Header: Codable {
        struct ParameterState: Codable { var step: Int; var scalars: [String: Double] }
        var format = 1
        var dtype: String
        var trainer: TrainerState
        var optimizerName: String
        var learningRates: [Double]
        var parameters: [String: ParameterState]
        var generators: [String: RandomGenerator]
        var configuration: String?
    }

    /// The checkpoint file's bytes (archive and trailer).
    public func encoded() throws -> Data {
        var tensors: [String: SafeTensor] = [:]
        for (name, tensor) in model.tensors { tensors["model/" + name] = tensor }
        for (name, tensor) in bestWeights?.tensors ?? [:] { tensors["best/" + name] = tensor }
        var parameters: [String: Header.ParameterState] = [:]
        for (name, state) in optimizer.parameters {
            parameters[name] = .init(step: state.step, scalars: state.scalars.mapValues { Double($0) })
            for (buffer, values) in state.buffers {
                tensors["optimizer/\(name)/\(buffer)"] = SafeTensor(try Tensor<Scalar>(shape: [values.count], scalars: values))
            }
        }
        let header = Header(dtype: Scalar.dtypeName, trainer: trainer, optimizerName: optimizer.optimizer,
                            learningRates: optimizer.learningRates, parameters: parameters, generators: generators,
                            configuration: configuration)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let json = String(decoding: try encoder.encode(header), as: UTF8.self)
        var data = SafeTensorsArchive(tensors: tensors, metadata: ["descent.checkpoint": json]).encoded()
        let length = UInt64(data.count), checksum = fnv1a64(data)
        data.append(contentsOf: Self.trailerMagic)
        withUnsafeBytes(of: length.littleEndian) { data.append(contentsOf: $0) }
        withUnsafeBytes(of: checksum.littleEndian) { data.append(contentsOf: $0) }
        return data
    }

    /// Reads and verifies a checkpoint file's bytes.
    /// - Throws: ``CheckpointError`` for a truncated or corrupted file (checksum mismatch), or one
    ///   written for another element type.
    public init(data: Data, file: String = "checkpoint") throws {
        guard data.count >= 24 else { throw CheckpointError("\(file) is truncated (\(data.count) bytes; a checkpoint ends with a 24-byte trailer)") }
        let trailer = Array(data.suffix(24))
        func word(_ offset: Int) -> UInt64 {
            trailer[offset..<(offset + 8)].enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        }
        guard Array(trailer[0..<8]) == Self.trailerMagic else {
            throw CheckpointError("\(file) is truncated or is not a Descent checkpoint (no DSCNTCK1 trailer at the end)")
        }
        let payload = data.prefix(data.count - 24)
        guard word(8) == UInt64(payload.count) else {
            throw CheckpointError("\(file) is damaged: the trailer says \(word(8)) bytes of data, the file has \(payload.count)")
        }
        guard fnv1a64(Data(payload)) == word(16) else {
            throw CheckpointError("\(file) is corrupted: its checksum does not match its contents")
        }
        let archive: SafeTensorsArchive
        let header: Header
        do {
            archive = try SafeTensorsArchive(data: Data(payload))
            guard let json = archive.metadata["descent.checkpoint"] else { throw CheckpointError("\(file) has no descent.checkpoint metadata") }
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            header = try decoder.decode(Header.self, from: Data(json.utf8))
        } catch let error as CheckpointError { throw error } catch {
            throw CheckpointError("\(file) cannot be read: \(error)")
        }
        guard header.dtype == Scalar.dtypeName else {
            throw CheckpointError("\(file) holds \(header.dtype) tensors; this run uses \(Scalar.dtypeName) (use the same --precision)")
        }
        var model: [String: SafeTensor] = [:], best: [String: SafeTensor] = [:]
        var buffers: [String: [String: [Scalar]]] = [:]
        for (name, tensor) in archive.tensors {
            if name.hasPrefix("model/") { model[String(name.dropFirst(6))] = tensor }
            else if name.hasPrefix("best/") { best[String(name.dropFirst(5))] = tensor }
            else if name.hasPrefix("optimizer/"), let slash = name.lastIndex(of: "/") {
                let parameter = String(name[name.index(name.startIndex, offsetBy: 10)..<slash])
                buffers[parameter, default: [:]][String(name[name.index(after: slash)...])] = tensor.tensor(as: Scalar.self).scalars
            }
        }
        var parameters: [String: OptimizerState<Scalar>.ParameterState] = [:]
        for (name, state) in header.parameters {
            parameters[name] = .init(step: state.step, buffers: buffers[name] ?? [:], scalars: state.scalars.mapValues { Scalar($0) })
        }
        self.init(model: SafeTensorsArchive(tensors: model), bestWeights: best.isEmpty ? nil : SafeTensorsArchive(tensors: best),
                  optimizer: OptimizerState(optimizer: header.optimizerName, parameters: parameters, learningRates: header.learningRates),
                  trainer: header.trainer, generators: header.generators, configuration: header.configuration)
    }

    /// Reads and verifies the checkpoint file at `url`.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw CheckpointError("cannot read \(url.path): \(error.localizedDescription)") }
        try self.init(data: data, file: url.path)
    }
}
