import DescentCore

/// Warnings about a loaded table that do not stop loading but probably hurt training: a header
/// that looks like data, and ID-like feature columns.
///
/// An ID column (a row number, a database key) lets a model memorise rows instead of learning;
/// pandas writes one as `Unnamed: 0` when a frame is saved with its index. A column is ID-like
/// when its name is `id`, `index`, `row` or `Unnamed: 0` (any case), or ends in `_id`, or when its
/// values are distinct integers in increasing order over at least ``minimumRowsForValues`` rows.
enum CSVColumnWarnings {
    /// Fewer rows than this never make a column ID-like by its values alone: 20 (small
    /// examples such as `x = 1, 2, 3, 4` are usually real features).
    static let minimumRowsForValues = 20

    /// Whether `name` names an identifier column.
    static func isIDLikeName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return ["id", "index", "row", "unnamed: 0"].contains(lower) || lower.hasSuffix("_id")
    }

    /// The warning for the header line when all of its fields are numbers.
    static func headerLooksLikeData(_ names: [String]) -> String {
        let shown = names.prefix(5).joined(separator: ", ") + (names.count > 5 ? ", …" : "")
        return "every field of the header line is a number (\(shown)): if the file has no header, read it without one (--no-header); as it is, that line names the columns and is not loaded as a row"
    }

    /// The warning for an ID-like feature column, saying why and how to drop it.
    static func idLike(_ name: String, byName: Bool) -> String {
        let reason = byName ? "is named like a row identifier" : "holds distinct integers in increasing order, like a row identifier"
        return "feature column \"\(name)\" \(reason): a model can learn the row order instead of the data; drop it (--drop \(name)) unless it is a real feature"
    }

    /// The ID-like columns among the numeric features (`rows × names.count`, row-major): by name,
    /// then by value (strictly increasing integers), each column once, in column order.
    static func idLikeColumns<T: TensorScalar>(_ features: UnsafePointer<T>, rows: Int, names: [String]) -> [(name: String, byName: Bool)] {
        let width = names.count
        let byName = names.map(isIDLikeName)
        var candidates = rows >= minimumRowsForValues ? (0..<width).filter { !byName[$0] && features[$0] == features[$0].rounded() } : []
        var row = 1
        // Most columns fail within a few rows, so this stops early on real data.
        while !candidates.isEmpty && row < rows {
            let previous = features + (row - 1) * width, current = features + row * width
            candidates.removeAll { j in !(current[j] > previous[j] && current[j] == current[j].rounded()) }
            row += 1
        }
        var result: [(name: String, byName: Bool)] = []
        for j in 0..<width where byName[j] || candidates.contains(j) { result.append((names[j], byName[j])) }
        return result
    }
}
