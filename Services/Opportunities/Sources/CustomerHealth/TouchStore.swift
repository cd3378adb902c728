import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit

/// The `marketing_touches` table: what the marketing system saw a customer do, once per its id.
struct TouchStore: Sendable {
    let database: Database

    /// False when the touch's id was recorded before.
    func record(_ touch: CheckedTouch, tenant: TenantID, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            """
            INSERT INTO marketing_touches (tenant_id, touch_id, customer_id, kind, title, occurred_at)
            VALUES (\(tenant.rawValue), \(touch.id), \(touch.customer), \(touch.kind), \(touch.title), \(touch.occurredAt))
            ON CONFLICT DO NOTHING RETURNING 1
            """, logger: database.logger)
        for try await _ in rows { return true }
        return false
    }
}

/// A touch as the marketing system sent it, checked.
struct CheckedTouch: Sendable {
    let id: String
    let customer: UUID
    let kind: String
    let title: String
    let occurredAt: Date

    init(_ touch: Sales_Opportunities_V1_MarketingTouch, now: Date) throws(ServiceError) {
        id = try Require.text(touch.touchID, field: "touch.touch_id", maxLength: 128)
        customer = try Require.uuid(touch.customerID, field: "touch.customer_id")
        guard Identifier.isSignalKey(touch.kind) else {
            throw .invalidArgument(
                field: "touch.kind",
                rule: "must be 2 to 40 lowercase letters, digits or '_', like whitepaper_clicked or live_stream_attended (got \(quoted: touch.kind))")
        }
        kind = touch.kind
        title = try Require.optionalText(touch.title, field: "touch.title", maxLength: 200)
        occurredAt = try Require.timestamp(touch.occurredAt, isSet: touch.hasOccurredAt, field: "touch.occurred_at")
        guard occurredAt <= now.addingTimeInterval(300) else { throw .invalidArgument(field: "touch.occurred_at", rule: "is in the future") }
    }
}
