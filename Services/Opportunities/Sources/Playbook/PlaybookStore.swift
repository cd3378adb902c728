import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The `playbook_atoms` and `playbook_uses` tables: the atoms, and every use of one on a deal.
struct PlaybookStore: Sendable {
    let database: Database

    private static let columns = "id, seq, customer_type, objection, stage, strategies, proposed_by, proposed_from_deal, created_at"

    /// Inserts a new atom, or replaces the strategies and keys of `atom.id` in the tenant.
    func save(_ atom: Sales_Opportunities_V1_PlaybookAtom, by person: String, fromDeal: UUID?, tenant: TenantID, on connection: PostgresConnection)
        async throws -> Sales_Opportunities_V1_PlaybookAtom?
    {
        let strategies = try Sales_Opportunities_V1_PlaybookAtom.with { $0.strategies = atom.strategies }.jsonString()
        let rows: PostgresRowSequence
        if let id = UUID(uuidString: atom.id) {
            rows = try await connection.query(
                """
                UPDATE playbook_atoms SET customer_type = \(atom.customerType), objection = \(atom.objection), stage = \(atom.stage),
                    strategies = \(strategies)
                WHERE id = \(id) AND tenant_id = \(tenant.rawValue)
                RETURNING \(unescaped: Self.columns)
                """, logger: database.logger)
        } else {
            rows = try await connection.query(
                """
                INSERT INTO playbook_atoms (id, tenant_id, customer_type, objection, stage, strategies, proposed_by, proposed_from_deal)
                VALUES (\(UUID.random()), \(tenant.rawValue), \(atom.customerType), \(atom.objection), \(atom.stage), \(strategies),
                        \(person), \(fromDeal))
                RETURNING \(unescaped: Self.columns)
                """, logger: database.logger)
        }
        return try await Self.decode(rows).first?.atom
    }

    /// The tenant's atoms that could fit a deal in `stage` for `customerType` (the rest never match).
    func candidates(tenant: TenantID, stage: String, customerType: String) async throws -> [Sales_Opportunities_V1_PlaybookAtom] {
        let rows = try await database.query(
            """
            SELECT \(unescaped: Self.columns) FROM playbook_atoms
            WHERE tenant_id = \(tenant.rawValue) AND stage IN (\(stage), '*') AND customer_type IN (\(customerType), '*')
            ORDER BY seq DESC LIMIT 5000
            """)
        return try await Self.decode(rows).map(\.atom)
    }

    func find(_ id: UUID, tenant: TenantID) async throws -> Sales_Opportunities_V1_PlaybookAtom? {
        let rows = try await database.query(
            "SELECT \(unescaped: Self.columns) FROM playbook_atoms WHERE id = \(id) AND tenant_id = \(tenant.rawValue)")
        return try await Self.decode(rows).first?.atom
    }

    func list(tenant: TenantID, page: Page) async throws -> [(seq: Int64, atom: Sales_Opportunities_V1_PlaybookAtom)] {
        let rows = try await database.query(
            """
            SELECT \(unescaped: Self.columns) FROM playbook_atoms
            WHERE tenant_id = \(tenant.rawValue) AND seq < \(page.before) ORDER BY seq DESC LIMIT \(page.fetchLimit)
            """)
        return try await Self.decode(rows)
    }

    func recordUse(
        _ atom: UUID, strategy: Int32, deal: Opportunity, by person: String, tenant: TenantID, on connection: PostgresConnection
    ) async throws {
        try await connection.query(
            """
            INSERT INTO playbook_uses (tenant_id, atom_id, opportunity_id, strategy, used_by, region)
            VALUES (\(tenant.rawValue), \(atom), \(deal.id), \(Int16(strategy)), \(person), \(Self.region(of: deal.orgPath)))
            """, logger: database.logger)
    }

    /// The figures of `atoms` as seen from `region`: uses there in 7 days, uses, adoptions by others,
    /// and the closed deals they were used on against the tenant's closed deals overall.
    func figures(of atoms: [Sales_Opportunities_V1_PlaybookAtom], region: String, tenant: TenantID) async throws
        -> [String: (figures: Sales_Opportunities_V1_PlaybookFigures, adoptions: Int64)]
    {
        let ids = atoms.compactMap { UUID(uuidString: $0.id) }
        guard !ids.isEmpty else { return [:] }
        let won = Sales_Opportunities_V1_Stage.won.column
        let lost = Sales_Opportunities_V1_Stage.lost.column
        var base = (won: Int64(0), closed: Int64(0))
        for try await (wonDeals, closedDeals) in try await database.query(
            """
            SELECT count(*) FILTER (WHERE stage = \(won)), count(*) FROM opportunities
            WHERE tenant_id = \(tenant.rawValue) AND stage IN (\(won), \(lost))
            """
        ).decode((Int64, Int64).self) { base = (wonDeals, closedDeals) }
        let rows = try await database.query(
            """
            SELECT u.atom_id,
                   count(*) FILTER (WHERE u.region = \(region) AND u.used_at > now() - interval '7 days'),
                   count(*),
                   count(DISTINCT (u.used_by, u.opportunity_id)) FILTER (WHERE u.used_by <> a.proposed_by),
                   count(DISTINCT o.id) FILTER (WHERE o.stage IN (\(won), \(lost))),
                   count(DISTINCT o.id) FILTER (WHERE o.stage = \(won))
            FROM playbook_uses u JOIN playbook_atoms a ON a.id = u.atom_id JOIN opportunities o ON o.id = u.opportunity_id
            WHERE u.tenant_id = \(tenant.rawValue) AND u.atom_id = ANY(\(ids))
            GROUP BY u.atom_id
            """)
        var result: [String: (Sales_Opportunities_V1_PlaybookFigures, Int64)] = [:]
        for try await (id, regional, uses, adoptions, closed, wonUsed) in rows.decode((UUID, Int64, Int64, Int64, Int64, Int64).self) {
            result[id.apiString] = (
                PlaybookFigures.make(regional: regional, uses: uses, closed: closed, won: wonUsed, baseWon: base.won, baseClosed: base.closed),
                adoptions
            )
        }
        for atom in atoms where result[atom.id] == nil {
            result[atom.id] = (PlaybookFigures.make(regional: 0, uses: 0, closed: 0, won: 0, baseWon: base.won, baseClosed: base.closed), 0)
        }
        return result
    }

    /// Each proposer's atoms and their adoptions by others.
    func badges(tenant: TenantID) async throws -> [Sales_Opportunities_V1_PlaybookBadge] {
        let rows = try await database.query(
            """
            SELECT a.proposed_by, count(DISTINCT a.id),
                   count(DISTINCT (u.used_by, u.opportunity_id, u.atom_id)) FILTER (WHERE u.used_by <> a.proposed_by)
            FROM playbook_atoms a LEFT JOIN playbook_uses u ON u.atom_id = a.id
            WHERE a.tenant_id = \(tenant.rawValue)
            GROUP BY a.proposed_by ORDER BY 3 DESC, 1
            """)
        var badges: [Sales_Opportunities_V1_PlaybookBadge] = []
        for try await (person, atoms, adoptions) in rows.decode((String, Int64, Int64).self) {
            badges.append(
                .with {
                    $0.personID = person
                    $0.atoms = atoms
                    $0.adoptions = adoptions
                    $0.tenAdoptions = adoptions >= 10
                })
        }
        return badges
    }

    /// The first segment of an org path: the region figures are counted in.
    static func region(of orgPath: String) -> String {
        "/" + (orgPath.split(separator: "/").first.map(String.init) ?? "")
    }

    private static func decode(_ rows: PostgresRowSequence) async throws -> [(seq: Int64, atom: Sales_Opportunities_V1_PlaybookAtom)] {
        var atoms: [(Int64, Sales_Opportunities_V1_PlaybookAtom)] = []
        for try await row in rows {
            let row = row.makeRandomAccess()
            var atom = try Sales_Opportunities_V1_PlaybookAtom(jsonString: try row.decode("strategies", as: String.self))
            atom.id = try row.decode("id", as: UUID.self).apiString
            atom.customerType = try row.decode("customer_type")
            atom.objection = try row.decode("objection")
            atom.stage = try row.decode("stage")
            atom.proposedBy = try row.decode("proposed_by")
            atom.proposedFromDeal = try row.decode("proposed_from_deal", as: UUID?.self)?.apiString ?? ""
            atom.createdAt = Google_Protobuf_Timestamp(date: try row.decode("created_at", as: Date.self))
            atoms.append((try row.decode("seq"), atom))
        }
        return atoms
    }
}

/// An atom's figures and the sentence a rep reads.
enum PlaybookFigures {
    static let minimumClosedDeals: Int64 = 5

    static func make(regional: Int64, uses: Int64, closed: Int64, won: Int64, baseWon: Int64, baseClosed: Int64)
        -> Sales_Opportunities_V1_PlaybookFigures
    {
        var figures = Sales_Opportunities_V1_PlaybookFigures()
        figures.usesInRegion7Days = regional
        figures.uses = uses
        figures.closedDeals = closed
        figures.wonDeals = won
        var summary = "本区域 7 天内使用 \(regional) 次"
        if closed >= minimumClosedDeals, baseClosed > 0, baseWon > 0 {
            let lift = (Double(won) / Double(closed)) / (Double(baseWon) / Double(baseClosed)) * 100 - 100
            figures.winLiftPercent = lift.rounded()
            summary += lift >= 0 ? "；使用后赢单率高 \(Int(lift.rounded()))%" : "；使用后赢单率低 \(Int(-lift.rounded()))%"
        } else {
            summary += "；已结单的商机不足 \(minimumClosedDeals) 个，尚无赢单率对比"
        }
        figures.summary = summary
        return figures
    }
}
