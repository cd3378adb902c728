import Foundation
import Logging
import PostgresNIO
import SalesControl
import SalesModel
import TestSupport
import Testing

@testable import LeadsService
@testable import ServiceKit

extension EndToEnd {
    /// A prepared statement keeps the generic plan its connection made, and a generic plan made
    /// while a table is small can scan it whole later, when it is large (the outbox's answers did,
    /// with idempotency keys; a customer lookup in the batch insert did too). So the prepared
    /// statements must scan no table, whatever the table's size when their plan was made.
    @Suite struct PreparedPlanTests {
        struct Statement: Sendable, CustomTestStringConvertible {
            let name: String
            let sql: String
            let types: [PostgresDataType]
            /// The table it writes, filled to `rows` before planning.
            let table: String
            let fill: String
            var testDescription: String { name }
        }

        static let statements = [
            Statement(
                name: "BatchLeadInsert", sql: BatchLeadInsert.sql, types: BatchLeadInsert.bindingDataTypes, table: "customers",
                fill: "INSERT INTO customers (id, tenant_id, key_kind, key_value, display_name, owner_id, org_path) "
                    + "SELECT gen_random_uuid(), 'plan-check', 'phone', g::text, 'n', '', '/east' FROM generate_series(1, $1) g"),
            Statement(
                name: "ClaimKeys", sql: ClaimKeys.sql, types: ClaimKeys.bindingDataTypes, table: "idempotency_keys",
                fill: "INSERT INTO idempotency_keys (tenant_id, key, method, request_hash) "
                    + "SELECT 'plan-check', g::text, 'm', 'h' FROM generate_series(1, $1) g"),
        ]

        @Test(arguments: statements, [0, 3, 200, 20_000])
        func theGenericPlanScansNoTable(statement: Statement, rows: Int) async throws {
            let (_, database, _) = try await RunningStack.shared.get()
            let types = statement.types.map { type in
                [PostgresDataType.uuidArray: "uuid[]", .int2Array: "int2[]", .textArray: "text[]", .text: "text"][type]!
            }
            let arguments = statement.types.map { $0 == .text ? "''" : "'{}'" }.joined(separator: ", ")
            let plan = try await TestEnvironment.withAdminConnection(to: database.url(for: .leads)) { connection in
                let logger = Logger(label: "test")
                // Everything happens in a transaction rolled back at the end: the shared stack's
                // tables keep their rows.
                try await connection.query("BEGIN", logger: logger)
                try await connection.query("SET LOCAL search_path = leads", logger: logger)
                try await connection.query("SET LOCAL plan_cache_mode = force_generic_plan", logger: logger)
                try await connection.query(
                    PostgresQuery(
                        unsafeSQL: statement.fill,
                        binds: {
                            var b = PostgresBindings(); b.append(rows); return b
                        }()), logger: logger)
                try await connection.query(PostgresQuery(unsafeSQL: "ANALYZE \(statement.table)"), logger: logger)
                try await connection.query(
                    PostgresQuery(unsafeSQL: "PREPARE plan_check (\(types.joined(separator: ", "))) AS \(statement.sql)"), logger: logger)
                var lines: [String] = []
                for try await line in try await connection.query(
                    PostgresQuery(unsafeSQL: "EXPLAIN (COSTS OFF) EXECUTE plan_check(\(arguments))"), logger: logger
                ).decode(String.self) {
                    lines.append(line)
                }
                try await connection.query("ROLLBACK", logger: logger)
                return lines.joined(separator: "\n")
            }
            #expect(plan.contains("Insert on \(statement.table)"), "\(plan)")
            #expect(!plan.contains("Seq Scan") && !plan.contains("Index Scan"), "\(plan)")
        }
    }
}
