import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The `contacts` and `deal_contacts` tables: people at the customer and their part in deals.
struct ContactStore: Sendable {
    let database: Database

    /// The key roles whose coverage counts.
    static let keyRoles: [Sales_Opportunities_V1_ContactRole] = [.decisionMaker, .technicalEvaluator, .finance, .procurement]
    /// The activities that count as documented meetings.
    static let meetingKinds: [Sales_Opportunities_V1_ActivityKind] = [.visit, .meeting, .demo]

    func create(_ contact: Sales_Opportunities_V1_Contact, customer: UUID?, by caller: Caller, on connection: PostgresConnection, logger: Logger)
        async throws -> UUID
    {
        let id = UUID.random()
        try await connection.query(
            """
            INSERT INTO contacts (id, tenant_id, customer_id, name, title, department, created_by)
            VALUES (\(id), \(caller.tenant.rawValue), \(customer), \(contact.name), \(contact.title), \(contact.department), \(caller.userID))
            """, logger: logger)
        return id
    }

    /// A contact of the tenant, if it belongs to `customer` (or to no customer when the deal has none).
    func contact(_ id: UUID, customer: UUID?, tenant: TenantID, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await database.query(
            """
            SELECT 1 FROM contacts WHERE id = \(id) AND tenant_id = \(tenant.rawValue)
              AND customer_id IS NOT DISTINCT FROM \(customer)
            """, on: connection)
        for try await _ in rows { return true }
        return false
    }

    func link(
        _ contact: UUID, to deal: UUID, role: Sales_Opportunities_V1_ContactRole, by caller: Caller, on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        try await connection.query(
            """
            INSERT INTO deal_contacts (tenant_id, opportunity_id, contact_id, role, added_by)
            VALUES (\(caller.tenant.rawValue), \(deal), \(contact), \(role.column), \(caller.userID))
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    /// The deal's contacts with their roles and documented meetings.
    func onDeal(_ deal: UUID, tenant: TenantID, on connection: PostgresConnection? = nil) async throws -> [Sales_Opportunities_V1_DealContact] {
        let rows = try await database.query(
            """
            SELECT c.id, c.customer_id, c.name, c.title, c.department, c.left_at, dc.role,
                   (SELECT count(*) FROM activities a
                    WHERE a.tenant_id = dc.tenant_id AND a.opportunity_id = dc.opportunity_id
                      AND a.kind = ANY(\(Self.meetingKinds.map(\.column))) AND dc.contact_id = ANY(a.contact_ids))::integer AS meetings
            FROM deal_contacts dc JOIN contacts c ON c.id = dc.contact_id
            WHERE dc.tenant_id = \(tenant.rawValue) AND dc.opportunity_id = \(deal)
            ORDER BY dc.added_at, dc.role
            """, on: connection)
        var contacts: [Sales_Opportunities_V1_DealContact] = []
        for try await row in rows {
            let row = row.makeRandomAccess()
            var contact = Sales_Opportunities_V1_Contact()
            contact.id = try row.decode("id", as: UUID.self).apiString
            contact.customerID = try row.decode("customer_id", as: UUID?.self)?.apiString ?? ""
            contact.name = try row.decode("name")
            contact.title = try row.decode("title")
            contact.department = try row.decode("department")
            if let left = try row.decode("left_at", as: Date?.self) { contact.leftAt = Google_Protobuf_Timestamp(date: left) }
            let role = Sales_Opportunities_V1_ContactRole(column: try row.decode("role"))
            let meetings: Int32 = try row.decode("meetings")
            contacts.append(
                .with {
                    $0.contact = contact
                    $0.role = role
                    $0.meetings = meetings
                })
        }
        return contacts
    }

    /// Marks the person as gone (once); returns the deals they are on and the contact, or nil
    /// when the tenant has no such contact.
    func markLeft(_ id: UUID, tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws
        -> (name: String, deals: [(deal: UUID, role: Sales_Opportunities_V1_ContactRole)])?
    {
        let rows = try await connection.query(
            """
            UPDATE contacts SET left_at = coalesce(left_at, now()) WHERE id = \(id) AND tenant_id = \(tenant.rawValue)
            RETURNING name
            """, logger: logger)
        var name: String?
        for try await found in rows.decode(String.self) { name = found }
        guard let name else { return nil }
        let links = try await connection.query(
            "SELECT opportunity_id, role FROM deal_contacts WHERE contact_id = \(id) AND tenant_id = \(tenant.rawValue)", logger: logger)
        var deals: [(UUID, Sales_Opportunities_V1_ContactRole)] = []
        for try await (deal, role) in links.decode((UUID, Int16).self) { deals.append((deal, .init(column: role))) }
        return (name, deals)
    }

    /// KP coverage and depth per owner over the open deals `caller` sees.
    func keyPersonFigures(for caller: Caller) async throws -> [Sales_Opportunities_V1_KeyPersonFigures] {
        let rows = try await database.query(
            """
            WITH deals AS (
                SELECT id, owner_id FROM opportunities
                WHERE tenant_id = \(caller.tenant.rawValue) AND stage <> \(Sales_Opportunities_V1_Stage.won.column)
                  AND stage <> \(Sales_Opportunities_V1_Stage.lost.column) AND \(visibleTo: Visibility(caller))
            ), key_people AS (
                SELECT dc.opportunity_id, dc.role,
                       (SELECT count(*) FROM activities a
                        WHERE a.tenant_id = dc.tenant_id AND a.opportunity_id = dc.opportunity_id
                          AND a.kind = ANY(\(Self.meetingKinds.map(\.column))) AND dc.contact_id = ANY(a.contact_ids)) AS meetings
                FROM deal_contacts dc JOIN contacts c ON c.id = dc.contact_id
                WHERE dc.tenant_id = \(caller.tenant.rawValue) AND c.left_at IS NULL AND dc.role = ANY(\(Self.keyRoles.map(\.column)))
                  AND dc.opportunity_id IN (SELECT id FROM deals)
            ), per_deal AS (
                SELECT d.id, d.owner_id, count(DISTINCT k.role)::float8 / \(Double(Self.keyRoles.count)) AS coverage,
                       coalesce(sum(k.meetings)::float8 / nullif(count(k.role), 0), 0) AS depth
                FROM deals d LEFT JOIN key_people k ON k.opportunity_id = d.id
                GROUP BY d.id, d.owner_id
            )
            SELECT owner_id, count(*), avg(coverage)::float8, avg(depth)::float8 FROM per_deal GROUP BY owner_id ORDER BY owner_id
            """)
        var figures: [Sales_Opportunities_V1_KeyPersonFigures] = []
        for try await (owner, deals, coverage, depth) in rows.decode((String, Int64, Double, Double).self) {
            figures.append(
                .with {
                    $0.ownerID = owner
                    $0.openDeals = deals
                    $0.kpCoverage = (coverage * 100).rounded() / 100
                    $0.kpDepth = (depth * 10).rounded() / 10
                })
        }
        return figures
    }

    /// Coverage and depth of one deal's contacts, as `keyPersonFigures` counts them.
    static func keyPersonFigures(of contacts: [Sales_Opportunities_V1_DealContact]) -> (coverage: Double, depth: Double) {
        let key = contacts.filter { keyRoles.contains($0.role) && !$0.contact.hasLeftAt }
        let coverage = Double(Set(key.map(\.role.rawValue)).count) / Double(keyRoles.count)
        let depth = key.isEmpty ? 0 : Double(key.map(\.meetings).reduce(0, +)) / Double(key.count)
        return ((coverage * 100).rounded() / 100, (depth * 10).rounded() / 10)
    }
}
