import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The `stage_changes` table: every move of every deal, overrides included, in order.
struct StageChangeStore: Sendable {
    let database: Database

    private static let columns = """
        id, opportunity_id, from_stage, to_stage, pipeline_version, key_action, feedback, evidence_ids, override_reason,
        changed_by, changed_at
        """

    /// Records a move made now by `caller`, or imported history made `at` by `changedBy`.
    func append(
        _ move: StageMove, deal: Opportunity, to moved: Opportunity, by caller: Caller, changedBy: String? = nil, at: Date? = nil,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> Sales_Opportunities_V1_StageChange {
        let rows = try await connection.query(
            """
            INSERT INTO stage_changes (id, tenant_id, opportunity_id, from_stage, to_stage, pipeline_version, key_action, feedback,
                                       evidence_ids, override_reason, changed_by, changed_at)
            VALUES (\(UUID.random()), \(caller.tenant.rawValue), \(deal.id), \(deal.stageKey), \(moved.stageKey),
                    \(moved.pipelineVersion), \(move.keyAction), \(move.feedback), \(move.evidenceIDs), \(move.overrideReason),
                    \(changedBy ?? caller.userID), coalesce(\(at), now()))
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        guard let change = try await Self.decode(rows).first else { throw ServiceError.unavailable("the move was not recorded; retry") }
        return change
    }

    func history(of deal: UUID, tenant: TenantID) async throws -> [Sales_Opportunities_V1_StageChange] {
        let rows = try await database.query(
            """
            SELECT \(unescaped: Self.columns) FROM stage_changes
            WHERE tenant_id = \(tenant.rawValue) AND opportunity_id = \(deal) ORDER BY seq
            """)
        return try await Self.decode(rows)
    }

    /// How long deals stayed in each stage before leaving it, by the hour of day (in `timeZone`)
    /// they left, over the deals `caller` sees.
    func dwell(for caller: Caller, timeZone: String) async throws -> [Sales_Opportunities_V1_StageDwell] {
        let rows = try await database.query(
            """
            SELECT from_stage, extract(hour FROM changed_at AT TIME ZONE \(timeZone))::integer AS hour, count(*) AS moves,
                   (avg(extract(epoch FROM changed_at - entered_at)) / 3600)::float8 AS average_hours
            FROM (
                SELECT c.from_stage, c.changed_at,
                       coalesce(lag(c.changed_at) OVER (PARTITION BY c.opportunity_id ORDER BY c.seq), o.created_at) AS entered_at
                FROM stage_changes c JOIN opportunities o ON o.id = c.opportunity_id
                WHERE c.tenant_id = \(caller.tenant.rawValue) AND o.tenant_id = \(caller.tenant.rawValue)
                  AND \(visibleTo: Visibility(caller), owner: "o.owner_id", orgPath: "o.org_path")
            ) moves
            GROUP BY from_stage, hour ORDER BY from_stage, hour
            """)
        var cells: [Sales_Opportunities_V1_StageDwell] = []
        for try await (stage, hour, moves, average) in rows.decode((String, Int32, Int64, Double).self) {
            cells.append(
                .with {
                    $0.stage = stage
                    $0.hourOfDay = hour
                    $0.moves = moves
                    $0.averageHours = (average * 10).rounded() / 10
                })
        }
        return cells
    }

    /// The tenant's overridden moves, newest first.
    func overrides(tenant: TenantID, page: Page) async throws -> [(seq: Int64, change: Sales_Opportunities_V1_StageChange)] {
        let rows = try await database.query(
            """
            SELECT seq, \(unescaped: Self.columns) FROM stage_changes
            WHERE tenant_id = \(tenant.rawValue) AND override_reason <> '' AND seq < \(page.before)
            ORDER BY seq DESC LIMIT \(page.fetchLimit)
            """)
        var result: [(Int64, Sales_Opportunities_V1_StageChange)] = []
        for try await row in rows {
            result.append((try row.makeRandomAccess().decode("seq"), try Self.change(row)))
        }
        return result
    }

    private static func decode(_ rows: PostgresRowSequence) async throws -> [Sales_Opportunities_V1_StageChange] {
        var changes: [Sales_Opportunities_V1_StageChange] = []
        for try await row in rows { changes.append(try change(row)) }
        return changes
    }

    private static func change(_ row: PostgresRow) throws -> Sales_Opportunities_V1_StageChange {
        let row = row.makeRandomAccess()
        var change = Sales_Opportunities_V1_StageChange()
        change.id = try row.decode("id", as: UUID.self).apiString
        change.opportunityID = try row.decode("opportunity_id", as: UUID.self).apiString
        change.fromStage = try row.decode("from_stage")
        change.toStage = try row.decode("to_stage")
        change.pipelineVersion = try row.decode("pipeline_version")
        change.keyAction = try row.decode("key_action")
        change.feedback = try row.decode("feedback")
        change.evidenceIds = try row.decode("evidence_ids", as: [UUID].self).map(\.apiString)
        change.overrideReason = try row.decode("override_reason")
        change.changedBy = try row.decode("changed_by")
        change.changedAt = Google_Protobuf_Timestamp(date: try row.decode("changed_at", as: Date.self))
        return change
    }
}
