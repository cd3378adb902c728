import Crypto
import Foundation
import Logging
import PostgresNIO

public struct MigrationError: Error, CustomStringConvertible {
    public let description: String
}

/// Applies a schema's migrations at start. An advisory lock keyed by the schema makes
/// concurrent starts (two replicas, a restart loop) take turns; the record lives in the schema's
/// own `schema_migrations` table.
public struct Migrator: Sendable {
    public let schema: String
    public let migrations: [Migration]

    public init(schema: String, migrations: [Migration]) {
        self.schema = schema
        self.migrations = migrations
    }

    @discardableResult
    public func run(on database: Database) async throws -> [String] {
        let logger = database.logger
        return try await database.withConnection { connection in
            let lockKey = "migrate:" + schema
            try await connection.query("SELECT pg_advisory_lock(hashtext(\(lockKey)))", logger: logger)
            do {
                let applied = try await apply(on: connection, logger: logger)
                try await connection.query("SELECT pg_advisory_unlock(hashtext(\(lockKey)))", logger: logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(hashtext(\(lockKey)))", logger: logger)
                throw error
            }
        }
    }

    private func apply(on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                id text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        var recorded: [(String, String)] = []
        for try await row in try await connection.query(
            "SELECT id, checksum FROM schema_migrations ORDER BY id", logger: logger
        ).decode((String, String).self) {
            recorded.append(row)
        }
        // A migration that moved keeps its record under its new id.
        for migration in migrations {
            guard let formerID = migration.formerID, let index = recorded.firstIndex(where: { $0.0 == formerID }),
                !recorded.contains(where: { $0.0 == migration.id })
            else { continue }
            try await connection.query(
                "UPDATE schema_migrations SET id = \(migration.id) WHERE id = \(formerID)", logger: logger)
            recorded[index].0 = migration.id
        }
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.id, $0) })
        for (id, checksum) in recorded {
            guard let migration = known[id] else {
                throw MigrationError(description: "schema \(schema) has migration \(id) applied, which this build does not know: run a newer build")
            }
            guard Self.checksum(migration.sql) == checksum else {
                throw MigrationError(
                    description:
                        "migration \(id) of schema \(schema) was edited after it was applied: migrations are forward-only, add a new one instead")
            }
        }
        let done = Set(recorded.map(\.0))
        var applied: [String] = []
        for migration in migrations where !done.contains(migration.id) {
            try await connection.query("BEGIN", logger: logger)
            do {
                for statement in SQLScript.statements(migration.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (id, checksum) VALUES (\(migration.id), \(Self.checksum(migration.sql)))",
                    logger: logger)
                try await connection.query("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw MigrationError(description: "migration \(migration.id) of schema \(schema) failed: \(String(reflecting: error))")
            }
            logger.info("applied migration", metadata: ["migration": "\(migration.id)", "schema": "\(schema)"])
            applied.append(migration.id)
        }
        return applied
    }

    static func checksum(_ sql: String) -> String {
        SHA256.hash(data: Data(sql.utf8)).hexEncoded
    }
}
