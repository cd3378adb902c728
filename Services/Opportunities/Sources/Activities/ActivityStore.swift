import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The `activities` table: what was done on a deal, typed, with its evidence.
struct ActivityStore: Sendable {
    let database: Database

    func insert(_ new: NewActivity, by caller: Caller, on connection: PostgresConnection, logger: Logger) async throws
        -> Sales_Opportunities_V1_Activity
    {
        let id = UUID.random()
        var activity = new.message
        activity.id = id.apiString
        activity.recordedBy = caller.userID
        activity.recordedAt = Google_Protobuf_Timestamp(date: Date())
        try await connection.query(
            """
            INSERT INTO activities (id, tenant_id, opportunity_id, kind, occurred_at, signals, detail, recorded_by, contact_ids)
            VALUES (\(id), \(caller.tenant.rawValue), \(new.opportunityID), \(activity.kind.column),
                    \(new.occurredAt), \(activity.signals), \(try activity.jsonString()), \(caller.userID), \(new.contactIDs))
            """, logger: logger)
        return activity
    }

    /// The deal's activities, newest first; `before` and `limit` page through them.
    func list(
        of deal: UUID, tenant: TenantID, before: Int64 = .max, limit: Int = 500, on connection: PostgresConnection? = nil
    ) async throws -> [(seq: Int64, activity: Sales_Opportunities_V1_Activity)] {
        let rows = try await database.query(
            """
            SELECT seq, detail FROM activities
            WHERE tenant_id = \(tenant.rawValue) AND opportunity_id = \(deal) AND seq < \(before)
            ORDER BY seq DESC LIMIT \(limit)
            """, on: connection)
        var activities: [(Int64, Sales_Opportunities_V1_Activity)] = []
        for try await (seq, detail) in rows.decode((Int64, String).self) {
            activities.append((seq, try Sales_Opportunities_V1_Activity(jsonString: detail)))
        }
        return activities
    }

    /// Those of `ids` that are not activities of the deal.
    func unknown(_ ids: [UUID], of deal: UUID, tenant: TenantID, on connection: PostgresConnection) async throws -> [UUID] {
        guard !ids.isEmpty else { return [] }
        let rows = try await database.query(
            "SELECT id FROM activities WHERE tenant_id = \(tenant.rawValue) AND opportunity_id = \(deal) AND id = ANY(\(ids))",
            on: connection)
        var found: Set<UUID> = []
        for try await id in rows.decode(UUID.self) { found.insert(id) }
        return ids.filter { !found.contains($0) }
    }
}
