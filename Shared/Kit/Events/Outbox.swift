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

    /// Takes the ordering lock and inserts the events; the lock is held until the transaction
    /// ends. `answer`, an idempotent call's response, is stored in the same statement.
    static func write(
        _ events: [Event], answer: PendingEvents.Answer? = nil, on connection: PostgresConnection, logger: Logger
    ) async throws {
        guard let first = events.first else {
            if let answer {
                try await connection.query(
                    "UPDATE idempotency_keys SET response = \(answer.response) WHERE tenant_id = \(answer.tenant) AND key = \(answer.key)",
                    logger: logger)
            }
            return
        }
        // The answer's UPDATE rides along as a data-modifying CTE: one round trip for both.
        let statement: PostgresQuery = if let answer {
            """
            WITH ordering AS (SELECT pg_advisory_xact_lock(hashtext('outbox'))),
                 answered AS (UPDATE idempotency_keys SET response = \(answer.response)
                              WHERE tenant_id = \(answer.tenant) AND key = \(answer.key))
            INSERT INTO outbox (event_id, tenant_id, aggregate_type, aggregate_id, event_type, payload)
            SELECT \(first.id), \(first.tenant.rawValue), \(first.aggregateType), \(first.aggregateID), \(first.type), \(first.json)::jsonb
            FROM ordering
            """
        } else {
            """
            WITH ordering AS (SELECT pg_advisory_xact_lock(hashtext('outbox')))
            INSERT INTO outbox (event_id, tenant_id, aggregate_type, aggregate_id, event_type, payload)
            SELECT \(first.id), \(first.tenant.rawValue), \(first.aggregateType), \(first.aggregateID), \(first.type), \(first.json)::jsonb
            FROM ordering
            """
        }
        try await connection.query(statement, logger: logger)
        for event in events.dropFirst() {
            try await connection.query(
                """
                INSERT INTO outbox (event_id, tenant_id, aggregate_type, aggregate_id, event_type, payload)
                VALUES (\(event.id), \(event.tenant.rawValue), \(event.aggregateType), \(event.aggregateID), \(event.type), \(event.json)::jsonb)
                """, logger: logger)
        }
    }
}

/// What a transaction leaves for its end: the events it appended and, for an idempotent call,
/// the response to keep; `Database.transaction` writes them in one statement just before COMMIT.
final class PendingEvents: Sendable {
    @TaskLocal static var current: PendingEvents?

    struct Answer: Sendable {
        let tenant: String
        let key: String
        let response: ByteBuffer
    }

    private let state = Mutex<(events: [Outbox.Event], answer: Answer?)>(([], nil))

    func add(_ event: Outbox.Event) {
        state.withLock { $0.events.append(event) }
    }

    func keep(_ answer: Answer) {
        state.withLock { $0.answer = answer }
    }

    func flush(on connection: PostgresConnection, logger: Logger) async throws {
        let (events, answer) = state.withLock { state in
            defer { state = ([], nil) }
            return state
        }
        try await Outbox.write(events, answer: answer, on: connection, logger: logger)
    }
}
