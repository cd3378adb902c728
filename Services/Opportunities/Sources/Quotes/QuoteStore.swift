import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Quotes, each kept as created (lines, plan and credit findings in its message), with the columns
/// lists and boards filter on; and each tenant's credit policy.
struct QuoteStore: Sendable {
    let database: Database

    func insert(_ quote: Sales_Opportunities_V1_Quote, tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws {
        let body = ByteBuffer(bytes: try quote.serializedBytes() as [UInt8])
        try await connection.query(
            """
            INSERT INTO quotes (id, tenant_id, opportunity_id, total_minor, cost_minor, currency, margin_bp, credit_grade,
                                needs_approval, created_by, created_at, state, body)
            VALUES (\(UUID(uuidString: quote.id)!), \(tenant.rawValue), \(UUID(uuidString: quote.opportunityID)!),
                    \(quote.total.minorUnits), \(quote.cost.minorUnits), \(quote.total.currency), \(quote.marginBasisPoints),
                    \(Int16(quote.credit.grade.rawValue)), \(quote.needsApproval), \(quote.createdBy), \(quote.createdAt.date),
                    \(Int16(quote.state.rawValue)), \(body))
            """, logger: logger)
    }

    /// Writes a decided or accepted quote back.
    func update(_ quote: Sales_Opportunities_V1_Quote, tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws {
        let body = ByteBuffer(bytes: try quote.serializedBytes() as [UInt8])
        try await connection.query(
            """
            UPDATE quotes SET state = \(Int16(quote.state.rawValue)), body = \(body)
            WHERE id = \(UUID(uuidString: quote.id)!) AND tenant_id = \(tenant.rawValue)
            """, logger: logger)
    }

    /// The quote by id in the tenant, whoever's deal it is on; locked until the transaction ends
    /// when `lock` (a decision or an acceptance).
    func find(
        _ id: UUID, tenant: TenantID, lock: Bool = false, on connection: PostgresConnection? = nil
    ) async throws -> Sales_Opportunities_V1_Quote? {
        let rows = try await database.query(
            "SELECT body FROM quotes WHERE id = \(id) AND tenant_id = \(tenant.rawValue) \(unescaped: lock ? "FOR UPDATE" : "")",
            on: connection)
        for try await body in rows.decode(ByteBuffer.self) { return try Self.quote(body) }
        return nil
    }

    /// The quote and its deal when the deal is the caller's to see; NOT_FOUND naming the quote
    /// otherwise, as for a quote that does not exist.
    func visible(
        _ id: UUID, for caller: Caller, deals: OpportunityStore, lock: Bool = false, on connection: PostgresConnection? = nil
    ) async throws -> (quote: Sales_Opportunities_V1_Quote, deal: Opportunity) {
        guard let quote = try await find(id, tenant: caller.tenant, lock: lock, on: connection),
            let dealID = UUID(uuidString: quote.opportunityID), let deal = try await deals.find(dealID, for: caller, on: connection)
        else { throw ServiceError.notFound(kind: "quote", id: id.apiString) }
        return (quote, deal)
    }

    /// The deal's quotes, newest first.
    func quotes(of deal: UUID, tenant: TenantID) async throws -> [Sales_Opportunities_V1_Quote] {
        let rows = try await database.query(
            "SELECT body FROM quotes WHERE tenant_id = \(tenant.rawValue) AND opportunity_id = \(deal) ORDER BY seq DESC LIMIT 500")
        var quotes: [Sales_Opportunities_V1_Quote] = []
        for try await body in rows.decode(ByteBuffer.self) { quotes.append(try Self.quote(body)) }
        return quotes
    }

    private static func quote(_ body: ByteBuffer) throws -> Sales_Opportunities_V1_Quote {
        try Sales_Opportunities_V1_Quote(serializedBytes: Array(body.readableBytesView))
    }

    func policy(tenant: TenantID) async throws -> CreditPolicy {
        let rows = try await database.query(
            """
            SELECT margin_floor_bp, default_term_days, industry_terms::text, approval_chain
            FROM credit_policies WHERE tenant_id = \(tenant.rawValue)
            """)
        for try await (floor, days, terms, chain) in rows.decode((Int32, Int32, String, [Int16]).self) {
            return CreditPolicy(
                marginFloorBasisPoints: floor, defaultTermDays: days,
                industryTerms: try JSONDecoder().decode([String: Int32].self, from: Data(terms.utf8)),
                approvalChain: chain.map { Sales_Opportunities_V1_Approver(rawValue: Int($0)) ?? .unspecified })
        }
        return .standard
    }

    func save(_ policy: CreditPolicy, tenant: TenantID, by caller: Caller) async throws {
        let terms = String(decoding: try JSONEncoder().encode(policy.industryTerms), as: UTF8.self)
        try await database.query(
            """
            INSERT INTO credit_policies (tenant_id, margin_floor_bp, default_term_days, industry_terms, approval_chain, updated_by)
            VALUES (\(tenant.rawValue), \(policy.marginFloorBasisPoints), \(policy.defaultTermDays), \(terms)::jsonb,
                    \(policy.approvalChain.map { Int16($0.rawValue) }), \(caller.userID))
            ON CONFLICT (tenant_id) DO UPDATE SET margin_floor_bp = EXCLUDED.margin_floor_bp,
                default_term_days = EXCLUDED.default_term_days, industry_terms = EXCLUDED.industry_terms,
                approval_chain = EXCLUDED.approval_chain,
                updated_by = EXCLUDED.updated_by, updated_at = now()
            """)
    }
}
