import Foundation

/// A parsed `postgres://user:password@host:port/database` URL. A `host` query item that is a
/// path (`?host=/run/postgresql`) selects a Unix socket, as libpq does.
public struct DatabaseURL: Sendable, Hashable {
    public struct ParseError: Error { public let reason: String }

    public var username: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    public var socketDirectory: String?

    public init(
        username: String, password: String?, host: String = "127.0.0.1", port: Int = 5432,
        database: String, socketDirectory: String? = nil
    ) {
        self.username = username
        self.password = password
        self.host = host
        self.port = port
        self.database = database
        self.socketDirectory = socketDirectory
    }

    public init(parsing text: String) throws(ParseError) {
        guard let components = URLComponents(string: text) else { throw ParseError(reason: "it does not parse as a URL") }
        guard components.scheme == "postgres" || components.scheme == "postgresql" else {
            throw ParseError(reason: "the scheme must be postgres://")
        }
        guard let user = components.user, !user.isEmpty else { throw ParseError(reason: "it names no user") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw ParseError(reason: "it names no database (…/sales)") }
        let socket = components.queryItems?.first(where: { $0.name == "host" })?.value
        guard components.host?.isEmpty == false || socket != nil else { throw ParseError(reason: "it names no host") }
        self.init(
            username: user.removingPercentEncoding ?? user,
            password: components.password?.removingPercentEncoding,
            host: components.host ?? "localhost",
            port: components.port ?? 5432,
            database: database,
            socketDirectory: socket.flatMap { $0.hasPrefix("/") ? $0 : nil }
        )
    }

    public var rendered: String {
        var url = "postgres://\(escape(username))"
        if let password { url += ":\(escape(password))" }
        url += "@\(host):\(port)/\(database)"
        if let socketDirectory { url += "?host=\(socketDirectory)" }
        return url
    }

    /// The same server and database as another login.
    public func withLogin(_ username: String, password: String?) -> DatabaseURL {
        var copy = self
        copy.username = username
        copy.password = password
        return copy
    }

    public func withDatabase(_ database: String) -> DatabaseURL {
        var copy = self
        copy.database = database
        return copy
    }

    private func escape(_ part: String) -> String {
        part.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed.subtracting(CharacterSet(charactersIn: ":@/"))) ?? part
    }
}
