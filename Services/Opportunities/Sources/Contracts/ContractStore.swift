import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Contracts, each kept as its message with the columns boards filter on.
struct ContractStore: Sendable {
    let database: Database

    func save(_ contract: Sales_Opportunities_V1_Contract, tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws {
        let body = ByteBuffer(bytes: try contract.serializedBytes() as [UInt8])
        try await connection.query(
            """
            INSERT INTO contracts (id, tenant_id, opportunity_id, quote_id, state, total_minor, currency, body)
            VALUES (\(UUID(uuidString: contract.id)!), \(tenant.rawValue), \(UUID(uuidString: contract.opportunityID)!),
                    \(UUID(uuidString: contract.quoteID)!), \(Int16(contract.state.rawValue)), \(contract.total.minorUnits),
                    \(contract.total.currency), \(body))
            ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, total_minor = EXCLUDED.total_minor, body = EXCLUDED.body
            """, logger: logger)
    }

    /// The contract by id in the tenant, locked when `lock` (a revision or a submission).
    func find(
        _ id: UUID, tenant: TenantID, lock: Bool = false, on connection: PostgresConnection? = nil
    ) async throws -> Sales_Opportunities_V1_Contract? {
        let rows = try await database.query(
            "SELECT body FROM contracts WHERE id = \(id) AND tenant_id = \(tenant.rawValue) \(unescaped: lock ? "FOR UPDATE" : "")",
            on: connection)
        for try await body in rows.decode(ByteBuffer.self) {
            return try Sales_Opportunities_V1_Contract(serializedBytes: Array(body.readableBytesView))
        }
        return nil
    }

    /// The contract and its deal when the caller sees the deal, else NOT_FOUND naming the contract
    /// (another tenant's, or a deal out of the caller's scope, reads as missing).
    func visible(
        _ id: UUID, for caller: Caller, deals: OpportunityStore, lock: Bool = false, on connection: PostgresConnection? = nil
    ) async throws -> (contract: Sales_Opportunities_V1_Contract, deal: Opportunity) {
        guard let contract = try await find(id, tenant: caller.tenant, lock: lock, on: connection),
            let dealID = UUID(uuidString: contract.opportunityID), let deal = try await deals.find(dealID, for: caller, on: connection)
        else { throw ServiceError.notFound(kind: "contract", id: id.apiString) }
        return (contract, deal)
    }
}
