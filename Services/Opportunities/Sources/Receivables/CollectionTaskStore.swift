import Foundation
import Logging
import PostgresNIO
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The `collection_tasks` table and the sweep's statements over `instalments`: tasks for unpaid
/// instalments past due, closed when paid or when the invoice moves on, and the once-only
/// escalation of those more than a few days overdue.
struct CollectionTaskStore: Sendable {
    let database: Database

    /// Tenants with an unpaid instalment past due (by the server's date: each is then swept with
    /// its own calendar's today).
    func tenantsWithPastDue() async throws -> [TenantID] {
        let rows = try await database.query(
            "SELECT DISTINCT tenant_id FROM instalments WHERE paid_minor < amount_minor AND due_date < current_date + 1")
        var tenants: [TenantID] = []
        for try await tenant in rows.decode(String.self) { if let id = TenantID(tenant) { tenants.append(id) } }
        return tenants
    }

    /// Closes open tasks whose instalment was paid or whose invoice moved past the task's step.
    func closeSettled(tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            UPDATE collection_tasks t
            SET done_at = now(), outcome = CASE WHEN i.paid_minor >= i.amount_minor THEN 'paid' ELSE 'invoice moved on' END
            FROM instalments i
            WHERE t.tenant_id = \(tenant.rawValue) AND t.done_at IS NULL AND i.id = t.instalment_id
              AND (i.paid_minor >= i.amount_minor OR t.kind <> i.invoice_step + 1)
            """, logger: logger)
    }

    /// A task for the owner of each unpaid instalment past due, by its invoice step, due in
    /// `hours`; never twice of a kind for one instalment. Returns how many were created.
    func createDue(tenant: TenantID, today: LocalDate, hours: Int, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query(
            """
            INSERT INTO collection_tasks (id, tenant_id, instalment_id, owner_id, org_path, kind, title, due_at)
            SELECT gen_random_uuid(), tenant_id, id, owner_id, org_path, invoice_step + 1,
                   (CASE invoice_step WHEN 0 THEN '开具并寄出发票' WHEN 1 THEN '确认客户已收到发票' WHEN 2 THEN '催客户验收签字'
                                      WHEN 3 THEN '跟进客户法务审核' ELSE '催收回款' END)
                   || '：' || customer_name || ' 第' || number || '期，逾期' || (\(today.description)::date - due_date) || '天',
                   now() + make_interval(hours => \(Int32(hours)))
            FROM instalments
            WHERE tenant_id = \(tenant.rawValue) AND paid_minor < amount_minor AND due_date < \(today.description)::date
            ON CONFLICT (instalment_id, kind) DO NOTHING
            RETURNING 1
            """, logger: logger)
        var created = 0
        for try await _ in rows { created += 1 }
        return created
    }

    /// Marks up to `limit` unpaid instalments more than `days` overdue as escalated (each once)
    /// and returns them with their team's path.
    func escalate(
        tenant: TenantID, today: LocalDate, afterDays days: Int, limit: Int, on connection: PostgresConnection, logger: Logger
    ) async throws -> [(receivable: Sales_Opportunities_V1_Receivable, orgPath: String)] {
        let rows = try await connection.query(
            """
            UPDATE instalments SET escalated_at = now()
            WHERE id IN (
                SELECT id FROM instalments
                WHERE tenant_id = \(tenant.rawValue) AND paid_minor < amount_minor AND escalated_at IS NULL
                  AND due_date < \(today.adding(days: -days).description)::date
                ORDER BY due_date LIMIT \(limit) FOR UPDATE SKIP LOCKED
            )
            RETURNING \(unescaped: ReceivableStore.columns), org_path, due_date - \(today.description)::date AS days_left
            """, logger: logger)
        var escalated: [(Sales_Opportunities_V1_Receivable, String)] = []
        for try await row in rows {
            let row = row.makeRandomAccess()
            escalated.append((try ReceivableStore.receivable(row), try row.decode("org_path")))
        }
        return escalated
    }

    /// A page of the tasks the caller sees, newest first.
    func list(for caller: Caller, openOnly: Bool, page: Page) async throws -> [(task: Sales_Opportunities_V1_CollectionTask, seq: Int64)] {
        let rows = try await database.query(
            """
            SELECT \(unescaped: Self.columns) FROM collection_tasks t JOIN instalments i ON i.id = t.instalment_id
            WHERE t.tenant_id = \(caller.tenant.rawValue) AND \(visibleTo: Visibility(caller), owner: "t.owner_id", orgPath: "t.org_path")
              AND (NOT \(openOnly) OR t.done_at IS NULL) AND t.seq < \(page.before)
            ORDER BY t.seq DESC LIMIT \(page.fetchLimit)
            """)
        var tasks: [(Sales_Opportunities_V1_CollectionTask, Int64)] = []
        for try await row in rows {
            let row = row.makeRandomAccess()
            tasks.append((try Self.task(row), try row.decode("seq")))
        }
        return tasks
    }

    /// Marks the task done with `outcome` unless it is done already; nil when the caller does not see it.
    func complete(_ id: UUID, outcome: String, for caller: Caller, on connection: PostgresConnection) async throws
        -> Sales_Opportunities_V1_CollectionTask?
    {
        let rows = try await connection.query(
            """
            WITH done AS (
                UPDATE collection_tasks t SET done_at = coalesce(t.done_at, now()),
                       outcome = CASE WHEN t.done_at IS NULL THEN \(outcome) ELSE t.outcome END
                WHERE t.id = \(id) AND t.tenant_id = \(caller.tenant.rawValue)
                  AND \(visibleTo: Visibility(caller), owner: "t.owner_id", orgPath: "t.org_path")
                RETURNING t.*
            )
            SELECT \(unescaped: Self.columns) FROM done t JOIN instalments i ON i.id = t.instalment_id
            """, logger: database.logger)
        for try await row in rows { return try Self.task(row.makeRandomAccess()) }
        return nil
    }

    private static let columns = """
        t.id, t.seq, t.instalment_id, i.contract_id, i.customer_name, t.owner_id, t.kind, t.title, t.due_at, t.created_at, t.done_at, t.outcome
        """

    private static func task(_ row: PostgresRandomAccessRow) throws -> Sales_Opportunities_V1_CollectionTask {
        try .with {
            $0.id = try row.decode("id", as: UUID.self).apiString
            $0.instalmentID = try row.decode("instalment_id", as: UUID.self).apiString
            $0.contractID = try row.decode("contract_id", as: UUID.self).apiString
            $0.customerName = try row.decode("customer_name")
            $0.ownerID = try row.decode("owner_id")
            $0.kind = .init(rawValue: Int(try row.decode("kind", as: Int16.self))) ?? .unspecified
            $0.title = try row.decode("title")
            $0.dueAt = .init(date: try row.decode("due_at", as: Date.self))
            $0.createdAt = .init(date: try row.decode("created_at", as: Date.self))
            if let done = try row.decode("done_at", as: Date?.self) { $0.doneAt = .init(date: done) }
            $0.outcome = try row.decode("outcome")
        }
    }
}
