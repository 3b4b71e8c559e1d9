import ArgumentParser
import DescentPlayground
import Foundation

/// `descent playground`: a local web page that shows gradient descent live, with Descent's own
/// optimizers doing the work on the server.
struct PlaygroundCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "playground",
        abstract: "Watch gradient descent live in the browser: optimizers racing on a landscape, a network learning 2-D data.",
        usage: "descent playground [<options>]",
        discussion: """
            Starts a web server that serves one self-contained page (it works offline) and the \
            JSON API the page uses (GET /api/catalog, POST /api/optimize, POST /api/train, \
            GET /api/train/ID/events, DELETE /api/train/ID, POST /api/lr-find; see the README). \
            Training runs in Swift on the server; the page draws what it streams. Stop with Ctrl-C.

            It listens on 127.0.0.1 only, unless --host says otherwise: give --host 0.0.0.0 to \
            let other machines connect (anyone who reaches the port can start runs).

            Example:
              descent playground --port 8080 --open
            """)

    @Option(help: "The TCP port; 0 picks a free one.")
    var port: Int = 8080

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Flag(help: "Open the page in the default browser (xdg-open or open).")
    var open = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535, not \(port)") }
    }

    func run() async throws {
        let server: PlaygroundServer
        do { server = try PlaygroundServer(host: host, port: UInt16(port)) } catch let error as RequestError {
            throw ValidationError(error.message)
        }
        let task = Task { try await server.run() }
        let listening: UInt16
        do { listening = try await server.waitUntilListening() } catch {
            task.cancel()
            throw ValidationError("cannot listen on \(host):\(port) (\(error)); is another program using the port? Try --port 0")
        }
        let shownHost = host.contains(":") ? "[\(host)]" : host
        let address = "http://\(shownHost == "0.0.0.0" ? "127.0.0.1" : shownHost):\(listening)/"
        // Written unbuffered, so a script reading a pipe or a file gets the address at once.
        FileHandle.standardOutput.write(Data("Descent playground: \(address)  (Ctrl-C stops it)\n".utf8))
        if open { Self.openInBrowser(address) }
        try await task.value
    }

    /// Opens `address` with the desktop's opener, if there is one (a missing one is not an error).
    static func openInBrowser(_ address: String) {
        #if os(macOS)
        let (tool, arguments) = ("/usr/bin/open", [address])
        #else
        let (tool, arguments) = ("/usr/bin/env", ["xdg-open", address])
        #endif
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            FileHandle.standardError.write(Data("could not open a browser (\(error)); open \(address) yourself\n".utf8))
        }
    }
}
