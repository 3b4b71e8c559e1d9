import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A minimal WebSocket client (RFC 6455) over a blocking TCP socket, enough to talk to
/// Chromium's DevTools: text frames out (masked, as a client must), text frames in (fragments
/// joined, pings answered). Written here because Foundation's WebSocket task on Linux depends on
/// how libcurl was built; this one behaves the same everywhere.
final class WebSocketConnection {
    private let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to `ws://127.0.0.1:PORT/PATH` and completes the opening handshake.
    init(port: UInt16, path: String) throws {
        #if canImport(Glibc)
        let stream = Int32(SOCK_STREAM.rawValue)
        #else
        let stream = SOCK_STREAM
        #endif
        fd = socket(AF_INET, stream, 0)
        guard fd >= 0 else { throw TestFailure("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(fd); throw TestFailure("cannot connect to 127.0.0.1:\(port)") }
        let handshake = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: ZGVzY2VudC1wbGF5Z3JvdW5kIQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        try writeBytes(Array(handshake.utf8))
        var header: [UInt8] = []
        while !header.suffix(4).elementsEqual([13, 10, 13, 10]) { header.append(contentsOf: try readBytes(1, timeout: 10)) }
        guard String(decoding: header, as: UTF8.self).hasPrefix("HTTP/1.1 101") else {
            throw TestFailure("the WebSocket handshake failed: \(String(decoding: header, as: UTF8.self))")
        }
    }

    deinit { close(fd) }

    /// Sends one text message.
    func sendText(_ text: String) throws {
        let payload = Array(text.utf8)
        var frame: [UInt8] = [0x81]
        switch payload.count {
        case ..<126: frame.append(0x80 | UInt8(payload.count))
        case ..<65536: frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xff)]
        default: frame.append(0x80 | 127); frame += (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xff) }
        }
        let mask: [UInt8] = [0x5a, 0x13, 0xc7, 0x2e]
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try writeBytes(frame)
    }

    /// The next text message, waiting at most `timeout` seconds.
    func receive(timeout: Double) throws -> String {
        var message: [UInt8] = []
        while true {
            let head = try readBytes(2, timeout: timeout)
            let opcode = head[0] & 0x0f, isFinal = head[0] & 0x80 != 0
            var length = Int(head[1] & 0x7f)
            if length == 126 { length = try readBytes(2, timeout: timeout).reduce(0) { $0 << 8 | Int($1) } }
            if length == 127 { length = try readBytes(8, timeout: timeout).reduce(0) { $0 << 8 | Int($1) } }
            let payload = try readBytes(length, timeout: timeout)
            switch opcode {
            case 0x8: throw TestFailure("Chromium closed the DevTools connection")
            case 0x9: try writeBytes([0x8a, 0x80, 0, 0, 0, 0])  // answer a ping with an empty pong
            default:
                message += payload
                if isFinal { return String(decoding: message, as: UTF8.self) }
            }
        }
    }

    private func writeBytes(_ bytes: [UInt8]) throws {
        #if canImport(Glibc)
        let flags = Int32(MSG_NOSIGNAL)  // a closed socket is an error here, not a SIGPIPE that ends the tests
        #else
        let flags: Int32 = 0
        #endif
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, flags) }
            guard n > 0 else { throw TestFailure("the DevTools connection broke while sending") }
            sent += n
        }
    }

    /// Exactly `count` bytes, waiting for them at most `timeout` seconds in all.
    private func readBytes(_ count: Int, timeout: Double) throws -> [UInt8] {
        let deadline = Date().addingTimeInterval(timeout)
        var chunk = [UInt8](repeating: 0, count: 65536)
        while buffer.count < count {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let remaining = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
            guard poll(&descriptor, 1, remaining) > 0 else { throw TestFailure("no answer from Chromium within \(timeout) s") }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw TestFailure("the DevTools connection closed") }
            buffer += chunk[0..<n]
        }
        defer { buffer.removeFirst(count) }
        return Array(buffer[0..<count])
    }
}
