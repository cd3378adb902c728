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
            id: UUID(), tenant: tenant, aggregateType: aggregateType, aggregateID: aggregateID,
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
        var binds = PostgresBindings()
        func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        var parts: [String] = []
        if !events.isEmpty { parts.append("ordering AS (SELECT pg_advisory_xact_lock(hashtext('outbox')))") }
        if !answers.isEmpty {
            let rows = answers.map { "(\(bind($0.tenant)), \(bind($0.key)), \(bind($0.response)))" }.joined(separator: ", ")
            parts.append("""
                answered AS (UPDATE idempotency_keys k SET response = a.response
                             FROM (VALUES \(rows)) AS a (tenant_id, key, response)
                             WHERE k.tenant_id = a.tenant_id AND k.key = a.key)
                """)
        }
        var sql = "WITH " + parts.joined(separator: ", ") + "\n"
        if events.isEmpty {
            sql += "SELECT 1"
        } else {
            // Rows come out of the join after the lock is held, so their sequence numbers are too.
            let rows = events.map { event in
                "(\(bind(event.id)), \(bind(event.tenant.rawValue)), \(bind(event.aggregateType)), \(bind(event.aggregateID)), "
                    + "\(bind(event.type)), \(bind(event.json))::jsonb)"
            }.joined(separator: ", ")
            sql += """
                INSERT INTO outbox (event_id, tenant_id, aggregate_type, aggregate_id, event_type, payload)
                SELECT e.* FROM (VALUES \(rows)) AS e (event_id, tenant_id, aggregate_type, aggregate_id, event_type, payload)
                CROSS JOIN ordering
                """
        }
        try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
    }
}
