import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The `leads` table. Every read is scoped by tenant and the caller's visibility.
struct LeadStore: Sendable {
    let database: Database

    static let columns = """
        id, seq, tenant_id, contact_name, company_name, phone_e164, channel, campaign, city, inquiry,
        owner_id, org_path, status, opportunity_id, created_at, custom_fields::text, customer_id, credit_code, repeat,
        first_touch_at, last_touch_at, assignment_reason, routing_rule_id,
        district, industry, budget_minor, budget_currency, employee_count, tags, latitude, longitude, grade
        """

    /// A merged customer's leads move to the survivor; returns how many.
    func moveLeads(fromCustomer merged: UUID, to surviving: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query(
            "UPDATE leads SET customer_id = \(surviving), updated_at = now() WHERE customer_id = \(merged) RETURNING 1", logger: logger)
        var moved = 0
        for try await _ in rows { moved += 1 }
        return moved
    }

    /// A customer's open leads follow its owner (one customer, one owner), each with a fresh pool
    /// clock and `reason`; returns how many changed hands.
    func followOwner(
        ofCustomer customer: UUID, owner: String, orgPath: String, reason: String, on connection: PostgresConnection, logger: Logger
    ) async throws -> Int {
        let rows = try await connection.query(
            """
            UPDATE leads SET owner_id = \(owner), org_path = \(orgPath), updated_at = now(),
                             assigned_at = now(), return_warned_at = NULL, assignment_reason = \(reason)
            WHERE customer_id = \(customer) AND status <> \(Sales_Leads_V1_LeadStatus.converted.column)
              AND (owner_id <> \(owner) OR org_path <> \(orgPath))
            RETURNING 1
            """, logger: logger)
        var reassigned = 0
        for try await _ in rows { reassigned += 1 }
        return reassigned
    }

    /// A lead that may be due for return to the public pool, with its tenant's policy.
    struct ReturnCandidate: Sendable {
        let id: UUID
        let tenant: TenantID
        /// When its owner's clock started: assignment or the last real follow-up, whichever is later.
        let since: Date
        let warned: Bool
        let returnAfter: Int
        let warnBefore: Int
        let grade: String
    }

    /// Owned open leads whose clock ran at least (return days - warning days) calendar days, oldest
    /// first. Business days are never more than calendar days, so the sweeper's count in the
    /// tenant's calendar finds every lead due among these.
    func returnCandidates(tenant: TenantID?, now: Date, limit: Int = 500) async throws -> [ReturnCandidate] {
        let rows = try await database.query(
            """
            SELECT id, tenant_id, since, warned, return_after, warn_before, grade FROM (
                SELECT l.id, l.tenant_id, greatest(l.assigned_at, l.last_touch_at) AS since, l.return_warned_at IS NOT NULL AS warned,
                       coalesce((p.return_days_by_grade ->> nullif(l.grade, ''))::integer, p.return_after_business_days, 10) AS return_after,
                       coalesce(p.warn_business_days_before, 2) AS warn_before, l.grade
                FROM leads l LEFT JOIN pool_policies p ON p.tenant_id = l.tenant_id
                WHERE l.owner_id <> '' AND l.status <> \(Sales_Leads_V1_LeadStatus.converted.column)
                  AND (\(tenant?.rawValue)::text IS NULL OR l.tenant_id = \(tenant?.rawValue))
            ) candidates
            WHERE return_after > 0 AND since < \(now) - make_interval(days => greatest(return_after - warn_before, 1))
            ORDER BY since LIMIT \(limit)
            """)
        var candidates: [ReturnCandidate] = []
        for try await (id, tenant, since, warned, returnAfter, warnBefore, grade)
            in rows.decode((UUID, String, Date, Bool, Int32, Int32, String).self)
        {
            guard let tenant = TenantID(tenant) else { continue }
            candidates.append(
                ReturnCandidate(
                    id: id, tenant: tenant, since: since, warned: warned, returnAfter: Int(returnAfter), warnBefore: Int(warnBefore), grade: grade))
        }
        return candidates
    }

    /// Notes that the owner was warned; false when they already were, or the lead has no owner now.
    func markReturnWarned(_ id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query(
            "UPDATE leads SET return_warned_at = now() WHERE id = \(id) AND return_warned_at IS NULL AND owner_id <> '' RETURNING 1",
            logger: logger)
        for try await _ in rows { return true }
        return false
    }

    static let poolReturnPrefix = "returning customer from the public pool: "

    /// Stores the lead under its customer. A new customer, or one waiting in a public pool, takes
    /// the lead's assignment (`routed`; the pool customer's waiting leads move with it); one with
    /// an owner keeps it, and the lead goes to that owner (never a second owner for one customer).
    /// Two channels submitting the same customer at once meet on the customers' unique key: the
    /// second waits for the first and then finds its owner. A key merged into another customer is
    /// followed to the survivor.
    func insert(_ row: NewLeadRow, on connection: PostgresConnection, logger: Logger) async throws -> (lead: Lead, routed: Bool) {
        var row = row
        for _ in 0..<4 {
            if let lead = try await Self.decode(connection.query(SingleLeadInsert(row: row).query(), logger: logger)).first {
                return try await stored(lead, from: row, on: connection, logger: logger)
            }
            // Nothing written: the key's customer was merged into another (follow it), or another
            // transaction created it after this statement began (the next statement sees it).
            let survivors = try await connection.query(
                """
                SELECT s.key_kind, s.key_value FROM customers m JOIN customers s ON s.id = m.merged_into
                WHERE m.tenant_id = \(row.tenant.rawValue) AND m.key_kind = \(row.key.kind) AND m.key_value = \(row.key.value)
                """, logger: logger)
            for try await (kind, value) in survivors.decode((String, String).self) {
                row = NewLeadRow(
                    tenant: row.tenant, lead: row.lead, key: CustomerKey(kind: kind, value: value), phoneHash: row.phoneHash,
                    grade: row.grade, assignment: row.assignment)
            }
        }
        throw ServiceError.unavailable("the lead's customer could not be resolved; retry")
    }

    /// Stores in one statement the leads of new customers and of customers waiting in a pool (see
    /// `BatchLeadInsert`; one row a customer key). For each, the stored lead and whether it was routed,
    /// or nil for a lead whose customer has an owner: `insert(_:on:logger:)` writes it.
    func insert(
        _ rows: [NewLeadRow], on connection: PostgresConnection, logger: Logger
    ) async throws -> [(lead: Lead, routed: Bool)?] {
        guard !rows.isEmpty else { return [] }
        var inserted: [UUID: Lead] = [:]
        for try await lead in try await connection.execute(BatchLeadInsert(rows: rows), logger: logger) { inserted[lead.id] = lead }
        var results: [(lead: Lead, routed: Bool)?] = []
        for row in rows {
            guard let lead = inserted[row.id] else {
                results.append(nil)
                continue
            }
            results.append(try await stored(lead, from: row, on: connection, logger: logger))
        }
        return results
    }

    /// Whether a stored lead was routed (a new customer's, or one returning from a pool, whose
    /// leads still waiting in the pool go along: one customer, one owner).
    private func stored(
        _ lead: Lead, from row: NewLeadRow, on connection: PostgresConnection, logger: Logger
    ) async throws -> (lead: Lead, routed: Bool) {
        let routed = !lead.isRepeat || lead.assignmentReason.hasPrefix(Self.poolReturnPrefix)
        if lead.isRepeat && routed {
            try await connection.query(
                """
                UPDATE leads SET owner_id = \(lead.ownerID), org_path = \(lead.orgPath), updated_at = now(),
                                 assigned_at = now(), return_warned_at = NULL,
                                 assignment_reason = \("moved with its returning customer: " + row.assignment.reason)
                WHERE customer_id = \(lead.customerID) AND owner_id = '' AND id <> \(lead.id)
                  AND status <> \(Sales_Leads_V1_LeadStatus.converted.column)
                """, logger: logger)
        }
        return (lead, routed)
    }

    /// The lead if it exists in the caller's tenant and scope; `lock` holds it for the transaction.
    func find(_ id: UUID, for caller: Caller, lock: Bool = false, on connection: PostgresConnection, logger: Logger) async throws -> Lead? {
        let scope = Visibility(caller)
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM leads
            WHERE id = \(id) AND tenant_id = \(caller.tenant.rawValue)
              AND (\(visibleTo: scope) OR \(poolVisibleTo: caller))
            \(unescaped: lock ? "FOR UPDATE" : "")
            """, logger: logger)
        return try await Self.decode(rows).first
    }

    func list(for caller: Caller, status: Sales_Leads_V1_LeadStatus, publicPool: Bool = false, page: Page) async throws -> [Lead] {
        let scope = Visibility(caller)
        let statusFilter = status.column
        let rows = try await database.query(
            """
            SELECT \(unescaped: Self.columns) FROM leads
            WHERE tenant_id = \(caller.tenant.rawValue) AND seq < \(page.before)
              AND (\(statusFilter) = 0 OR status = \(statusFilter))
              AND (NOT \(publicPool) OR owner_id = '')
              AND (\(visibleTo: scope) OR \(poolVisibleTo: caller))
            ORDER BY seq DESC LIMIT \(page.fetchLimit)
            """)
        return try await Self.decode(rows)
    }

    /// Open leads of a tenant created since `since`, newest first, for background checks.
    func openLeads(tenant: TenantID, since: Date, limit: Int) async throws -> [Lead] {
        let rows = try await database.query(
            """
            SELECT \(unescaped: Self.columns) FROM leads
            WHERE tenant_id = \(tenant.rawValue) AND created_at >= \(since)
              AND status <> \(Sales_Leads_V1_LeadStatus.converted.column)
            ORDER BY seq DESC LIMIT \(limit)
            """)
        return try await Self.decode(rows)
    }

    /// Sets a locked lead's owner (empty: the public pool) and moves its customer with it. The
    /// owner's return-to-pool clock starts now, and any warning was the previous owner's.
    func assign(_ lead: Lead, to ownerID: String, orgPath: String, on connection: PostgresConnection, logger: Logger) async throws -> Lead {
        let rows = try await connection.query(
            """
            UPDATE leads SET owner_id = \(ownerID), org_path = \(orgPath), updated_at = now(), assigned_at = now(),
                             return_warned_at = NULL
            WHERE id = \(lead.id) RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        guard let moved = try await Self.decode(rows).first else { throw ServiceError.notFound(kind: "lead", id: lead.id.apiString) }
        if let customer = lead.customerID {
            try await connection.query(
                "UPDATE customers SET owner_id = \(ownerID), org_path = \(orgPath) WHERE id = \(customer)", logger: logger)
        }
        return moved
    }

    func markConverted(_ id: UUID, opportunity: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Lead {
        let rows = try await connection.query(
            """
            UPDATE leads SET status = \(Sales_Leads_V1_LeadStatus.converted.column), opportunity_id = \(opportunity),
                             updated_at = now()
            WHERE id = \(id) RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        guard let lead = try await Self.decode(rows).first else { throw ServiceError.notFound(kind: "lead", id: id.apiString) }
        return lead
    }

    /// Sets a locked lead's stage and custom field values.
    func update(
        _ id: UUID, stage: Sales_Leads_V1_LeadStatus, customFields: [String: Sales_Common_V1_FieldValue],
        on connection: PostgresConnection, logger: Logger
    ) async throws -> Lead {
        let rows = try await connection.query(
            """
            UPDATE leads SET status = \(stage.column), custom_fields = \(try CustomFieldStore.encode(customFields))::jsonb,
                             updated_at = now()
            WHERE id = \(id) RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        guard let lead = try await Self.decode(rows).first else { throw ServiceError.notFound(kind: "lead", id: id.apiString) }
        return lead
    }

    /// Leads in the public pools the caller sees.
    func poolCount(for caller: Caller) async throws -> Int64 {
        let rows = try await database.query(
            """
            SELECT count(*) FROM leads
            WHERE tenant_id = \(caller.tenant.rawValue) AND owner_id = ''
              AND (\(visibleTo: Visibility(caller)) OR \(poolVisibleTo: caller))
            """)
        for try await count in rows.decode(Int64.self) { return count }
        return 0
    }

    /// Open leads the caller sees whose owner is one of `owners`.
    func openCount(ownedBy owners: Set<String>, for caller: Caller) async throws -> Int64 {
        guard !owners.isEmpty else { return 0 }
        let rows = try await database.query(
            """
            SELECT count(*) FROM leads
            WHERE tenant_id = \(caller.tenant.rawValue) AND owner_id = ANY(\(Array(owners)))
              AND status <> \(Sales_Leads_V1_LeadStatus.converted.column) AND \(visibleTo: Visibility(caller))
            """)
        for try await count in rows.decode(Int64.self) { return count }
        return 0
    }

    func overview(for caller: Caller) async throws -> Sales_Leads_V1_LeadsOverview {
        let scope = Visibility(caller)
        let rows = try await database.query(
            """
            SELECT channel, count(*), count(*) FILTER (WHERE status = \(Sales_Leads_V1_LeadStatus.converted.column))
            FROM leads
            WHERE tenant_id = \(caller.tenant.rawValue)
              AND \(visibleTo: scope)
            GROUP BY channel ORDER BY channel
            """)
        var overview = Sales_Leads_V1_LeadsOverview()
        for try await (channel, count, converted) in rows.decode((Int16, Int64, Int64).self) {
            overview.total += count
            overview.converted += converted
            overview.byChannel.append(
                .with {
                    $0.channel = Sales_Leads_V1_Channel(column: channel)
                    $0.count = count
                })
        }
        overview.open = overview.total - overview.converted
        return overview
    }

    private static func decode(_ rows: PostgresRowSequence) async throws -> [Lead] {
        var leads: [Lead] = []
        for try await row in rows { leads.append(try lead(from: row)) }
        return leads
    }

    /// A row of `columns`, read by column name.
    static func lead(from row: PostgresRow) throws -> Lead {
        let row = row.makeRandomAccess()
        let budget = try row.decode("budget_minor", as: Int64?.self).flatMap { minor in
            try row.decode("budget_currency", as: String?.self).flatMap(Currency.init).map { Money(minorUnits: minor, currency: $0) }
        }
        let latitude = try row.decode("latitude", as: Double?.self)
        let longitude = try row.decode("longitude", as: Double?.self)
        let profile = LeadProfile(
            district: try row.decode("district"), industry: try row.decode("industry"), budget: budget,
            employeeCount: try row.decode("employee_count"), tags: try row.decode("tags"),
            location: latitude.flatMap { lat in longitude.flatMap { GeoPoint(latitude: lat, longitude: $0) } })
        return Lead(
            id: try row.decode("id"), seq: try row.decode("seq"), tenant: try row.decode("tenant_id"),
            contactName: try row.decode("contact_name"), companyName: try row.decode("company_name"),
            phone: try row.decode("phone_e164", as: String?.self).flatMap(PhoneNumber.init),
            creditCode: CreditCode(try row.decode("credit_code")),
            channel: Sales_Leads_V1_Channel(column: try row.decode("channel")),
            campaign: try row.decode("campaign"), city: try row.decode("city"), inquiry: try row.decode("inquiry"),
            ownerID: try row.decode("owner_id"), orgPath: try row.decode("org_path"),
            status: Sales_Leads_V1_LeadStatus(column: try row.decode("status")),
            opportunityID: try row.decode("opportunity_id"), createdAt: try row.decode("created_at"),
            customFields: try CustomFieldStore.decode(try row.decode("custom_fields")),
            customerID: try row.decode("customer_id"), isRepeat: try row.decode("repeat"),
            firstTouchAt: try row.decode("first_touch_at"), lastTouchAt: try row.decode("last_touch_at"),
            assignmentReason: try row.decode("assignment_reason"), routingRuleID: try row.decode("routing_rule_id"),
            profile: profile, grade: try row.decode("grade"))
    }
}

extension PostgresQuery.StringInterpolation {
    /// Public-pool leads (owner_id = '') of the caller's team or a team above it: what a rep may see and claim.
    mutating func appendInterpolation(poolVisibleTo caller: Caller) {
        appendLiteral("(owner_id = '' AND ")
        appendInterpolation(poolOf: caller, column: "org_path")
        appendLiteral(")")
    }

    /// Whether the pool at `column` (a team path) is the caller's team's or one above it:
    /// the caller's path lies within the column's, segment by segment.
    mutating func appendInterpolation(poolOf caller: Caller, column: StaticString) {
        let path = OrgPath(caller.orgPath)?.rawValue ?? ""
        appendLiteral("(")
        appendInterpolation(path)
        appendLiteral(" = \(column) OR starts_with(")
        appendInterpolation(path)
        appendLiteral(", \(column) || '/'))")
    }
}
