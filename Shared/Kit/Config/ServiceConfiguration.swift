import Logging
import SalesModel

/// Everything a service executable reads at start. Built once from the environment.
public struct ServiceConfiguration: Sendable {
    public enum LogFormat: String, Sendable, CaseIterable { case text, json }

    public var service: ServiceName
    public var host: String
    public var grpcPort: Int
    public var metricsPort: Int
    public var database: DatabaseURL
    public var jwtSecret: String
    public var logFormat: LogFormat
    public var logLevel: String
    /// Dev mode: the gateway issues tokens without a password. Never on in production.
    public var developmentMode: Bool
    /// Addresses of the other services this one calls, by service.
    public var peers: [ServiceName: PeerAddress]
    /// On SIGTERM, how long health says NOT_SERVING before the server stops taking calls, so
    /// health watchers and load balancers learn it while the server still answers.
    public var drainNotice: Duration

    public init(
        service: ServiceName, host: String = "127.0.0.1", grpcPort: Int, metricsPort: Int,
        database: DatabaseURL, jwtSecret: String, logFormat: LogFormat = .text, logLevel: String = "info",
        developmentMode: Bool = false, peers: [ServiceName: PeerAddress] = [:], drainNotice: Duration = .milliseconds(300)
    ) {
        self.service = service
        self.host = host
        self.grpcPort = grpcPort
        self.metricsPort = metricsPort
        self.database = database
        self.jwtSecret = jwtSecret
        self.logFormat = logFormat
        self.logLevel = logLevel
        self.developmentMode = developmentMode
        self.peers = peers
        self.drainNotice = drainNotice
    }

    /// Reads SALES_* variables; `peers` names the services this one calls.
    public static func fromEnvironment(
        _ service: ServiceName, peers needed: [ServiceName] = [], environment env: Environment = Environment()
    ) throws(ConfigurationError) -> ServiceConfiguration {
        let databaseVariable = "SALES_DATABASE_URL"
        let rawURL = try env.required(
            databaseVariable, hint: "give this service's Postgres URL, e.g. postgres://\(service.schema):secret@127.0.0.1:5432/sales")
        let database: DatabaseURL
        do { database = try DatabaseURL(parsing: rawURL) } catch {
            throw ConfigurationError(variable: databaseVariable, problem: "is not a usable Postgres URL: \(error.reason)")
        }
        let secret = try env.required("SALES_JWT_SECRET", hint: "give the token signing key (at least 32 characters)")
        guard secret.utf8.count >= 32 else {
            throw ConfigurationError(variable: "SALES_JWT_SECRET", problem: "is \(secret.utf8.count) bytes long: use at least 32")
        }
        var peers: [ServiceName: PeerAddress] = [:]
        for peer in needed {
            let name = peer.environmentKey + "_ADDR"
            let raw = try env.required(name, hint: "give the \(peer.rawValue) service's host:port, e.g. 127.0.0.1:\(peer.defaultGRPCPort)")
            guard let address = PeerAddress(raw) else {
                throw ConfigurationError(variable: name, problem: "is \"\(raw)\": write it as host:port")
            }
            peers[peer] = address
        }
        return ServiceConfiguration(
            service: service,
            host: env.optional("SALES_HOST") ?? "127.0.0.1",
            grpcPort: try env.port("SALES_GRPC_PORT", default: service.defaultGRPCPort),
            metricsPort: try env.port("SALES_METRICS_PORT", default: service.defaultMetricsPort),
            database: database,
            jwtSecret: secret,
            logFormat: try env.choice("SALES_LOG_FORMAT", default: LogFormat.text),
            logLevel: try env.choice("SALES_LOG_LEVEL", default: Logger.Level.info).rawValue,
            developmentMode: try env.flag("SALES_DEV_MODE"),
            peers: peers,
            drainNotice: .milliseconds(try env.integer("SALES_DRAIN_NOTICE_MS", in: 0...60_000, default: 300))
        )
    }
}

/// host:port of another service.
public struct PeerAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (1...65535).contains(port), colon != text.startIndex
        else { return nil }
        self.init(host: String(text[..<colon]), port: port)
    }

    public var description: String { "\(host):\(port)" }
}
