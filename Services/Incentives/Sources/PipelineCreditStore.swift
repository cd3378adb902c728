import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Provisional pipeline credit per opportunity and running totals per owner.
struct PipelineCreditStore: Sendable {
    let database: Database

    /// The effect of one OpportunityCreated event, inside the consumer's transaction.
    func record(_ opportunity: Sales_Opportunities_V1_Opportunity, tenant: String, on connection: PostgresConnection, logger: Logger) async throws {
        guard let id = UUID(uuidString: opportunity.id) else {
            throw ServiceError.failedPrecondition("opportunity event without a valid id")
        }
        let amount = opportunity.amount
        try await connection.query(
            """
            INSERT INTO pipeline_credits (opportunity_id, tenant_id, owner_id, org_path, amount_minor, currency)
            VALUES (\(id), \(tenant), \(opportunity.ownerID), \(opportunity.orgPath), \(amount.minorUnits), \(amount.currency))
            """, logger: logger)
        try await connection.query(
            """
            INSERT INTO owner_pipeline_totals (tenant_id, owner_id, org_path, currency, opportunities, amount_minor)
            VALUES (\(tenant), \(opportunity.ownerID), \(opportunity.orgPath), \(amount.currency), 1, \(amount.minorUnits))
            ON CONFLICT (tenant_id, owner_id, currency) DO UPDATE
            SET opportunities = owner_pipeline_totals.opportunities + 1,
                amount_minor = owner_pipeline_totals.amount_minor + EXCLUDED.amount_minor
            """, logger: logger)
    }

    func list(for caller: Caller, opportunityID: UUID?, page: Page) async throws -> [(seq: Int64, credit: Sales_Incentives_V1_PipelineCredit)] {
        let rows = try await database.query(
            """
            SELECT seq, opportunity_id, owner_id, org_path, amount_minor, currency, recorded_at FROM pipeline_credits
            WHERE tenant_id = \(caller.tenant.rawValue) AND seq < \(page.before)
              AND (\(opportunityID)::uuid IS NULL OR opportunity_id = \(opportunityID))
              AND \(visibleTo: Visibility(caller))
            ORDER BY seq DESC LIMIT \(page.fetchLimit)
            """)
        var result: [(Int64, Sales_Incentives_V1_PipelineCredit)] = []
        for try await (seq, id, owner, orgPath, amount, currency, recorded)
            in rows.decode((Int64, UUID, String, String, Int64, String, Date).self)
        {
            result.append(
                (
                    seq,
                    .with {
                        $0.opportunityID = id.apiString
                        $0.ownerID = owner
                        $0.orgPath = orgPath
                        $0.amount = .init(minorUnits: amount, currency: currency)
                        $0.recordedAt = Google_Protobuf_Timestamp(date: recorded)
                    }
                ))
        }
        return result
    }

    func overview(for caller: Caller) async throws -> Sales_Incentives_V1_IncentivesOverview {
        let rows = try await database.query(
            """
            SELECT owner_id, currency, opportunities, amount_minor FROM owner_pipeline_totals
            WHERE tenant_id = \(caller.tenant.rawValue) AND \(visibleTo: Visibility(caller))
            ORDER BY amount_minor DESC, owner_id
            """)
        var overview = Sales_Incentives_V1_IncentivesOverview()
        var total: Int64 = 0
        for try await (owner, currency, count, amount) in rows.decode((String, String, Int64, Int64).self) {
            overview.opportunitiesRecorded += count
            if currency == Currency.cny.code { total += amount }
            overview.byOwner.append(
                .with {
                    $0.ownerID = owner
                    $0.opportunities = count
                    $0.pipeline = .init(minorUnits: amount, currency: currency)
                })
        }
        overview.pipeline = .init(minorUnits: total, currency: Currency.cny.code)
        return overview
    }
}
