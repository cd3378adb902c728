import Foundation
import Logging
import PostgresNIO
import SalesModel
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
            id: UUID.random(), tenant: tenant, aggregateType: aggregateType, aggregateID: aggregateID,
            type: type(of: payload).protoMessageName, json: try payload.jsonString())
        if let pending = TransactionTail.current {
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
    /// ends. `answers`, idempotent calls' responses, are stored in the same statement: whatever a
    /// transaction appended (one lead or a batch of them), its tail is one round trip.
    static func write(
        _ events: [Event], answers: [TransactionTail.Answer] = [], on connection: PostgresConnection, logger: Logger
    ) async throws {
        guard !events.isEmpty || !answers.isEmpty else { return }
        try await connection.query(OutboxWrite(events: events, answers: answers).query, logger: logger)
    }
}
