import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Opportunities as forecasting tracks them, and forecasts by period.
struct ForecastStore: Sendable {
    let database: Database

    /// The effect of one OpportunityCreated event, inside the consumer's transaction.
    func track(_ opportunity: Sales_Opportunities_V1_Opportunity, tenant: String, on connection: PostgresConnection, logger: Logger) async throws {
        guard let id = UUID(uuidString: opportunity.id) else {
            throw ServiceError.failedPrecondition("opportunity event without a valid id")
        }
        let period = ForecastPeriod.containing(opportunity.expectedClose.date)
        let amount = opportunity.amount
        let weighted =
            Money(minorUnits: amount.minorUnits, currency: Currency(amount.currency) ?? .cny)
            .scaled(byPercent: StageWeights.percent(opportunity.stage))?.minorUnits ?? 0
        try await connection.query(
            """
            INSERT INTO tracked_opportunities (opportunity_id, tenant_id, owner_id, org_path, period, stage, amount_minor,
                                               weighted_minor, currency)
            VALUES (\(id), \(tenant), \(opportunity.ownerID), \(opportunity.orgPath), \(period),
                    \(opportunity.stage.column), \(amount.minorUnits), \(weighted), \(amount.currency))
            """, logger: logger)
    }

    func list(for caller: Caller, opportunityID: UUID?, page: Page) async throws -> [(seq: Int64, tracked: Sales_Forecasting_V1_TrackedOpportunity)] {
        let rows = try await database.query(
            """
            SELECT seq, opportunity_id, owner_id, period, amount_minor, weighted_minor, currency, recorded_at
            FROM tracked_opportunities
            WHERE tenant_id = \(caller.tenant.rawValue) AND seq < \(page.before)
              AND (\(opportunityID)::uuid IS NULL OR opportunity_id = \(opportunityID))
              AND \(visibleTo: Visibility(caller))
            ORDER BY seq DESC LIMIT \(page.fetchLimit)
            """)
        var result: [(Int64, Sales_Forecasting_V1_TrackedOpportunity)] = []
        for try await (seq, id, owner, period, amount, weighted, currency, recorded)
            in rows.decode((Int64, UUID, String, String, Int64, Int64, String, Date).self)
        {
            result.append(
                (
                    seq,
                    .with {
                        $0.opportunityID = id.apiString
                        $0.ownerID = owner
                        $0.period = period
                        $0.amount = .init(minorUnits: amount, currency: currency)
                        $0.weighted = .init(minorUnits: weighted, currency: currency)
                        $0.recordedAt = Google_Protobuf_Timestamp(date: recorded)
                    }
                ))
        }
        return result
    }

    func overview(for caller: Caller) async throws -> Sales_Forecasting_V1_ForecastOverview {
        let rows = try await database.query(
            """
            SELECT period, count(*), sum(amount_minor)::bigint, sum(weighted_minor)::bigint FROM tracked_opportunities
            WHERE tenant_id = \(caller.tenant.rawValue) AND currency = 'CNY' AND \(visibleTo: Visibility(caller))
            GROUP BY period ORDER BY period
            """)
        var overview = Sales_Forecasting_V1_ForecastOverview()
        for try await (period, count, pipeline, weighted) in rows.decode((String, Int64, Int64, Int64).self) {
            overview.opportunitiesTracked += count
            overview.periods.append(
                .with {
                    $0.period = period
                    $0.opportunities = count
                    $0.pipeline = .init(minorUnits: pipeline, currency: "CNY")
                    $0.weighted = .init(minorUnits: weighted, currency: "CNY")
                })
        }
        return overview
    }
}
