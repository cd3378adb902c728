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

    /// See `lockedForMove`.
    struct MoveReads {
        let deal: Opportunity
        let savedPipeline: PipelineDefinition?
        let lastFeedback: String?
        let activities: [Sales_Opportunities_V1_Activity]
    }

    private static let columns = """
        id, seq, name, customer_name, lead_id, owner_id, org_path, stage, amount_minor, currency, expected_close, created_at,
        pipeline, pipeline_version, stage_key, default_probability, deal_type, stage_entered_at, override_reason,
        stale_since, stale_reason, customer_id, risks, created_by, customer_type
        """

    /// A new deal in the first stage of `pipeline`, since `createdAt` (an imported deal's start) or now.
    func insert(
        _ new: NewOpportunity, id: UUID = .random(), pipeline: PipelineDefinition, tenant: TenantID, createdAt: Date? = nil,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> Opportunity {
        let first = pipeline.first
        do {
            let rows = try await connection.query(
                """
                INSERT INTO opportunities (id, tenant_id, name, customer_name, lead_id, owner_id, org_path, stage,
                                           amount_minor, currency, expected_close, pipeline, pipeline_version, stage_key,
                                           default_probability, deal_type, customer_id, created_by, created_at, stage_entered_at, customer_type)
                VALUES (\(id), \(tenant.rawValue), \(new.name), \(new.customerName), \(new.leadID), \(new.ownerID),
                        \(new.orgPath), \(pipeline.coarseStage(of: first.key).column),
                        \(new.amount.minorUnits), \(new.amount.currency.code), \(new.expectedClose), \(pipeline.name), \(pipeline.version),
                        \(first.key), \(Int16(first.defaultProbability)), \(new.dealType.column), \(new.customerID), \(new.createdBy),
                        coalesce(\(createdAt), now()), coalesce(\(createdAt), now()), \(new.customerType))
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
            WHERE id = \(id) AND tenant_id = \(caller.tenant.rawValue)
              AND (\(visibleTo: Visibility(caller)) OR \(onTeamOf: caller, deal: "opportunities.id"))
            \(unescaped: lock ? "FOR UPDATE" : "")
            """, on: connection)
        return try await Self.decode(rows).first
    }

    /// What a stage move reads, in one round trip: the deal if the caller sees it, its row locked
    /// until the transaction ends (moves of one deal take turns, so its history stays a line);
    /// the latest saved version of its pipeline (nil: none saved); and what its gate judges, the
    /// last feedback given and the newest 500 activities. NOT_FOUND when the caller does not see it.
    func lockedForMove(_ id: UUID, for caller: Caller, pipelines: PipelineStore, on connection: PostgresConnection) async throws
        -> MoveReads
    {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.columns),
                   p.definition, p.version, p.saved_by, p.saved_at,
                   (SELECT s.feedback FROM stage_changes s
                    WHERE s.tenant_id = opportunities.tenant_id AND s.opportunity_id = opportunities.id AND s.feedback <> ''
                    ORDER BY s.seq DESC LIMIT 1) AS last_feedback,
                   ARRAY(SELECT a.detail FROM activities a
                         WHERE a.tenant_id = opportunities.tenant_id AND a.opportunity_id = opportunities.id
                         ORDER BY a.seq DESC LIMIT 500) AS activity_details
            FROM opportunities
            LEFT JOIN LATERAL (
                SELECT definition, version, saved_by, saved_at FROM pipelines
                WHERE pipelines.tenant_id = opportunities.tenant_id AND pipelines.name = opportunities.pipeline
                ORDER BY version DESC LIMIT 1
            ) p ON true
            WHERE opportunities.id = \(id) AND opportunities.tenant_id = \(caller.tenant.rawValue)
              AND (\(visibleTo: Visibility(caller)) OR \(onTeamOf: caller, deal: "opportunities.id"))
            FOR UPDATE OF opportunities
            """, logger: database.logger)
        for try await row in rows {
            let row = row.makeRandomAccess()
            return MoveReads(
                deal: try Self.opportunity(row),
                savedPipeline: try row.decode("version", as: Int32?.self) == nil ? nil : try pipelines.definition(row),
                lastFeedback: try row.decode("last_feedback"),
                activities: try row.decode("activity_details", as: [String].self).map { try Sales_Opportunities_V1_Activity(jsonString: $0) })
        }
        throw ServiceError.notFound(kind: "opportunity", id: id.apiString)
    }

    /// The deal if the caller sees it, else NOT_FOUND (out of scope reads as missing).
    func visible(_ id: UUID, for caller: Caller, lock: Bool = false, on connection: PostgresConnection? = nil) async throws -> Opportunity {
        guard let deal = try await find(id, for: caller, lock: lock, on: connection) else {
            throw ServiceError.notFound(kind: "opportunity", id: id.apiString)
        }
        return deal
    }

    /// The deal by id for the service's own sweeps, which act for no caller.
    func row(_ id: UUID, tenant: TenantID, on connection: PostgresConnection? = nil) async throws -> Opportunity? {
        let rows = try await database.query(
            "SELECT \(unescaped: Self.columns) FROM opportunities WHERE id = \(id) AND tenant_id = \(tenant.rawValue)", on: connection)
        return try await Self.decode(rows).first
    }

    /// Locks the tenant's deals among `ids` in id order, so two bulk updates over the same deals
    /// take them in the same order instead of deadlocking. Nothing is read: each move still finds
    /// its deal through the caller's visibility.
    func lockInOrder(_ ids: [UUID], tenant: TenantID, on connection: PostgresConnection) async throws {
        try await connection.query(
            "SELECT 1 FROM opportunities WHERE tenant_id = \(tenant.rawValue) AND id = ANY(\(ids)) ORDER BY id FOR UPDATE",
            logger: database.logger
        ).collect()
    }

    /// Puts the deal in `stage` of `pipeline` (its latest version, which the deal follows from now
    /// on), entered now or, for imported history, `at`.
    func move(
        _ deal: Opportunity, to stage: PipelineDefinition.Stage, of pipeline: PipelineDefinition, overrideReason: String, at: Date? = nil,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> Opportunity {
        let rows = try await connection.query(
            """
            UPDATE opportunities SET stage_key = \(stage.key), stage = \(pipeline.coarseStage(of: stage.key).column),
                pipeline_version = \(pipeline.version), default_probability = \(Int16(stage.defaultProbability)),
                stage_entered_at = coalesce(\(at), now()), override_reason = \(overrideReason), stale_since = NULL, stale_reason = ''
            WHERE id = \(deal.id)
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        guard let moved = try await Self.decode(rows).first else { throw ServiceError.unavailable("the deal was not moved; retry") }
        return moved
    }

    func list(
        for caller: Caller, stage: Sales_Opportunities_V1_Stage, leadID: UUID?, staleOnly: Bool = false, page: Page
    ) async throws -> [Opportunity] {
        try await Self.decode(
            try await database.query(Self.listQuery(for: caller, stage: stage, leadID: leadID, staleOnly: staleOnly, page: page)))
    }

    /// The deals a caller sees, newest first: the hot read, whose plan a test checks at size. Those
    /// in their scope and those whose team they are on come from two index walks, merged.
    static func listQuery(
        for caller: Caller, stage: Sales_Opportunities_V1_Stage, leadID: UUID?, staleOnly: Bool, page: Page
    ) -> PostgresQuery {
        let stageFilter = stage.column
        let scope = Visibility(caller)
        return """
            SELECT \(unescaped: Self.columns) FROM (
                (SELECT \(unescaped: Self.columns) FROM opportunities
                 WHERE tenant_id = \(caller.tenant.rawValue) AND seq < \(page.before)
                   AND (\(stageFilter) = 0 OR stage = \(stageFilter))
                   AND (\(leadID)::uuid IS NULL OR lead_id = \(leadID))
                   AND (NOT \(staleOnly) OR stale_since IS NOT NULL)
                   AND \(visibleTo: scope)
                 ORDER BY seq DESC LIMIT \(page.fetchLimit))
                UNION ALL
                (SELECT \(unescaped: Self.columns) FROM opportunities
                 WHERE tenant_id = \(caller.tenant.rawValue) AND seq < \(page.before)
                   AND id IN (SELECT opportunity_id FROM deal_team
                              WHERE tenant_id = \(caller.tenant.rawValue) AND person_id = \(caller.userID))
                   AND (\(stageFilter) = 0 OR stage = \(stageFilter))
                   AND (\(leadID)::uuid IS NULL OR lead_id = \(leadID))
                   AND (NOT \(staleOnly) OR stale_since IS NOT NULL)
                   AND NOT \(visibleTo: scope)
                 ORDER BY seq DESC LIMIT \(page.fetchLimit))
            ) deals
            ORDER BY seq DESC LIMIT \(page.fetchLimit)
            """
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

    /// An activity was recorded: the deal is not idle, and a stale flag clears.
    func touch(_ deal: UUID, at occurredAt: Date, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            UPDATE opportunities SET last_activity_at = greatest(last_activity_at, \(occurredAt)), stale_since = NULL, stale_reason = ''
            WHERE id = \(deal)
            """, logger: logger)
    }

    /// Adds a risk to each of `deals` still open; returns those it was added to.
    func raise(_ risk: String, on deals: [UUID], on connection: PostgresConnection, logger: Logger) async throws -> [Opportunity] {
        let rows = try await connection.query(
            """
            UPDATE opportunities SET risks = array_append(risks, \(risk))
            WHERE id = ANY(\(deals)) AND stage <> \(Sales_Opportunities_V1_Stage.won.column)
              AND stage <> \(Sales_Opportunities_V1_Stage.lost.column) AND NOT (\(risk) = ANY(risks))
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        return try await Self.decode(rows)
    }

    /// An open deal that is not flagged, with what its idle clocks start from.
    struct StaleCandidate: Sendable {
        let id: UUID
        let tenant: TenantID
        let pipeline: String
        let pipelineVersion: Int32
        let stageKey: String
        let stageEnteredAt: Date
        /// The latest activity in this stage, or its start.
        let lastActivity: Date
    }

    /// Open, unflagged deals in a stage for at least `minimumAge` (every limit is longer than
    /// that in calendar time), oldest first; every tenant's when `tenant` is nil.
    func staleCandidates(tenant: TenantID?, minimumAge: Duration, now: Date, limit: Int = 1_000) async throws -> [StaleCandidate] {
        let rows = try await database.query(
            """
            SELECT id, tenant_id, pipeline, pipeline_version, stage_key, stage_entered_at,
                   greatest(stage_entered_at, coalesce(last_activity_at, stage_entered_at)) AS last_activity
            FROM opportunities
            WHERE stale_since IS NULL AND stage <> \(Sales_Opportunities_V1_Stage.won.column)
              AND stage <> \(Sales_Opportunities_V1_Stage.lost.column)
              AND stage_entered_at < \(now.addingTimeInterval(-Double(minimumAge.components.seconds)))
              AND (\(tenant?.rawValue)::text IS NULL OR tenant_id = \(tenant?.rawValue))
            ORDER BY stage_entered_at LIMIT \(limit)
            """)
        var candidates: [StaleCandidate] = []
        for try await row in rows {
            let row = row.makeRandomAccess()
            guard let tenant = TenantID(try row.decode("tenant_id", as: String.self)) else { continue }
            candidates.append(
                StaleCandidate(
                    id: try row.decode("id"), tenant: tenant, pipeline: try row.decode("pipeline"),
                    pipelineVersion: try row.decode("pipeline_version"), stageKey: try row.decode("stage_key"),
                    stageEnteredAt: try row.decode("stage_entered_at"), lastActivity: try row.decode("last_activity")))
        }
        return candidates
    }

    /// Flags the deal stale unless it moved or was flagged meanwhile; the flagged deal, or nil.
    func flagStale(
        _ candidate: StaleCandidate, reason: String, on connection: PostgresConnection, logger: Logger
    ) async throws -> Opportunity? {
        let rows = try await connection.query(
            """
            UPDATE opportunities SET stale_since = now(), stale_reason = \(reason)
            WHERE id = \(candidate.id) AND stale_since IS NULL AND stage_key = \(candidate.stageKey)
              AND stage_entered_at = \(candidate.stageEnteredAt)
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        return try await Self.decode(rows).first
    }

    private static func decode(_ rows: PostgresRowSequence) async throws -> [Opportunity] {
        var result: [Opportunity] = []
        for try await row in rows { result.append(try opportunity(row.makeRandomAccess())) }
        return result
    }

    private static func opportunity(_ row: PostgresRandomAccessRow) throws -> Opportunity {
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
            stageEnteredAt: try row.decode("stage_entered_at"), overrideReason: try row.decode("override_reason"),
            staleSince: try row.decode("stale_since"), staleReason: try row.decode("stale_reason"),
            customerID: try row.decode("customer_id"), risks: try row.decode("risks"),
            createdBy: try row.decode("created_by"), customerType: try row.decode("customer_type"))
    }
}

extension PostgresQuery.StringInterpolation {
    /// `\(onTeamOf: caller, deal: "o.id")`: the caller is on the deal's team (credited people see the deal).
    mutating func appendInterpolation(onTeamOf caller: Caller, deal: StaticString) {
        appendLiteral("EXISTS (SELECT 1 FROM deal_team team WHERE team.opportunity_id = \(deal) AND team.tenant_id = ")
        appendInterpolation(caller.tenant.rawValue)
        appendLiteral(" AND team.person_id = ")
        appendInterpolation(caller.userID)
        appendLiteral(")")
    }
}
