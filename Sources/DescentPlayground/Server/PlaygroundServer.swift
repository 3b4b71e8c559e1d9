import FlyingFox
import FlyingSocks
import Foundation

/// The server behind `descent playground`: one page and its JSON API on FlyingFox, an HTTP
/// server on Swift concurrency and non-blocking sockets.
///
///     let server = try PlaygroundServer(host: "127.0.0.1", port: 0)   // 0: any free port
///     let task = Task { try await server.run() }
///     let port = try await server.waitUntilListening()
///
/// Safe by default: it listens on 127.0.0.1 unless told otherwise, limits request bodies
/// (64 KiB of JSON, 1 MiB of CSV), keeps at most three runs training (a fourth stops the oldest),
/// reads and writes no file a request names, and answers requests that name another host or come
/// from another origin with 403 (a web page elsewhere cannot drive it, even through DNS rebinding).
public final class PlaygroundServer: Sendable {
    /// The address asked for.
    public let host: String
    private let server: HTTPServer
    private let api: PlaygroundAPI

    /// A server for `host` and `port`.
    /// - Parameters:
    ///   - host: an IPv4 or IPv6 address, or `localhost`. The default value is `"127.0.0.1"`.
    ///   - port: the port; `0` picks a free one. The default value is `8080`.
    ///   - maximumActiveRuns: runs that may train at once (the page trains one and up to two comparisons). The default value is `3`.
    /// - Throws: ``RequestError`` for a host that is not an address.
    public init(host: String = "127.0.0.1", port: UInt16 = 8080, maximumActiveRuns: Int = 3) throws {
        self.host = host
        let address: any SocketAddress
        do {
            switch host {
            case "localhost": address = try sockaddr_in.inet(ip4: "127.0.0.1", port: port)
            case let text where text.contains(":"): address = try sockaddr_in6.inet6(ip6: text.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: port)
            default: address = try sockaddr_in.inet(ip4: host, port: port)
            }
        } catch {
            throw RequestError("--host must be an IP address such as 127.0.0.1, ::1 or 0.0.0.0 (or localhost), not `\(host)`")
        }
        api = PlaygroundAPI(runs: RunRegistry(maximumActive: maximumActiveRuns))
        let loopback = ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host)
        let handler = SameOriginHandler(next: api.routes(), loopbackOnly: loopback)
        // FlyingFox's log would report every closed event stream and the shutdown as errors.
        server = HTTPServer(config: HTTPServer.Configuration(address: address, timeout: 120, logger: .disabled), handler: handler)
    }

    /// The runs, for tests.
    var runsForTesting: RunRegistry { api.runs }

    /// Serves until the task is cancelled; stops every run when it ends.
    public func run() async throws {
        defer { api.runs.stopAll() }
        try await server.run()
    }

    /// Waits until the server listens and returns its port (the one chosen, for port 0).
    ///
    /// Up to 60 s: binding takes milliseconds, but on a loaded 2-core machine (the test suite under
    /// AddressSanitizer, beside CPU-bound tests that hold Swift's cooperative threads) the listening
    /// task was seen to wait more than 10 s before it ran.
    public func waitUntilListening() async throws -> UInt16 {
        try await server.waitUntilListening(timeout: 60)
        switch await server.listeningAddress {
        case .ip4(_, let port), .ip6(_, let port): return port
        default: throw RequestError("the server listens on no TCP port")
        }
    }

    /// Stops serving (open event streams are closed) and stops every run.
    public func stop() async {
        api.runs.stopAll()
        await server.stop(timeout: 1)
    }
}

/// Refuses requests a page on another site could have sent: when the server listens on the
/// loopback address, the `Host` must be a loopback name (so DNS rebinding cannot reach it), and
/// whatever the address, an `Origin` header must name the host the request was sent to.
struct SameOriginHandler: HTTPHandler {
    let next: RoutedHTTPHandler
    let loopbackOnly: Bool

    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        let host = request.headers[.host] ?? ""
        let hostName = host.hasPrefix("[") ? String(host.prefix { $0 != "]" }.dropFirst()) : String(host.prefix { $0 != ":" })
        if loopbackOnly && !["127.0.0.1", "localhost", "::1"].contains(hostName) {
            return .error(RequestError("this server only answers requests to 127.0.0.1 or localhost, not `\(host)`", status: 403))
        }
        if let origin = request.headers[HTTPHeader("Origin")], origin != "http://\(host)" {
            return .error(RequestError("requests from another origin (`\(origin)`) are refused", status: 403))
        }
        return try await next.handleRequest(request)
    }
}
