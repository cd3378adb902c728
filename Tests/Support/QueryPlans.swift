import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// The plans Postgres picks for a store's hot statements at a realistic size: `fill` loads the
/// tables (and ANALYZEs them), `cases` names the statements (it may read what was loaded), each
/// is EXPLAINed, and everything is rolled back, as the other service tests share the schema.
/// Each plan comes back with its case's name and `Extra` (the tables it must not read whole).
package enum QueryPlans {
    /// The advisory lock plan tests take turns on.
    private static let turnKey: Int64 = 0x5155_4552_5950_4C4E
    package static func explain<Extra: Sendable>(
        after fill: [PostgresQuery], in database: Database,
        _ cases: (_ read: (PostgresQuery) async throws -> UUID) async throws -> [(String, PostgresQuery, Extra)]
    ) async throws -> [(name: String, plan: String, extra: Extra)] {
        try await database.withConnection { connection in
            let logger = Logger(label: "query-plans")
            try await connection.query("BEGIN", logger: logger)
            do {
                // The fills ANALYZE shared tables, and ANALYZE's lock lasts until the rollback and
                // conflicts with itself: two plan tests analysing the same tables in different orders
                // deadlocked (ReceivablePlanTests against CustomerHealthPlanTests). They take turns.
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.turnKey))", logger: logger)
                for statement in fill { try await connection.query(statement, logger: logger) }
                let statements = try await cases { try await connection.query($0, logger: logger).collect().first!.decode(UUID.self) }
                var plans: [(name: String, plan: String, extra: Extra)] = []
                for (name, query, extra) in statements {
                    let explain = PostgresQuery(unsafeSQL: "EXPLAIN " + query.sql, binds: query.binds)
                    let lines = try await connection.query(explain, logger: logger).collect().map { try $0.decode(String.self) }
                    plans.append((name, lines.joined(separator: "\n"), extra))
                }
                try await connection.query("ROLLBACK", logger: logger)
                return plans
            } catch {
                try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }
}
