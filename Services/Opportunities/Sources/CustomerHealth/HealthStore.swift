import Foundation
import Logging
import PostgresNIO
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The `customer_health` table, each score kept when it differs from the one before (the trend
/// and the falling list read it), and the reads the score is made of: a customer's deals,
/// contacts, touches, tickets and instalments, in one statement.
struct HealthStore: Sendable {
    let database: Database

    /// The customer's inputs as of `today` (the tenant's calendar day), or nil when the tenant has
    /// no deal of that customer.
    func inputs(customer: UUID, tenant: TenantID, today: LocalDate, on connection: PostgresConnection? = nil) async throws -> HealthInputs? {
        let rows = try await database.query(Self.inputsQuery(customer: customer, tenant: tenant, today: today), on: connection)
        for try await row in rows {
            let (deals, open, won, activity, people) = try row.decode((Int, Int, Int, Double?, Int).self)
            guard deals > 0 else { return nil }
            let columns = try row.makeRandomAccess()
            var inputs = HealthInputs()
            inputs.openDeals = open
            inputs.wonDeals = won
            inputs.daysSinceActivity = activity.map { Int($0) } ?? 999
            inputs.keyPeople = people
            inputs.touches30Days = try columns[5].decode(Int.self)
            inputs.contentOpened30Days = try columns[6].decode(Int.self)
            inputs.daysSinceTouch = try columns[7].decode(Double?.self).map { Int($0) } ?? 999
            inputs.openTickets = try columns[8].decode(Int.self)
            inputs.openMajorComplaints = try columns[9].decode(Int.self)
            inputs.averageResolutionHours = try columns[10].decode(Double.self)
            inputs.nps = try columns[11].decode(Int?.self) ?? -1
            inputs.instalmentsDue = try columns[12].decode(Int.self)
            inputs.instalmentsOnTime = try columns[13].decode(Int.self)
            inputs.overdueFen = try columns[14].decode(Int64.self)
            inputs.contractValueFen = try columns[15].decode(Int64.self)
            return inputs
        }
        return nil
    }

    static func inputsQuery(customer: UUID, tenant: TenantID, today: LocalDate) -> PostgresQuery {
        let won = Sales_Opportunities_V1_Stage.won.column
        let lost = Sales_Opportunities_V1_Stage.lost.column
        let t = tenant.rawValue
        let c = customer.apiString
        return """
            SELECT d.deals, d.open, d.won, d.idle_days, (SELECT count(*) FROM contacts WHERE tenant_id = \(t) AND customer_id = \(customer) AND left_at IS NULL),
                   m.recent, m.opened, m.quiet_days, s.open, s.major, s.hours, s.nps, f.due, f.on_time, f.overdue, f.value
            FROM (SELECT count(*)::integer AS deals, count(*) FILTER (WHERE stage <> \(won) AND stage <> \(lost))::integer AS open,
                         count(*) FILTER (WHERE stage = \(won))::integer AS won,
                         extract(epoch FROM now() - coalesce(max(last_activity_at), min(created_at)))::float8 / 86400 AS idle_days
                  FROM opportunities WHERE tenant_id = \(t) AND customer_id = \(customer)) d,
                 (SELECT count(*) FILTER (WHERE occurred_at > now() - interval '30 days')::integer AS recent,
                         count(*) FILTER (WHERE occurred_at > now() - interval '30 days' AND kind IN ('content_opened', 'whitepaper_clicked'))::integer AS opened,
                         extract(epoch FROM now() - max(occurred_at))::float8 / 86400 AS quiet_days
                  FROM marketing_touches WHERE tenant_id = \(t) AND customer_id = \(customer)) m,
                 (SELECT count(*) FILTER (WHERE resolved_at IS NULL)::integer AS open,
                         count(*) FILTER (WHERE resolved_at IS NULL AND complaint AND severity >= 2)::integer AS major,
                         coalesce(avg(extract(epoch FROM resolved_at - opened_at) / 3600) FILTER (WHERE resolved_at > now() - interval '90 days'), 0)::float8 AS hours,
                         (array_agg(nps ORDER BY opened_at DESC) FILTER (WHERE nps IS NOT NULL))[1]::integer AS nps
                  FROM service_tickets WHERE tenant_id = \(t) AND customer_id = \(customer)) s,
                 (SELECT count(*) FILTER (WHERE i.due_date < \(today.description)::date)::integer AS due,
                         count(*) FILTER (WHERE i.due_date < \(today.description)::date AND i.paid_minor = i.amount_minor
                                          AND (SELECT max(p.received_on) FROM payment_allocations a JOIN payments p ON p.id = a.payment_id
                                               WHERE a.instalment_id = i.id) <= i.due_date)::integer AS on_time,
                         coalesce(sum(i.amount_minor - i.paid_minor) FILTER (WHERE i.due_date < \(today.description)::date), 0)::bigint AS overdue,
                         coalesce(sum(i.amount_minor), 0)::bigint AS value
                  FROM instalments i WHERE i.tenant_id = \(t) AND i.customer_id = \(c)) f
            """
    }

    /// Keeps `health` unless the last score kept for the customer reads the same.
    func keep(_ health: Sales_Opportunities_V1_CustomerHealth, customer: UUID, tenant: TenantID, on connection: PostgresConnection? = nil)
        async throws
    {
        // Kept without its time and trend, so the same score and reasons compare equal.
        var kept = health
        kept.clearComputedAt()
        kept.scoreBefore = 0
        kept.change = 0
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        let serialized: [UInt8] = try kept.serializedBytes(options: options)
        let bytes = ByteBuffer(bytes: serialized)
        try await database.query(
            """
            INSERT INTO customer_health (tenant_id, customer_id, computed_at, score, body)
            SELECT \(tenant.rawValue), \(customer), \(health.computedAt.date), \(Int16(health.score)), \(bytes)
            WHERE \(bytes) IS DISTINCT FROM (SELECT body FROM customer_health WHERE tenant_id = \(tenant.rawValue) AND customer_id = \(customer)
                                             ORDER BY computed_at DESC LIMIT 1)
            """, on: connection)
    }

    /// The score kept 30 days before `moment`, else the first kept; nil when none was.
    func scoreBefore(customer: UUID, tenant: TenantID, moment: Date) async throws -> Int? {
        let rows = try await database.query(
            """
            SELECT score FROM (
                (SELECT score, 0 AS k FROM customer_health WHERE tenant_id = \(tenant.rawValue) AND customer_id = \(customer)
                   AND computed_at <= \(moment.addingTimeInterval(-30 * 86_400)) ORDER BY computed_at DESC LIMIT 1)
                UNION ALL
                (SELECT score, 1 FROM customer_health WHERE tenant_id = \(tenant.rawValue) AND customer_id = \(customer) ORDER BY computed_at LIMIT 1)
            ) s ORDER BY k LIMIT 1
            """)
        for try await score in rows.decode(Int16.self) { return Int(score) }
        return nil
    }

    /// Whether the caller sees one of the customer's deals.
    func sees(customer: UUID, for caller: Caller) async throws -> Bool {
        let rows = try await database.query(
            """
            SELECT 1 FROM opportunities
            WHERE tenant_id = \(caller.tenant.rawValue) AND customer_id = \(customer) AND \(visibleTo: Visibility(caller)) LIMIT 1
            """)
        for try await _ in rows { return true }
        return false
    }

    /// The customers of the caller's latest deals, for a dry run of the formula.
    func recentCustomers(for caller: Caller, limit: Int) async throws -> [UUID] {
        let rows = try await database.query(
            """
            SELECT customer_id FROM opportunities
            WHERE tenant_id = \(caller.tenant.rawValue) AND customer_id IS NOT NULL AND \(visibleTo: Visibility(caller))
            GROUP BY customer_id ORDER BY max(seq) DESC LIMIT \(limit)
            """)
        var customers: [UUID] = []
        for try await customer in rows.decode(UUID.self) { customers.append(customer) }
        return customers
    }

    /// The caller's customers (one of whose deals they see) whose latest kept score fell most
    /// against the one kept 30 days before (or the first kept).
    func falling(for caller: Caller, limit: Int) async throws -> [Sales_Opportunities_V1_CustomerHealth] {
        let rows = try await database.query(Self.fallingQuery(for: caller, limit: limit))
        var list: [Sales_Opportunities_V1_CustomerHealth] = []
        for try await (bytes, computed, before) in rows.decode((ByteBuffer, Date, Int16).self) {
            var health = try Sales_Opportunities_V1_CustomerHealth(serializedBytes: Array(buffer: bytes))
            health.computedAt = Google_Protobuf_Timestamp(date: computed)
            health.scoreBefore = Int32(before)
            health.change = health.score - Int32(before)
            list.append(health)
        }
        return list
    }

    static func fallingQuery(for caller: Caller, limit: Int) -> PostgresQuery {
        let t = caller.tenant.rawValue
        return """
            SELECT l.body, l.computed_at, coalesce(b.score, f.score)
            FROM (SELECT DISTINCT customer_id FROM opportunities
                  WHERE tenant_id = \(t) AND customer_id IS NOT NULL AND \(visibleTo: Visibility(caller))) mine
            CROSS JOIN LATERAL (SELECT body, score, computed_at FROM customer_health
                                WHERE tenant_id = \(t) AND customer_id = mine.customer_id ORDER BY computed_at DESC LIMIT 1) l
            LEFT JOIN LATERAL (SELECT score FROM customer_health WHERE tenant_id = \(t) AND customer_id = mine.customer_id
                                 AND computed_at <= now() - interval '30 days' ORDER BY computed_at DESC LIMIT 1) b ON true
            CROSS JOIN LATERAL (SELECT score FROM customer_health
                                WHERE tenant_id = \(t) AND customer_id = mine.customer_id ORDER BY computed_at LIMIT 1) f
            ORDER BY l.score - coalesce(b.score, f.score), l.score, mine.customer_id LIMIT \(limit)
            """
    }

    /// Customers with a deal whose score was last kept before `staleBefore` (or never), oldest
    /// first: what the sweep recomputes, so finance and sales changes reach the scores.
    func stale(before staleBefore: Date, limit: Int) async throws -> [(tenant: TenantID, customer: UUID)] {
        let rows = try await database.query(
            """
            SELECT c.tenant_id, c.customer_id FROM (SELECT DISTINCT tenant_id, customer_id FROM opportunities WHERE customer_id IS NOT NULL) c
            LEFT JOIN LATERAL (SELECT max(computed_at) AS at FROM customer_health h
                               WHERE h.tenant_id = c.tenant_id AND h.customer_id = c.customer_id) h ON true
            WHERE h.at IS NULL OR h.at < \(staleBefore)
            ORDER BY h.at NULLS FIRST LIMIT \(limit)
            """)
        var due: [(TenantID, UUID)] = []
        for try await (tenant, customer) in rows.decode((String, UUID).self) {
            if let tenant = TenantID(tenant) { due.append((tenant, customer)) }
        }
        return due
    }
}
