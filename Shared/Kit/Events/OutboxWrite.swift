import Foundation
import PostgresNIO
import SalesModel

/// A transaction's tail in one statement: the outbox's ordering lock and its events, and the
/// idempotent calls' answers, which travel as arrays. Not prepared: a connection's generic plan,
/// made while idempotency_keys was small, joined the answers by scanning the whole table (5,681
/// scans reading 49 million rows in one benchmark run); planned with the arrays in hand, the join
/// uses the key index. It runs once a transaction, not once a lead.
struct OutboxWrite {
    // The lock is taken only when there are events; rows come out of the join after it is held,
    // so their sequence numbers are too, and in the order they were appended.
    static let sql = """
        WITH ordering AS (
            SELECT pg_advisory_xact_lock(hashtext('outbox')) WHERE cardinality($1::uuid[]) > 0
        ), answered AS (
            UPDATE idempotency_keys k SET response = a.response
            FROM unnest($7::text[], $8::text[], $9::text[], $10::bytea[]) AS a (tenant_id, scope, key, response)
            WHERE k.tenant_id = a.tenant_id AND k.scope = a.scope AND k.key = a.key
        )
        INSERT INTO outbox (event_id, tenant_id, aggregate_type, aggregate_id, event_type, payload)
        SELECT e.event_id, e.tenant_id, e.aggregate_type, e.aggregate_id, e.event_type, e.payload::jsonb
        FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
             WITH ORDINALITY AS e (event_id, tenant_id, aggregate_type, aggregate_id, event_type, payload, n)
        CROSS JOIN ordering
        ORDER BY e.n
        """

    let events: [Outbox.Event]
    let answers: [TransactionTail.Answer]

    var query: PostgresQuery { PostgresQuery(unsafeSQL: Self.sql, binds: bindings) }

    private var bindings: PostgresBindings {
        var bindings = PostgresBindings(capacity: 10)
        bindings.append(events.map(\.id))
        bindings.append(events.map(\.tenant.rawValue))
        bindings.append(events.map(\.aggregateType))
        bindings.append(events.map(\.aggregateID))
        bindings.append(events.map(\.type))
        bindings.append(events.map(\.json))
        bindings.append(answers.map(\.key.tenant))
        bindings.append(answers.map(\.key.scope))
        bindings.append(answers.map(\.key.text))
        bindings.append(answers.map(\.response))
        return bindings
    }
}
