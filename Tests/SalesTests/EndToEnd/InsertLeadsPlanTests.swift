import Foundation
@testable import LeadsService
import SalesModel
import Logging
import PostgresNIO
import Testing

extension EndToEnd {
    /// The batch insert is a prepared statement, and a connection keeps its generic plan. A
    /// generic plan made while a table is small can scan it whole later, when it is large (the
    /// outbox's did, with idempotency keys; a customer lookup in this statement did too), so the
    /// statement must scan no table, whatever the table's size when its plan was made.
    @Suite struct InsertLeadsPlanTests {
        @Test(arguments: [0, 3, 200, 20_000])
        func theGenericPlanScansNoTable(customers: Int) async throws {
            let (_, database, _) = try await RunningStack.shared.get()
            let types = InsertLeads.bindingDataTypes.map { $0 == .uuidArray ? "uuid[]" : $0 == .int2Array ? "int2[]" : "text[]" }
            let plan = try await TestEnvironment.withAdminConnection(to: database.url(for: .leads)) { connection in
                let logger = Logger(label: "test")
                try await connection.query("BEGIN", logger: logger)
                defer { Task { try? await connection.query("ROLLBACK", logger: logger) } }
                try await connection.query("SET LOCAL search_path = leads", logger: logger)
                try await connection.query("SET LOCAL plan_cache_mode = force_generic_plan", logger: logger)
                try await connection.query(
                    """
                    INSERT INTO customers (id, tenant_id, key_kind, key_value, display_name, owner_id, org_path)
                    SELECT gen_random_uuid(), 'plan-check', 'phone', g::text, 'n', '', '/east' FROM generate_series(1, \(customers)) g
                    """, logger: logger)
                try await connection.query("ANALYZE customers", logger: logger)
                try await connection.query(
                    PostgresQuery(unsafeSQL: "PREPARE plan_check (\(types.joined(separator: ", "))) AS \(InsertLeads.sql)"), logger: logger)
                let arguments = Array(repeating: "'{}'", count: types.count).joined(separator: ", ")
                var lines: [String] = []
                for try await line in try await connection.query(
                    PostgresQuery(unsafeSQL: "EXPLAIN (COSTS OFF) EXECUTE plan_check(\(arguments))"), logger: logger
                ).decode(String.self) {
                    lines.append(line)
                }
                return lines.joined(separator: "\n")
            }
            #expect(plan.contains("Conflict Arbiter Indexes: customers_tenant_id_key_kind_key_value_key"), "\(plan)")
            #expect(!plan.contains("Seq Scan") && !plan.contains("Index Scan"), "\(plan)")
        }
    }
}
