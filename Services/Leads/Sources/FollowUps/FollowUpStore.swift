import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Follow-ups of leads, and the lead's first and last touch they move.
struct FollowUpStore: Sendable {
    let database: Database

    func insert(_ new: NewFollowUp, author: Caller, on connection: PostgresConnection, logger: Logger) async throws -> Sales_Leads_V1_FollowUp {
        let id = UUID.random()
        let f = new.message
        let rows = try await connection.query(
            """
            INSERT INTO follow_ups (id, tenant_id, lead_id, kind, occurred_at, place, decision_maker, objection, next_commitment,
                                    next_contact_at, summary, author_id)
            VALUES (\(id), \(author.tenant.rawValue), \(new.leadID), \(f.kind.column), \(new.occurredAt), \(f.place),
                    \(f.decisionMaker), \(f.objection), \(f.nextCommitment), \(new.nextContactAt), \(f.summary), \(author.userID))
            RETURNING recorded_at
            """, logger: logger)
        var recorded = Date()
        for try await at in rows.decode(Date.self) { recorded = at }
        // A real follow-up resets the return-to-pool clock; status changes never touch these columns.
        try await connection.query(
            """
            UPDATE leads SET first_touch_at = least(coalesce(first_touch_at, \(new.occurredAt)), \(new.occurredAt)),
                             last_touch_at = greatest(coalesce(last_touch_at, \(new.occurredAt)), \(new.occurredAt)),
                             return_warned_at = NULL
            WHERE id = \(new.leadID)
            """, logger: logger)
        var stored = f
        stored.id = id.apiString
        stored.authorID = author.userID
        stored.recordedAt = Google_Protobuf_Timestamp(date: recorded)
        return stored
    }

    func list(lead: UUID, on connection: PostgresConnection, logger: Logger) async throws -> [Sales_Leads_V1_FollowUp] {
        let rows = try await connection.query(
            """
            SELECT id, kind, occurred_at, place, decision_maker, objection, next_commitment, next_contact_at, summary, author_id, recorded_at
            FROM follow_ups WHERE lead_id = \(lead) ORDER BY occurred_at DESC, seq DESC
            """, logger: logger)
        var result: [Sales_Leads_V1_FollowUp] = []
        for try await (id, kind, occurred, place, maker, objection, commitment, next, summary, author, recorded)
            in rows.decode((UUID, Int16, Date, String, String, String, String, Date?, String, String, Date).self)
        {
            result.append(
                .with {
                    $0.id = id.apiString
                    $0.leadID = lead.apiString
                    $0.kind = Sales_Leads_V1_TouchKind(column: kind)
                    $0.occurredAt = Google_Protobuf_Timestamp(date: occurred)
                    $0.place = place
                    $0.decisionMaker = maker
                    $0.objection = objection
                    $0.nextCommitment = commitment
                    if let next { $0.nextContactAt = Google_Protobuf_Timestamp(date: next) }
                    $0.summary = summary
                    $0.authorID = author
                    $0.recordedAt = Google_Protobuf_Timestamp(date: recorded)
                })
        }
        return result
    }
}
