import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The `opportunities` table. Every read is scoped by tenant and visibility.
struct OpportunityStore: Sendable {
    let database: Database

    private static let columns = """
        id, seq, name, customer_name, lead_id, owner_id, org_path, stage, amount_minor, currency, expected_close, created_at,
        pipeline, pipeline_version, stage_key, default_probability, deal_type, stage_entered_at, override_reason
        """

    /// A new deal in the first stage of `pipeline`.
    func insert(
        _ new: NewOpportunity, pipeline: PipelineDefinition, tenant: TenantID, on connection: PostgresConnection, logger: Logger
    ) async throws -> Opportunity {
        let id = UUID.random()
        let first = pipeline.first
        do {
            let rows = try await connection.query(
                """
                INSERT INTO opportunities (id, tenant_id, name, customer_name, lead_id, owner_id, org_path, stage,
                                           amount_minor, currency, expected_close, pipeline, pipeline_version, stage_key,
                                           default_probability, deal_type)
                VALUES (\(id), \(tenant.rawValue), \(new.name), \(new.customerName), \(new.leadID), \(new.ownerID),
                        \(new.orgPath), \(pipeline.coarseStage(of: first.key).column),
                        \(new.amount.minorUnits), \(new.amount.currency.code), \(new.expectedClose), \(pipeline.name), \(pipeline.version),
                        \(first.key), \(Int16(first.defaultProbability)), \(new.dealType.column))
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
            guard let stored = try await Self.decode(rows).first else { throw ServiceError.unavailable("the opportunity was not stored; retry") }
            return stored
        } catch let error as PSQLError where error.isUniqueViolation {
            throw ServiceError.alreadyExists("lead \(new.leadID?.apiString ?? "") already has an opportunity")
        }
    }

    /// The deal if the caller sees it; `lock` holds its row until the transaction ends (stage moves
    /// of one deal take turns, so its history stays a line).
    func find(_ id: UUID, for caller: Caller, lock: Bool = false, on connection: PostgresConnection? = nil) async throws -> Opportunity? {
        let rows = try await database.query(
            """
            SELECT \(unescaped: Self.columns) FROM opportunities
            WHERE id = \(id) AND tenant_id = \(caller.tenant.rawValue) AND \(visibleTo: Visibility(caller))
            \(unescaped: lock ? "FOR UPDATE" : "")
            """, on: connection)
        return try await Self.decode(rows).first
    }

    /// Puts the deal in `stage` of `pipeline` (its latest version, which the deal follows from now on).
    func move(
        _ deal: Opportunity, to stage: PipelineDefinition.Stage, of pipeline: PipelineDefinition, overrideReason: String,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> Opportunity {
        let rows = try await connection.query(
            """
            UPDATE opportunities SET stage_key = \(stage.key), stage = \(pipeline.coarseStage(of: stage.key).column),
                pipeline_version = \(pipeline.version), default_probability = \(Int16(stage.defaultProbability)),
                stage_entered_at = now(), override_reason = \(overrideReason)
            WHERE id = \(deal.id)
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        guard let moved = try await Self.decode(rows).first else { throw ServiceError.unavailable("the deal was not moved; retry") }
        return moved
    }

    func list(for caller: Caller, stage: Sales_Opportunities_V1_Stage, leadID: UUID?, page: Page) async throws -> [Opportunity] {
        let stageFilter = stage.column
        let rows = try await database.query(
            """
            SELECT \(unescaped: Self.columns) FROM opportunities
            WHERE tenant_id = \(caller.tenant.rawValue) AND seq < \(page.before)
              AND (\(stageFilter) = 0 OR stage = \(stageFilter))
              AND (\(leadID)::uuid IS NULL OR lead_id = \(leadID))
              AND \(visibleTo: Visibility(caller))
            ORDER BY seq DESC LIMIT \(page.fetchLimit)
            """)
        return try await Self.decode(rows)
    }

    func overview(for caller: Caller) async throws -> Sales_Opportunities_V1_OpportunitiesOverview {
        let rows = try await database.query(
            """
            SELECT stage, currency, count(*), sum(amount_minor)::bigint FROM opportunities
            WHERE tenant_id = \(caller.tenant.rawValue) AND \(visibleTo: Visibility(caller))
            GROUP BY stage, currency ORDER BY stage, currency
            """)
        var overview = Sales_Opportunities_V1_OpportunitiesOverview()
        var openAmount: Int64 = 0
        for try await (stageRaw, currency, count, amount) in rows.decode((Int16, String, Int64, Int64).self) {
            let stage = Sales_Opportunities_V1_Stage(column: stageRaw)
            overview.total += count
            let isOpen = stage != .won && stage != .lost
            if isOpen {
                overview.open += count
                // The dashboard shows one currency; amounts in others are listed per stage only.
                if currency == Currency.cny.code { openAmount += amount }
            }
            overview.byStage.append(
                .with {
                    $0.stage = stage
                    $0.count = count
                    $0.amount = .init(minorUnits: amount, currency: currency)
                })
        }
        overview.openAmount = .init(minorUnits: openAmount, currency: Currency.cny.code)
        return overview
    }

    private static func decode(_ rows: PostgresRowSequence) async throws -> [Opportunity] {
        var result: [Opportunity] = []
        for try await row in rows {
            let row = row.makeRandomAccess()
            result.append(
                Opportunity(
                    id: try row.decode("id"), seq: try row.decode("seq"), name: try row.decode("name"),
                    customerName: try row.decode("customer_name"), leadID: try row.decode("lead_id"), ownerID: try row.decode("owner_id"),
                    orgPath: try row.decode("org_path"), stage: Sales_Opportunities_V1_Stage(column: try row.decode("stage")),
                    amount: Money(
                        minorUnits: try row.decode("amount_minor"), currency: Currency(try row.decode("currency", as: String.self)) ?? .cny),
                    expectedClose: try row.decode("expected_close"), createdAt: try row.decode("created_at"),
                    pipeline: try row.decode("pipeline"), pipelineVersion: try row.decode("pipeline_version"),
                    stageKey: try row.decode("stage_key"), defaultProbability: Int32(try row.decode("default_probability", as: Int16.self)),
                    dealType: Sales_Opportunities_V1_DealType(column: try row.decode("deal_type")),
                    stageEnteredAt: try row.decode("stage_entered_at"), overrideReason: try row.decode("override_reason")))
        }
        return result
    }
}
