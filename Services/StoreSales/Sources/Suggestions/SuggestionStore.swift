import Foundation
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit

/// What to offer a member, read from de-identified data only: the member's purchases (by SKU),
/// their birth decade, other members' purchases (counted, never named) and the day's keywords.
struct SuggestionStore: Sendable {
    let database: Database

    /// How far back purchases count.
    static let lookbackDays = 180
    /// "Bought together" reads the latest buyers of the member's SKUs, this many at most: a
    /// best seller's every buyer would be most of the chain's receipts.
    static let peerSample = 500

    /// A SKU one source proposes; `why` reads up to the product's name, which is added last.
    struct Candidate: Sendable {
        var sku: String
        var source: String
        var why: String
    }

    /// The SKUs the member bought in the lookback, newest first, with the day of the last purchase.
    func bought(by member: UUID, tenant: TenantID) async throws -> [(sku: String, name: String, at: Date)] {
        let rows = try await database.query(
            """
            SELECT i.sku, COALESCE(p.name, i.sku), max(r.sold_at) FROM receipts r
            JOIN receipt_items i ON i.receipt_id = r.id
            LEFT JOIN products p ON p.tenant_id = r.tenant_id AND p.sku = i.sku
            WHERE r.member_id = \(member) AND r.tenant_id = \(tenant.rawValue)
              AND r.sold_at > now() - make_interval(days => \(Self.lookbackDays)::integer)
            GROUP BY i.sku, p.name ORDER BY max(r.sold_at) DESC
            """)
        var bought: [(String, String, Date)] = []
        for try await row in rows.decode((String, String, Date).self) { bought.append(row) }
        return bought
    }

    /// For each SKU the member bought, what the latest other members who bought it bought most.
    func boughtTogether(with skus: [String], member: UUID, tenant: TenantID) async throws -> [(via: String, sku: String, buyers: Int)] {
        guard !skus.isEmpty else { return [] }
        let rows = try await database.query(Self.boughtTogetherQuery(with: skus, member: member, tenant: tenant))
        var pairs: [(String, String, Int)] = []
        for try await row in rows.decode((String, String, Int).self) { pairs.append(row) }
        return pairs
    }

    static func boughtTogetherQuery(with skus: [String], member: UUID, tenant: TenantID) -> PostgresQuery {
        """
        WITH recent AS (
            SELECT i.member_id, i.sku AS via FROM receipt_items i
            WHERE i.tenant_id = \(tenant.rawValue) AND i.sku = ANY(\(skus)) AND i.member_id IS NOT NULL AND i.member_id <> \(member)
              AND i.sold_at > now() - make_interval(days => \(lookbackDays)::integer)
            ORDER BY i.sold_at DESC LIMIT \(peerSample)),
        peers AS (SELECT DISTINCT member_id, via FROM recent)
        SELECT peers.via, i.sku, count(DISTINCT peers.member_id)::integer AS buyers
        FROM peers JOIN receipt_items i ON i.member_id = peers.member_id
        WHERE i.sold_at > now() - make_interval(days => \(lookbackDays)::integer) AND i.sku <> ALL(\(skus))
        GROUP BY peers.via, i.sku ORDER BY buyers DESC, i.sku LIMIT 10
        """
    }

    /// What members born in the same decade bought most in the last 90 days.
    func ageBandFavourites(decade: Int, excluding skus: [String], tenant: TenantID) async throws -> [(sku: String, buyers: Int)] {
        let rows = try await database.query(
            """
            SELECT i.sku, count(DISTINCT r.member_id)::integer AS buyers
            FROM members m JOIN receipts r ON r.member_id = m.id JOIN receipt_items i ON i.receipt_id = r.id
            WHERE m.tenant_id = \(tenant.rawValue) AND m.birth_year BETWEEN \(decade) AND \(decade + 9)
              AND r.sold_at > now() - interval '90 days' AND i.sku <> ALL(\(skus))
            GROUP BY i.sku ORDER BY buyers DESC, i.sku LIMIT 5
            """)
        var favourites: [(String, Int)] = []
        for try await row in rows.decode((String, Int).self) { favourites.append(row) }
        return favourites
    }

    /// The chain's products whose name or category holds `keyword`, best sellers of 30 days first.
    func matching(_ keyword: String, tenant: TenantID) async throws -> [String] {
        let pattern =
            "%"
            + keyword.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
        let rows = try await database.query(
            """
            SELECT p.sku FROM products p
            LEFT JOIN LATERAL (
                SELECT count(*) AS sold FROM receipt_items i JOIN receipts r ON r.id = i.receipt_id
                WHERE i.sku = p.sku AND r.tenant_id = p.tenant_id AND r.sold_at > now() - interval '30 days') s ON true
            WHERE p.tenant_id = \(tenant.rawValue) AND (p.name ILIKE \(pattern) OR p.category ILIKE \(pattern))
            ORDER BY s.sold DESC, p.sku LIMIT 3
            """)
        var skus: [String] = []
        for try await sku in rows.decode(String.self) { skus.append(sku) }
        return skus
    }

    /// The chain's best sellers of the last 30 days.
    func bestsellers(excluding skus: [String], tenant: TenantID) async throws -> [(sku: String, sold: Int)] {
        let rows = try await database.query(
            """
            SELECT i.sku, sum(i.quantity)::integer FROM receipt_items i JOIN receipts r ON r.id = i.receipt_id
            WHERE r.tenant_id = \(tenant.rawValue) AND r.sold_at > now() - interval '30 days' AND i.sku <> ALL(\(skus))
            GROUP BY i.sku ORDER BY 2 DESC, i.sku LIMIT 5
            """)
        var best: [(String, Int)] = []
        for try await row in rows.decode((String, Int).self) { best.append(row) }
        return best
    }

    /// Names and categories of `skus` from the catalogue.
    func products(_ skus: Set<String>, tenant: TenantID) async throws -> [String: (name: String, category: String)] {
        let rows = try await database.query(
            "SELECT sku, name, category FROM products WHERE tenant_id = \(tenant.rawValue) AND sku = ANY(\(Array(skus)))")
        var products: [String: (String, String)] = [:]
        for try await (sku, name, category) in rows.decode((String, String, String).self) { products[sku] = (name, category) }
        return products
    }

    /// The member's birth decade (1950 for 1958), the only personal datum the suggestions read;
    /// nil when the chain has no such member.
    func decade(of member: UUID, tenant: TenantID) async throws -> (Int?)? {
        let rows = try await database.query("SELECT birth_year FROM members WHERE id = \(member) AND tenant_id = \(tenant.rawValue)")
        for try await year in rows.decode(Int?.self) { return .some(year.map { $0 / 10 * 10 }) }
        return nil
    }
}
