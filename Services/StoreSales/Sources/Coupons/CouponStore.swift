import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// A campaign's coupons to issue, checked.
struct CouponIssue: Sendable {
    var campaign: String
    var category: String
    var value: Money
    var validDays: Int
    var members: [UUID]

    static let mostMembersAtOnce = 1_000

    init(_ request: Sales_Storesales_V1_IssueCouponsRequest) throws(ServiceError) {
        campaign = try Require.text(request.campaign, field: "campaign", maxLength: 100)
        category = try Require.text(request.category, field: "category", maxLength: 50)
        guard request.hasValue else { throw .invalidArgument(field: "value", rule: "is required") }
        value = try request.value.validated(field: "value")
        guard (1...365).contains(request.validDays) else {
            throw .invalidArgument(field: "valid_days", rule: "must be 1 to 365 days (got \(request.validDays))")
        }
        validDays = Int(request.validDays)
        try ImportRows.checkCount(request.memberIds.count, most: Self.mostMembersAtOnce, field: "member_ids")
        var members: [UUID] = []
        for (index, id) in request.memberIds.enumerated() { members.append(try Require.uuid(id, field: "member_ids[\(index)]")) }
        guard Set(members).count == members.count else { throw .invalidArgument(field: "member_ids", rule: "names a member twice") }
        self.members = members
    }
}

/// The `coupons` and `reengagement_offers` tables.
struct CouponStore: Sendable {
    let database: Database

    static let columns = """
        c.id, c.member_id, c.campaign, c.category, c.value_fen, c.currency, c.store_id, c.issued_at, c.expires_at, c.redeemed_at,
        c.redeemed_store_id, c.receipt_number
        """

    /// Issues the campaign's coupon to each member who does not hold it yet; returns every
    /// member's coupon of the campaign, in the order asked, and how many were new.
    func issue(_ issue: CouponIssue, store: UUID?, tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws
        -> (coupons: [Sales_Storesales_V1_Coupon], issued: Int)
    {
        let known = try await connection.query(
            "SELECT id FROM members WHERE tenant_id = \(tenant.rawValue) AND id = ANY(\(issue.members))", logger: logger)
        var found = Set<UUID>()
        for try await id in known.decode(UUID.self) { found.insert(id) }
        if let index = issue.members.firstIndex(where: { !found.contains($0) }) {
            throw ServiceError.notFound(kind: "member", id: issue.members[index].apiString)
        }
        let ids = issue.members.map { _ in UUID.random() }
        let inserted = try await connection.query(
            """
            INSERT INTO coupons (id, tenant_id, member_id, campaign, category, value_fen, currency, store_id, expires_at)
            SELECT i.id, \(tenant.rawValue), i.member, \(issue.campaign), \(issue.category), \(issue.value.minorUnits),
                   \(issue.value.currency.code), \(store), now() + make_interval(days => \(issue.validDays)::integer)
            FROM unnest(\(ids), \(issue.members)) AS i(id, member)
            ON CONFLICT (tenant_id, campaign, member_id) DO NOTHING
            RETURNING id
            """, logger: logger)
        var issued = 0
        for try await _ in inserted.decode(UUID.self) { issued += 1 }
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM coupons c
            WHERE c.tenant_id = \(tenant.rawValue) AND c.campaign = \(issue.campaign) AND c.member_id = ANY(\(issue.members))
            """, logger: logger)
        let byMember = Dictionary(uniqueKeysWithValues: try await Self.decode(rows).map { ($0.memberID, $0) })
        return (issue.members.compactMap { byMember[$0.apiString] }, issued)
    }

    enum Redemption {
        case redeemed(Sales_Storesales_V1_Coupon)
        /// The till's retry of a redemption already recorded.
        case repeated(Sales_Storesales_V1_Coupon)
        case refused(ServiceError)
    }

    /// Redeems the coupon in `store` unless it was used or has run out; of two redemptions at
    /// once, the row lock lets one win and the other sees it used. The same redemption again
    /// (same store and receipt) answers the coupon as it is.
    func redeem(_ id: UUID, store: UUID, storeCode: String, receipt: String, tenant: TenantID, on connection: PostgresConnection, logger: Logger)
        async throws -> Redemption
    {
        let updated = try await connection.query(
            """
            UPDATE coupons c SET redeemed_at = now(), redeemed_store_id = \(store), receipt_number = \(receipt)
            WHERE c.id = \(id) AND c.tenant_id = \(tenant.rawValue) AND c.redeemed_at IS NULL AND c.expires_at > now()
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        if let coupon = try await Self.decode(updated).first { return .redeemed(coupon) }
        let rows = try await connection.query(
            "SELECT \(unescaped: Self.columns) FROM coupons c WHERE c.id = \(id) AND c.tenant_id = \(tenant.rawValue)", logger: logger)
        guard let coupon = try await Self.decode(rows).first else { return .refused(.notFound(kind: "coupon", id: id.apiString)) }
        if coupon.hasRedeemedAt {
            if coupon.redeemedStoreID == store.apiString && coupon.receiptNumber == receipt && !receipt.isEmpty { return .repeated(coupon) }
            let place = coupon.redeemedStoreID == store.apiString ? "in this store" : "in another store"
            return .refused(
                .failedPrecondition(
                    "coupon \(id.apiString) was already redeemed at \(coupon.redeemedAt.date.formatted(.iso8601)) \(place)"
                        + (coupon.receiptNumber.isEmpty ? "" : " (receipt \(coupon.receiptNumber))")))
        }
        return .refused(.failedPrecondition("coupon \(id.apiString) expired at \(coupon.expiresAt.date.formatted(.iso8601)); it cannot be redeemed"))
    }

    func ofMember(_ member: UUID, tenant: TenantID) async throws -> [Sales_Storesales_V1_Coupon] {
        try await Self.decode(
            try await database.query(
                """
                SELECT \(unescaped: Self.columns) FROM coupons c
                WHERE c.member_id = \(member) AND c.tenant_id = \(tenant.rawValue) ORDER BY c.issued_at DESC LIMIT 200
                """))
    }

    func setOffer(category: String, offer: String, tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO reengagement_offers (tenant_id, category, offer) VALUES (\(tenant.rawValue), \(category), \(offer))
            ON CONFLICT (tenant_id, category) DO UPDATE SET offer = EXCLUDED.offer
            """, logger: logger)
    }

    func offers(tenant: TenantID) async throws -> [Sales_Storesales_V1_ReengagementOffer] {
        let rows = try await database.query(
            "SELECT category, offer FROM reengagement_offers WHERE tenant_id = \(tenant.rawValue) ORDER BY category")
        var offers: [Sales_Storesales_V1_ReengagementOffer] = []
        for try await (category, offer) in rows.decode((String, String).self) {
            offers.append(
                .with {
                    $0.category = category
                    $0.offer = offer
                })
        }
        return offers
    }

    static func decode(_ rows: PostgresRowSequence) async throws -> [Sales_Storesales_V1_Coupon] {
        var coupons: [Sales_Storesales_V1_Coupon] = []
        for try await (id, member, campaign, category, value, currency, store, issued, expires, redeemed, redeemedStore, receipt) in rows.decode(
            (UUID, UUID, String, String, Int64, String, UUID?, Date, Date, Date?, UUID?, String).self)
        {
            coupons.append(
                .with {
                    $0.id = id.apiString
                    $0.memberID = member.apiString
                    $0.campaign = campaign
                    $0.category = category
                    $0.value = Sales_Common_V1_Money(minorUnits: value, currency: currency)
                    $0.storeID = store?.apiString ?? ""
                    $0.issuedAt = Google_Protobuf_Timestamp(date: issued)
                    $0.expiresAt = Google_Protobuf_Timestamp(date: expires)
                    if let redeemed { $0.redeemedAt = Google_Protobuf_Timestamp(date: redeemed) }
                    $0.redeemedStoreID = redeemedStore?.apiString ?? ""
                    $0.receiptNumber = receipt
                })
        }
        return coupons
    }
}
