import Descent
import Foundation

/// CSV files uploaded with `POST /api/upload`, kept in memory only (never written to disk),
/// the newest ``capacity`` of them.
///
/// An upload is parsed once when it arrives, so a file that cannot train (not two numeric
/// features, no rows, a broken line) is refused at once with `CSVLoader`'s message; a run parses
/// the kept text again in its own precision.
final class UploadStore: @unchecked Sendable {
    /// One uploaded file.
    struct Upload: Sendable {
        /// The CSV text.
        var text: String
        /// The target column chosen at upload (`nil`: the last column).
        var target: String?
    }

    /// The largest upload, in bytes.
    static let maximumBytes = 1 << 20
    /// How many uploads are kept; the oldest goes first.
    let capacity: Int
    private var uploads: [(id: String, upload: Upload)] = []
    private var counter = 0
    private let lock = NSLock()

    /// A store that keeps `capacity` uploads. The default value is `8`.
    init(capacity: Int = 8) { self.capacity = capacity }

    /// Checks `text` as a classification table of two features and keeps it.
    /// - Returns: the id and what the file holds, as the API answers it.
    /// - Throws: ``RequestError`` with the loader's message when the file cannot train.
    func add(text: String, target: String?) throws -> JSONValue {
        let table: CSVTable<Double>
        do {
            table = try CSVLoader.load(text: text, file: "upload", options: PlaygroundDatasets.csvOptions(target: target))
        } catch let error as DataError { throw RequestError(error.message) }
        try PlaygroundDatasets.checkTwoFeatures(table)
        let id = lock.withLock { () -> String in
            counter += 1
            let id = "u\(counter)"
            uploads.append((id, Upload(text: text, target: target)))
            if uploads.count > capacity { uploads.removeFirst(uploads.count - capacity) }
            return id
        }
        return .object([("id", .string(id)), ("rows", .number(Double(table.count))),
                        ("features", .array(table.featureNames.map(JSONValue.string))),
                        ("target", .string(table.targetNames.first ?? "")),
                        ("classes", .array((table.classNames ?? []).map(JSONValue.string)))])
    }

    /// The upload with `id`.
    /// - Throws: ``RequestError`` when there is none (never uploaded, or pushed out by newer ones).
    func upload(_ id: String) throws -> Upload {
        guard let upload = lock.withLock({ uploads.first { $0.id == id }?.upload }) else {
            throw RequestError("there is no upload `\(id)` (the server keeps the last \(capacity)); upload the CSV again with POST /api/upload")
        }
        return upload
    }
}
