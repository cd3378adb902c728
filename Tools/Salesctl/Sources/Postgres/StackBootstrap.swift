import Foundation
import Logging
import PostgresNIO
import SalesModel
import ServiceKit

/// Creates the platform's database, and per service a login role and a schema only that role
/// can use. Safe to run again: what exists is kept, passwords are reset to the given ones.
public struct StackBootstrap: Sendable {
    public let admin: DatabaseURL
    public let database: String
    public let passwords: [ServiceName: String]

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public init(admin: DatabaseURL, database: String, passwords: [ServiceName: String]) throws {
        guard database.range(of: "^[a-z][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
            throw Failure(description: "database name \"\(database)\" must be lowercase letters, digits and '_'")
        }
        for (_, password) in passwords where password.contains("'") {
            throw Failure(description: "service passwords must not contain a quote")
        }
        self.admin = admin
        self.database = database
        self.passwords = passwords
    }

    /// The URL a service uses to reach its own schema.
    public func url(for service: ServiceName) -> DatabaseURL {
        admin.withDatabase(database).withLogin(service.schema, password: passwords[service])
    }

    public func run(logger: Logger) async throws {
        try await withConnection(to: admin) { connection in
            let exists = try await connection.query("SELECT 1 FROM pg_database WHERE datname = \(database)", logger: logger)
            var found = false
            for try await _ in exists { found = true }
            if !found {
                try await connection.query("CREATE DATABASE \(unescaped: database)", logger: logger)
            }
            // Roles are cluster-wide, and each is looked up before it is created: bootstraps of
            // several databases at once (the test suites, two init jobs) take turns. A transaction's
            // lock, so it ends with the transaction even if the connection's socket lives on in a
            // child process.
            try await connection.query("BEGIN", logger: logger)
            _ = try await connection.query("SELECT pg_advisory_xact_lock(hashtext('sales:bootstrap'))", logger: logger).collect()
            for service in ServiceName.allCases {
                let role = service.schema
                let password = passwords[service] ?? ""
                let roles = try await connection.query("SELECT 1 FROM pg_roles WHERE rolname = \(role)", logger: logger)
                var roleExists = false
                for try await _ in roles { roleExists = true }
                let verb = roleExists ? "ALTER" : "CREATE"
                try await connection.query(
                    "\(unescaped: verb) ROLE \(unescaped: role) LOGIN PASSWORD '\(unescaped: password)'", logger: logger)
            }
            try await connection.query("COMMIT", logger: logger)
        }
        try await withConnection(to: admin.withDatabase(database)) { connection in
            try await connection.query("REVOKE ALL ON DATABASE \(unescaped: database) FROM PUBLIC", logger: logger)
            try await connection.query("REVOKE ALL ON SCHEMA public FROM PUBLIC", logger: logger)
            for service in ServiceName.allCases {
                let name = service.schema
                try await connection.query("GRANT CONNECT ON DATABASE \(unescaped: database) TO \(unescaped: name)", logger: logger)
                try await connection.query("CREATE SCHEMA IF NOT EXISTS \(unescaped: name) AUTHORIZATION \(unescaped: name)", logger: logger)
                try await connection.query("REVOKE ALL ON SCHEMA \(unescaped: name) FROM PUBLIC", logger: logger)
                try await connection.query(
                    "ALTER ROLE \(unescaped: name) IN DATABASE \(unescaped: database) SET search_path = \(unescaped: name)",
                    logger: logger)
            }
        }
    }

    private func withConnection(
        to url: DatabaseURL, _ body: (PostgresConnection) async throws -> Void
    ) async throws {
        let configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.username, password: url.password, database: url.database, tls: .disable)
        let connection = try await PostgresConnection.connect(
            on: PostgresClient.defaultEventLoopGroup.next(), configuration: configuration, id: 1,
            logger: Logger(label: "salesctl.bootstrap"))
        do {
            try await body(connection)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
