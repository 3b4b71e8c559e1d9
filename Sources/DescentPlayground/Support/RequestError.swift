/// A request the playground cannot run: a bad value, an unknown spec, an impossible setting.
///
/// The message is the one `descent` prints for the same mistake on its command line (an API
/// request names the same things, so the same words help), or for what only the API can get
/// wrong (a malformed body, a value over the server's limits), a message in the same style: what
/// was wrong, and what to write instead. The server answers it with status 400 (413 for a body
/// over the size limit, 404 for an unknown run).
public struct RequestError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What a user can act on.
    public var message: String
    /// The HTTP status the server answers with. The default value is `400`.
    public var status: Int

    /// An error with `message`, answered with `status`.
    public init(_ message: String, status: Int = 400) {
        self.message = message
        self.status = status
    }

    /// The message.
    public var description: String { message }
}
