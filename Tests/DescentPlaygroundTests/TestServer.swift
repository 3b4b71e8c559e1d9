import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import DescentPlayground

/// A playground server on a free port of 127.0.0.1, and a small HTTP client for it.
final class TestServer: Sendable {
    let server: PlaygroundServer
    let port: UInt16
    private let task: Task<Void, any Error>

    /// Starts a server (port 0: the system picks a free one) and waits until it listens.
    init(maximumActiveRuns: Int = 3) async throws {
        let server = try PlaygroundServer(host: "127.0.0.1", port: 0, maximumActiveRuns: maximumActiveRuns)
        self.server = server
        task = Task { try await server.run() }
        port = try await server.waitUntilListening()
    }

    /// `http://127.0.0.1:PORT`.
    var base: String { "http://127.0.0.1:\(port)" }

    /// Stops the server and its runs.
    func stop() async {
        await server.stop()
        task.cancel()
    }

    /// An answer: the status and the body's text.
    struct Answer {
        var status: Int
        var text: String
        /// The body as JSON.
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8)) }
        /// The `error` message of a failed request.
        var error: String? { (json as? [String: Any])?["error"] as? String }
    }

    /// Sends a request to the server.
    func request(_ method: String, _ path: String, body: String? = nil, headers: [String: String] = [:]) async throws -> Answer {
        try await Self.request(base: base, method, path, body: body, headers: headers)
    }

    /// Sends a request to the server at `base`.
    static func request(base: String, _ method: String, _ path: String, body: String? = nil, headers: [String: String] = [:]) async throws -> Answer {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        request.timeoutInterval = 60
        if let body { request.httpBody = Data(body.utf8) }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return Answer(status: (response as? HTTPURLResponse)?.statusCode ?? 0, text: String(decoding: data, as: UTF8.self))
    }

    /// Every event of a run, read from its stream until the stream ends (the run's last event).
    func events(of id: String) async throws -> [[String: Any]] {
        let answer = try await request("GET", "/api/train/\(id)/events")
        return answer.text.components(separatedBy: "\n\n").compactMap { message in
            guard let line = message.split(separator: "\n").first(where: { $0.hasPrefix("data: ") }) else { return nil }
            return try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8)) as? [String: Any]
        }
    }

    /// Starts a run and returns its id.
    func train(_ body: String) async throws -> String {
        let answer = try await request("POST", "/api/train", body: body)
        guard answer.status == 200, let id = (answer.json as? [String: Any])?["id"] as? String else {
            throw TestFailure("POST /api/train answered \(answer.status): \(answer.text)")
        }
        return id
    }
}

/// A test's own failure, with what went wrong.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
