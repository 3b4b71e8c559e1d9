import DescentCore

/// A JSON value written with full double precision (the shortest form that reads back to the
/// same `Double`) and its object keys in the order given.
///
/// The writer behind `descent optimize --format json`, `descent schedule --format json` and the
/// playground's API, so the server and the CLI print the same bytes for the same result. Whole
/// numbers below 10¹⁵ are written without a fraction (`3`, not `3.0`); non-finite numbers, which
/// JSON cannot hold, are written as `null`.
public enum JSONValue: Sendable {
    /// A number.
    case number(Double)
    /// A string.
    case string(String)
    /// `true` or `false`.
    case bool(Bool)
    /// An array.
    case array([JSONValue])
    /// An object, its keys in this order.
    case object([(String, JSONValue)])
    /// `null`.
    case null

    /// The value as compact JSON text.
    public var text: String {
        switch self {
        case .number(let x):
            guard x.isFinite else { return "null" }
            if x == x.rounded(), Swift.abs(x) < 1e15 { return String(Int64(x)) }
            return "\(x)"
        case .string(let s): return jsonStringLiteral(s)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array(let values): return "[" + values.map(\.text).joined(separator: ",") + "]"
        case .object(let fields): return "{" + fields.map { jsonStringLiteral($0.0) + ":" + $0.1.text }.joined(separator: ",") + "}"
        }
    }
}
