import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit

/// A customer's deals as its service tickets touch them: who owns the customer, and its open
/// renewals paused while a major complaint is open (a risk per ticket, which the stage gate reads).
extension OpportunityStore {
    static let ticketRiskPrefix = "service_ticket:"

    /// The owner (and team) of the customer's latest open deal, else of its latest deal.
    func customerOwner(_ customer: UUID, tenant: TenantID, on connection: PostgresConnection) async throws -> (owner: String, orgPath: String)? {
        let rows = try await connection.query(
            """
            SELECT owner_id, org_path FROM opportunities WHERE tenant_id = \(tenant.rawValue) AND customer_id = \(customer)
            ORDER BY (stage <> \(Sales_Opportunities_V1_Stage.won.column) AND stage <> \(Sales_Opportunities_V1_Stage.lost.column)) DESC, seq DESC
            LIMIT 1
            """, logger: database.logger)
        for try await (owner, path) in rows.decode((String, String).self) { return (owner, path) }
        return nil
    }

    /// Pauses the customer's open renewals with the ticket's risk; the ids of those it was added to.
    func pauseRenewals(of customer: UUID, risk: String, tenant: TenantID, on connection: PostgresConnection) async throws -> [UUID] {
        let rows = try await connection.query(
            """
            UPDATE opportunities SET risks = array_append(risks, \(risk))
            WHERE tenant_id = \(tenant.rawValue) AND customer_id = \(customer) AND deal_type = \(Sales_Opportunities_V1_DealType.renewal.column)
              AND stage <> \(Sales_Opportunities_V1_Stage.won.column) AND stage <> \(Sales_Opportunities_V1_Stage.lost.column)
              AND NOT (\(risk) = ANY(risks))
            RETURNING id
            """, logger: database.logger)
        var paused: [UUID] = []
        for try await id in rows.decode(UUID.self) { paused.append(id) }
        return paused
    }

    /// Takes the ticket's risks off the customer's deals; the ids of those left with no ticket's risk (resumed).
    func resumeRenewals(of customer: UUID, ticketRisk prefix: String, tenant: TenantID, on connection: PostgresConnection) async throws -> [UUID] {
        let rows = try await connection.query(
            """
            UPDATE opportunities SET risks = array(SELECT r FROM unnest(risks) r WHERE NOT starts_with(r, \(prefix)))
            WHERE tenant_id = \(tenant.rawValue) AND customer_id = \(customer)
              AND EXISTS (SELECT 1 FROM unnest(risks) r WHERE starts_with(r, \(prefix)))
            RETURNING id, NOT EXISTS (SELECT 1 FROM unnest(risks) r WHERE starts_with(r, \(Self.ticketRiskPrefix)))
            """, logger: database.logger)
        var resumed: [UUID] = []
        for try await (id, free) in rows.decode((UUID, Bool).self) where free { resumed.append(id) }
        return resumed
    }
}
