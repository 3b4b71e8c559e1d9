import FlyingFox
import Foundation

/// The small pieces every handler uses: a size-limited body, JSON answers, error answers.
extension HTTPRequest {
    /// The body, refused with 413 when it is over `limit` bytes: at once when `Content-Length`
    /// says so, otherwise as soon as the bytes read pass the limit (a chunked body).
    func body(limit: Int) async throws -> Data {
        if let length = headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw RequestError("the request body has \(length) bytes; the limit is \(limit)", status: 413)
        }
        var data = Data()
        for try await chunk in bodySequence {
            data += chunk
            if data.count > limit { throw RequestError("the request body is over the limit of \(limit) bytes", status: 413) }
        }
        return data
    }

    /// The query item `name`, if given.
    func query(_ name: String) -> String? { query.first { $0.name == name }?.value }
}

extension HTTPResponse {
    /// A `200` answer holding `text`, JSON.
    static func json(_ text: String, status: HTTPStatusCode = .ok) -> HTTPResponse {
        HTTPResponse(statusCode: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                     body: Data(text.utf8))
    }

    /// The answer to a failed request: its status and `{"error": message}`.
    static func error(_ error: RequestError) -> HTTPResponse {
        let status = HTTPStatusCode(error.status, phrase: error.status == 404 ? "Not Found" : error.status == 413 ? "Payload Too Large"
                                                                                  : error.status == 403 ? "Forbidden" : "Bad Request")
        return json(JSONValue.object([("error", .string(error.message))]).text, status: status)
    }
}
