import DescentTraining
import Foundation

/// The start-up check that every rank runs the same run: the same build, configuration, data and
/// checkpoint, compared by digest before the first collective that depends on them, so a
/// mismatch is a message at start-up instead of a hang or a silently different model.
///
/// Each rank contributes one 64-bit digest per ``Item``, always the same number of bytes (so even
/// a different build gathers safely); every rank compares all of them with rank 0's and, on a
/// difference, throws naming the ranks and what differs.
/// - PyTorch: no built-in (DDP checks only the parameters' shapes, `_verify_param_shape_across_processes`).
public struct RankAgreement: Equatable, Sendable {
    /// What is compared, in a fixed order.
    public enum Item: Int, CaseIterable, Sendable {
        /// The executable's bytes.
        case build
        /// The resolved configuration (options, with the world size).
        case configuration
        /// The data files' sizes and contents.
        case data
        /// The checkpoint a resumed run starts from (`0` for a fresh run).
        case checkpoint

        /// What to tell the user to make equal.
        var advice: String {
            switch self {
            case .build: "descent executable (install the same build on every machine)"
            case .configuration: "options and configuration file (pass the same ones to every rank)"
            case .data: "data files (every rank must read the same files, byte for byte)"
            case .checkpoint: "checkpoint to resume from (give every rank the same --output folder, on a shared file system)"
            }
        }
    }

    /// One digest per ``Item``, in ``Item/allCases`` order.
    public var digests: [UInt64]

    /// This rank's digests.
    public init(build: UInt64, configuration: UInt64, data: UInt64, checkpoint: UInt64) {
        digests = [build, configuration, data, checkpoint]
    }

    /// Gathers every rank's digests over `communicator` and compares them with rank 0's.
    /// - Throws: ``DistributedError`` naming each rank and item that differs.
    public func check(over communicator: any Communicator) throws {
        var bytes: [UInt8] = []
        for digest in digests { withUnsafeBytes(of: digest.littleEndian) { bytes += $0 } }
        let all = try communicator.allGather(bytes)
        var problems: [String] = []
        for rank in 1..<Swift.max(all.count, 1) {
            for item in Item.allCases {
                let range = (item.rawValue * 8)..<(item.rawValue * 8 + 8)
                if all[rank][range] != all[0][range] { problems.append("rank \(rank)'s \(item) \(item == .data ? "differ" : "differs") from rank 0's") }
            }
        }
        guard problems.isEmpty else {
            let items = Set(Item.allCases.filter { item in problems.contains { $0.contains("'s \(item) differ") } })
            throw DistributedError("the ranks of this run disagree before training: " + problems.joined(separator: "; ")
                                   + ". Make every rank use the same " + items.sorted { $0.rawValue < $1.rawValue }.map(\.advice).joined(separator: ", and the same "))
        }
    }

    /// The largest file read whole for its digest; a larger one is sampled (see ``fileDigest(_:)``).
    public static var wholeFileLimit: Int { 64 << 20 }

    /// FNV-1a (``fnv1a64(_:)-(UnsafeRawBufferPointer)``) of a file's size and bytes: all of them
    /// up to ``wholeFileLimit``; for a larger file, 64 pieces of 1 MiB spread evenly and the last
    /// MiB (so a large data set costs a bounded read; a change elsewhere is missed, which the
    /// size and the pieces make unlikely for real data updates).
    /// - Throws: ``DistributedError`` when the file cannot be read.
    public static func fileDigest(_ path: String) throws -> UInt64 {
        let url = URL(fileURLWithPath: path)
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw DistributedError("cannot read \(path) for the start-up comparison between ranks: \(error.localizedDescription)")
        }
        var parts: [UInt64] = [UInt64(data.count)]
        data.withUnsafeBytes { raw in
            if raw.count <= wholeFileLimit {
                parts.append(fnv1a64(raw))
            } else {
                let piece = 1 << 20
                for index in 0..<64 {
                    let start = (raw.count - piece) / 63 * index
                    parts.append(fnv1a64(UnsafeRawBufferPointer(rebasing: raw[start..<(start + piece)])))
                }
                parts.append(fnv1a64(UnsafeRawBufferPointer(rebasing: raw[(raw.count - piece)...])))
            }
        }
        return combine(parts)
    }

    /// One digest of several (order matters).
    public static func combine(_ parts: [UInt64]) -> UInt64 {
        parts.withUnsafeBytes { fnv1a64($0) }
    }

    /// The digest of `text`'s UTF-8 bytes.
    public static func textDigest(_ text: String) -> UInt64 { fnv1a64(Data(text.utf8)) }
}

extension RankAgreement.Item: CustomStringConvertible {
    /// `build`, `configuration`, `data files`, `checkpoint`.
    public var description: String {
        switch self {
        case .build: "build"
        case .configuration: "configuration"
        case .data: "data files"
        case .checkpoint: "checkpoint"
        }
    }
}
