import Foundation
import Logging
import PostgresNIO
import SalesModel
import SwiftProtobuf

/// Appends events to the service's outbox inside the caller's transaction, so an event exists
/// exactly when the change it describes was committed.
public enum Outbox {
    @discardableResult
    public static func append(
        _ payload: some SwiftProtobuf.Message,
        tenant: TenantID, aggregateType: String, aggregateID: String,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> UUID {
        let eventID = UUID()
        let eventType = type(of: payload).protoMessageName
        let json = try payload.jsonString()
        // Writers take turns until commit, so sequence order is commit order and a reader that
        // has seen sequence N can never later find a smaller one appear (bigserial alone allows it).
        try await connection.query("SELECT pg_advisory_xact_lock(hashtext('outbox'))", logger: logger)
        try await connection.query(
            """
            INSERT INTO outbox (event_id, tenant_id, aggregate_type, aggregate_id, event_type, payload)
            VALUES (\(eventID), \(tenant.rawValue), \(aggregateType), \(aggregateID), \(eventType), \(json)::jsonb)
            """, logger: logger)
        return eventID
    }
}
