import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The `service_tickets` and `risk_tasks` tables: the service desk's tickets, kept as last sent,
/// and the owner's task while a major complaint is open (one a ticket; done when it is resolved).
struct ServiceTicketStore: Sendable {
    let database: Database

    /// The ticket as sent, replacing what was kept; whether it was new, changed or the same, and
    /// whether it was an open major complaint before.
    func put(_ ticket: CheckedTicket, tenant: TenantID, on connection: PostgresConnection) async throws -> (result: String, wasMajor: Bool) {
        let earlier = try await connection.query(
            """
            SELECT customer_id, resolved_at IS NULL AND complaint AND severity >= 2 FROM service_tickets
            WHERE tenant_id = \(tenant.rawValue) AND ticket_id = \(ticket.id) FOR UPDATE
            """, logger: database.logger)
        var before: (customer: UUID, major: Bool)?
        for try await (customer, major) in earlier.decode((UUID, Bool).self) { before = (customer, major) }
        if let before, before.customer != ticket.customer {
            throw ServiceError.failedPrecondition(
                "ticket \(ticket.id) was recorded for customer \(before.customer.apiString); a ticket stays with its customer")
        }
        let rows = try await connection.query(
            """
            INSERT INTO service_tickets AS t (tenant_id, ticket_id, customer_id, severity, complaint, subject, opened_at, resolved_at, nps)
            VALUES (\(tenant.rawValue), \(ticket.id), \(ticket.customer), \(Int16(ticket.severity.rawValue)), \(ticket.complaint), \(ticket.subject),
                    \(ticket.openedAt), \(ticket.resolvedAt), \(ticket.nps.map(Int16.init)))
            ON CONFLICT (tenant_id, ticket_id) DO UPDATE SET severity = EXCLUDED.severity, complaint = EXCLUDED.complaint,
                subject = EXCLUDED.subject, opened_at = EXCLUDED.opened_at, resolved_at = EXCLUDED.resolved_at, nps = EXCLUDED.nps, updated_at = now()
            WHERE (t.severity, t.complaint, t.subject, t.opened_at, t.resolved_at, t.nps)
                  IS DISTINCT FROM (EXCLUDED.severity, EXCLUDED.complaint, EXCLUDED.subject, EXCLUDED.opened_at, EXCLUDED.resolved_at, EXCLUDED.nps)
            RETURNING 1
            """, logger: database.logger)
        var written = false
        for try await _ in rows { written = true }
        return (before == nil ? "created" : written ? "updated" : "unchanged", before?.major ?? false)
    }

    /// The owner's task for a major complaint, made once a ticket.
    func openTask(for ticket: CheckedTicket, owner: String, orgPath: String, tenant: TenantID, on connection: PostgresConnection) async throws
        -> Sales_Opportunities_V1_RiskTask
    {
        let rows = try await connection.query(
            """
            INSERT INTO risk_tasks (id, tenant_id, customer_id, ticket_id, owner_id, org_path, title, due_at)
            VALUES (\(UUID.random()), \(tenant.rawValue), \(ticket.customer), \(ticket.id), \(owner), \(orgPath),
                    \("重大投诉 \(ticket.id)：24 小时内联系客户，了解影响并给出处理方案（\(ticket.subject)）"), now() + interval '24 hours')
            -- A ticket opened again reopens its task.
            ON CONFLICT (tenant_id, ticket_id) DO UPDATE SET done_at = NULL
            RETURNING \(unescaped: Self.taskColumns)
            """, logger: database.logger)
        for try await row in rows.decode(TaskRow.self) { return Self.task(row) }
        throw ServiceError.unavailable("the risk task was not kept; retry")
    }

    /// Marks the ticket's task done; the task, when there was one.
    func closeTask(ticket: String, tenant: TenantID, on connection: PostgresConnection) async throws -> Sales_Opportunities_V1_RiskTask? {
        let rows = try await connection.query(
            """
            UPDATE risk_tasks SET done_at = coalesce(done_at, now()) WHERE tenant_id = \(tenant.rawValue) AND ticket_id = \(ticket)
            RETURNING \(unescaped: Self.taskColumns)
            """, logger: database.logger)
        for try await row in rows.decode(TaskRow.self) { return Self.task(row) }
        return nil
    }

    private typealias TaskRow = (UUID, UUID, String, String, String, Date, Date?)
    private static let taskColumns = "id, customer_id, ticket_id, owner_id, title, due_at, done_at"

    private static func task(_ row: TaskRow) -> Sales_Opportunities_V1_RiskTask {
        let (id, customer, ticket, owner, title, due, done) = row
        return .with {
            $0.id = id.apiString
            $0.customerID = customer.apiString
            $0.ticketID = ticket
            $0.ownerID = owner
            $0.title = title
            $0.dueAt = Google_Protobuf_Timestamp(date: due)
            if let done { $0.doneAt = Google_Protobuf_Timestamp(date: done) }
        }
    }
}

/// A ticket as the service desk sent it, checked.
struct CheckedTicket: Sendable {
    let id: String
    let customer: UUID
    let severity: Sales_Opportunities_V1_TicketSeverity
    let complaint: Bool
    let subject: String
    let openedAt: Date
    let resolvedAt: Date?
    let nps: Int?

    /// A major or critical complaint, still open: what pauses renewals.
    var isOpenMajorComplaint: Bool { complaint && severity.rawValue >= 2 && resolvedAt == nil }

    /// The risk it puts on the customer's renewals, and the prefix that finds it again.
    var riskPrefix: String { OpportunityStore.ticketRiskPrefix + id + " " }
    var risk: String { riskPrefix + "重大投诉未关闭（\(subject)），续约暂停" }

    init(_ ticket: Sales_Opportunities_V1_ServiceTicket, now: Date) throws(ServiceError) {
        id = try Require.text(ticket.ticketID, field: "ticket.ticket_id", maxLength: 128)
        customer = try Require.uuid(ticket.customerID, field: "ticket.customer_id")
        guard [.minor, .major, .critical].contains(ticket.severity) else {
            throw .invalidArgument(field: "ticket.severity", rule: "must be MINOR, MAJOR or CRITICAL")
        }
        severity = ticket.severity
        complaint = ticket.complaint
        subject = try Require.text(ticket.subject, field: "ticket.subject", maxLength: 200)
        openedAt = try Require.timestamp(ticket.openedAt, isSet: ticket.hasOpenedAt, field: "ticket.opened_at")
        guard openedAt <= now.addingTimeInterval(300) else { throw .invalidArgument(field: "ticket.opened_at", rule: "is in the future") }
        if ticket.hasResolvedAt {
            let resolved = try Require.timestamp(ticket.resolvedAt, isSet: true, field: "ticket.resolved_at")
            guard resolved >= openedAt else { throw .invalidArgument(field: "ticket.resolved_at", rule: "is before opened_at") }
            guard resolved <= now.addingTimeInterval(300) else { throw .invalidArgument(field: "ticket.resolved_at", rule: "is in the future") }
            resolvedAt = resolved
        } else {
            resolvedAt = nil
        }
        if ticket.hasNps {
            guard (0...10).contains(ticket.nps) else { throw .invalidArgument(field: "ticket.nps", rule: "must be 0 to 10 (got \(ticket.nps))") }
            nps = Int(ticket.nps)
        } else {
            nps = nil
        }
    }

    var message: Sales_Opportunities_V1_ServiceTicket {
        .with {
            $0.ticketID = id
            $0.customerID = customer.apiString
            $0.severity = severity
            $0.complaint = complaint
            $0.subject = subject
            $0.openedAt = Google_Protobuf_Timestamp(date: openedAt)
            if let resolvedAt { $0.resolvedAt = Google_Protobuf_Timestamp(date: resolvedAt) }
            if let nps { $0.nps = Int32(nps) }
        }
    }
}
