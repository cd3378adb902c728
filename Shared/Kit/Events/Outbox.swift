import Foundation
import Logging
import PostgresNIO
import SalesModel
import Synchronization
import SwiftProtobuf

/// Appends events to the service's outbox inside the caller's transaction, so an event exists
/// exactly when the change it describes was committed.
///
/// Writers take a database-wide lock before inserting, so sequence order is commit order and a
/// reader that has seen sequence N can never later find a smaller one appear (bigserial alone
/// allows it). To hold that lock as briefly as possible, events appended inside
/// `Database.transaction` are written last, just before COMMIT, with the lock taken in the same
/// statement: one round trip and the commit, whatever else the transaction does after appending.
public enum Outbox {
    @discardableResult
    public static func append(
        _ payload: some SwiftProtobuf.Message,
        tenant: TenantID, aggregateType: String, aggregateID: String,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> UUID {
        let event = Event(
            id: UUID(), tenant: tenant, aggregateType: aggregateType, aggregateID: aggregateID,
            type: type(of: payload).protoMessageName, json: try payload.jsonString())
        if let pending = PendingEvents.current {
            pending.add(event)
        } else {
            try await write([event], on: connection, logger: logger)
        }
        return event.id
    }

    struct Event: Sendable {
        let id: UUID
        let tenant: TenantID
        let aggregateType: String
        let aggregateID: String
        let type: String
        let json: String
    }

    /// Takes the ordering lock and inserts the events; the lock is held until the transaction ends.
    static func write(_ events: [Event], on connection: PostgresConnection, logger: Logger) async throws {
        for (index, event) in events.enumerated() {
            let lock = index == 0 ? "WITH ordering AS (SELECT pg_advisory_xact_lock(hashtext('outbox')))" : ""
            let source = index == 0 ? "FROM ordering" : ""
            try await connection.query(
                """
                \(unescaped: lock)
                INSERT INTO outbox (event_id, tenant_id, aggregate_type, aggregate_id, event_type, payload)
                SELECT \(event.id), \(event.tenant.rawValue), \(event.aggregateType), \(event.aggregateID),
                       \(event.type), \(event.json)::jsonb \(unescaped: source)
                """, logger: logger)
        }
    }
}

/// The events a transaction appended, written by `Database.transaction` just before it commits.
final class PendingEvents: Sendable {
    @TaskLocal static var current: PendingEvents?

    private let events = Mutex<[Outbox.Event]>([])

    func add(_ event: Outbox.Event) {
        events.withLock { $0.append(event) }
    }

    func flush(on connection: PostgresConnection, logger: Logger) async throws {
        let batch = events.withLock { events in
            defer { events.removeAll() }
            return events
        }
        guard !batch.isEmpty else { return }
        try await Outbox.write(batch, on: connection, logger: logger)
    }
}
