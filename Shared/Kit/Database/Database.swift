import GRPCCore
import Logging
import Metrics
import PostgresNIO

/// A service's connection pool to its own schema, with transactions that rethrow the body's own
/// error (so a domain error reaches the client as itself) and a gauge of leased connections.
public struct Database: Sendable {
    public let client: PostgresClient
    public let logger: Logger
    private let inUse: Meter

    public init(url: DatabaseURL, schema: String, maximumConnections: Int = 20, logger: Logger) {
        var configuration: PostgresClient.Configuration
        if let directory = url.socketDirectory {
            configuration = .init(
                unixSocketPath: "\(directory)/.s.PGSQL.\(url.port)", username: url.username,
                password: url.password, database: url.database)
        } else {
            configuration = .init(
                host: url.host, port: url.port, username: url.username, password: url.password,
                database: url.database, tls: .disable)
        }
        configuration.options.maximumConnections = maximumConnections
        // Unqualified names resolve to the service's own schema only. A random page read costs
        // about what a sequential one does when the tables live in memory or on SSD; at the
        // default (4, for spinning disks) the planner read a tenant's 100,000 instalments whole to
        // join them to 500 contracts, where 500 index probes take a tenth of the time.
        configuration.options.additionalStartupParameters = [("search_path", schema), ("random_page_cost", "1.1")]
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
        self.inUse = Meter(label: "db_pool_connections_in_use", dimensions: [("schema", schema)])
    }

    public func withConnection<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await client.withConnection { connection in
            inUse.increment()
            defer { inUse.decrement() }
            return try await body(connection)
        }
    }

    /// Runs `body` in a transaction; rolls back and rethrows the body's error unchanged. The
    /// outbox events and idempotent answers the body left are written last, in one statement just
    /// before COMMIT (see `TransactionTail`).
    public func transaction<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                let tail = TransactionTail()
                let result = try await TransactionTail.$current.withValue(tail) { try await body(connection) }
                try await tail.flush(on: connection, logger: logger)
                // The server answers ROLLBACK to a COMMIT of a failed transaction: a statement's
                // error can wait unseen in rows nobody read (a deadlock on a SELECT … FOR UPDATE).
                guard try await connection.query("COMMIT", []).get().metadata.command == "COMMIT" else { throw TransactionRolledBack() }
                return result
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    /// Runs `body` in a savepoint of the current transaction: when it throws, its writes and the
    /// events it appended are undone and the transaction goes on (a bulk command's refused item).
    public func savepoint<Result: Sendable>(on connection: PostgresConnection, _ body: () async throws -> Result) async throws -> Result {
        guard let tail = TransactionTail.current else { preconditionFailure("a savepoint is taken inside Database.transaction") }
        let mark = tail.mark
        try await connection.query("SAVEPOINT item", logger: logger)
        do {
            let result = try await body()
            try await connection.query("RELEASE SAVEPOINT item", logger: logger)
            return result
        } catch {
            try await connection.query("ROLLBACK TO SAVEPOINT item", logger: logger)
            try await connection.query("RELEASE SAVEPOINT item", logger: logger)
            tail.rollback(to: mark)
            throw error
        }
    }

    /// Runs `query` on `connection` when the caller is inside a transaction, else on the pool.
    @discardableResult
    public func query(_ query: PostgresQuery, on connection: PostgresConnection? = nil) async throws -> PostgresRowSequence {
        if let connection { return try await connection.query(query, logger: logger) }
        return try await client.query(query, logger: logger)
    }
}

/// The server rolled the transaction back at COMMIT because a statement in it had failed.
struct TransactionRolledBack: Error, RPCErrorConvertible {
    var rpcErrorCode: RPCError.Code { .aborted }
    var rpcErrorMessage: String {
        "the database rolled the transaction back (a conflicting change or a failed statement); nothing was written, send the call again"
    }
}
