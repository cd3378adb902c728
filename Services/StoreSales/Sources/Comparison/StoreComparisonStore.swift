import Foundation
import PostgresNIO
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Head office's figures per store over a span of days, from what clerks and tills recorded.
/// Reads only; the stores are those the caller sees.
struct StoreComparisonStore: Sendable {
    let database: Database

    /// What one store's figures count before they become rates.
    struct Counts: Sendable {
        var code = "", name = "", district = ""
        var stores = 0
        var scanned: Int64 = 0, converted: Int64 = 0
        var receipts: Int64 = 0, revenue: Int64 = 0
        var served: Int64 = 0, noted: Int64 = 0, owed: Int64 = 0, noted15: Int64 = 0
        var couponsIssued: Int64 = 0, couponsRedeemed: Int64 = 0
        var buyers: Int64 = 0, repeat30: Int64 = 0, repeat60: Int64 = 0, repeat90: Int64 = 0
        var itemsPlanned: Int64 = 0, itemsDone: Int64 = 0

        mutating func add(_ other: Counts) {
            stores += other.stores
            scanned += other.scanned
            converted += other.converted
            receipts += other.receipts
            revenue += other.revenue
            served += other.served
            noted += other.noted
            owed += other.owed
            noted15 += other.noted15
            couponsIssued += other.couponsIssued
            couponsRedeemed += other.couponsRedeemed
            buyers += other.buyers
            repeat30 += other.repeat30
            repeat60 += other.repeat60
            repeat90 += other.repeat90
            itemsPlanned += other.itemsPlanned
            itemsDone += other.itemsDone
        }
    }

    /// The days asked, as tenant-calendar days and as the instants they span.
    struct Span: Sendable {
        var first: LocalDate, last: LocalDate
        var from: Date, to: Date
    }

    /// Each visible store's counts for the span.
    func counts(for caller: Caller, in span: Span, feedbackMinutes: Int) async throws -> [Counts] {
        let rows = try await database.query(Self.countsQuery(for: caller, in: span, feedbackMinutes: feedbackMinutes))
        var result: [Counts] = []
        for try await row in rows.decode(
            (
                String, String, String, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64,
                Int64
            ).self)
        {
            result.append(
                Counts(
                    code: row.0, name: row.1, district: row.2, stores: 1, scanned: row.3, converted: row.4, receipts: row.5, revenue: row.6,
                    served: row.7, noted: row.8, owed: row.18, noted15: row.9, couponsIssued: row.10, couponsRedeemed: row.11, buyers: row.12,
                    repeat30: row.13, repeat60: row.14, repeat90: row.15, itemsPlanned: row.16, itemsDone: row.17))
        }
        return result
    }

    static func countsQuery(for caller: Caller, in span: Span, feedbackMinutes: Int) -> PostgresQuery {
        """
        WITH s AS (
            SELECT id, code, name, district FROM stores
            WHERE tenant_id = \(caller.tenant.rawValue) AND \(visibleTo: Visibility(caller))),
        scans AS (
            SELECT v.store_id, v.member_id, min(v.scanned_at) AS first_scan
            FROM member_visits v JOIN s ON s.id = v.store_id
            WHERE v.scanned_at >= \(span.from) AND v.scanned_at < \(span.to)
            GROUP BY v.store_id, v.member_id),
        conversion AS (
            SELECT store_id, count(*) AS scanned,
                   count(*) FILTER (WHERE EXISTS (
                       SELECT 1 FROM receipts r
                       WHERE r.store_id = scans.store_id AND r.member_id = scans.member_id
                         AND r.sold_at >= scans.first_scan - interval '10 minutes' AND r.sold_at < scans.first_scan + interval '7 days'
                   )) AS converted
            FROM scans GROUP BY store_id),
        sales AS (
            SELECT r.store_id, count(*) AS receipts, COALESCE(sum(r.total_fen) FILTER (WHERE r.currency = 'CNY'), 0)::bigint AS revenue,
                   count(*) FILTER (WHERE r.member_id IS NOT NULL AND r.clerk_id IS NOT NULL) AS served,
                   count(*) FILTER (WHERE r.member_id IS NOT NULL AND r.clerk_id IS NOT NULL AND note.first_at IS NOT NULL
                                      AND note.first_at < r.sold_at + interval '1 day') AS noted,
                   count(*) FILTER (WHERE r.member_id IS NOT NULL AND r.clerk_id IS NOT NULL
                                      AND coalesce(r.feedback_minutes, \(feedbackMinutes)::integer) > 0) AS owed,
                   count(*) FILTER (WHERE r.member_id IS NOT NULL AND r.clerk_id IS NOT NULL AND note.first_at IS NOT NULL
                                      AND coalesce(r.feedback_minutes, \(feedbackMinutes)::integer) > 0
                                      AND note.first_at < r.sold_at
                                                          + make_interval(mins => coalesce(r.feedback_minutes, \(feedbackMinutes)::integer)))
                       AS noted15
            FROM receipts r JOIN s ON s.id = r.store_id
            LEFT JOIN LATERAL (
                SELECT min(n.created_at) AS first_at FROM member_notes n
                WHERE r.member_id IS NOT NULL AND n.member_id = r.member_id AND n.clerk_id = r.clerk_id
                  AND n.created_at >= r.sold_at - interval '1 hour') note ON true
            WHERE r.sold_at >= \(span.from) AND r.sold_at < \(span.to)
            GROUP BY r.store_id),
        coupons AS (
            SELECT c.store_id, count(*) AS issued, count(c.redeemed_at) AS redeemed
            FROM coupons c JOIN s ON s.id = c.store_id
            WHERE c.issued_at >= \(span.from) AND c.issued_at < \(span.to)
            GROUP BY c.store_id),
        firsts AS (
            SELECT r.store_id, r.member_id, min(r.sold_at) AS at
            FROM receipts r JOIN s ON s.id = r.store_id
            WHERE r.member_id IS NOT NULL AND r.sold_at >= \(span.from) AND r.sold_at < \(span.to)
            GROUP BY r.store_id, r.member_id),
        repeats AS (
            SELECT f.store_id, count(*) AS buyers,
                   count(*) FILTER (WHERE later.at < f.at + interval '30 days') AS r30,
                   count(*) FILTER (WHERE later.at < f.at + interval '60 days') AS r60,
                   count(*) FILTER (WHERE later.at < f.at + interval '90 days') AS r90
            FROM firsts f
            LEFT JOIN LATERAL (
                SELECT min(r.sold_at) AS at FROM receipts r WHERE r.member_id = f.member_id AND r.sold_at > f.at) later ON true
            GROUP BY f.store_id),
        planned AS (
            SELECT s.id AS store_id, p.code, p.items, greatest(p.first_day, \(span.first.description)::date) AS first_day,
                   least(p.last_day, \(span.last.description)::date) AS last_day
            FROM promotions p JOIN s ON cardinality(p.store_codes) = 0 OR s.code = ANY(p.store_codes)
            WHERE p.tenant_id = \(caller.tenant.rawValue)
              AND p.first_day <= \(span.last.description)::date AND p.last_day >= \(span.first.description)::date),
        execution AS (
            SELECT planned.store_id, sum(cardinality(planned.items)) AS planned, sum(shown.items) AS done
            FROM planned
            LEFT JOIN LATERAL (
                SELECT count(DISTINCT u.promotion_item) AS items FROM store_uploads u
                WHERE u.store_id = planned.store_id AND u.promotion_code = planned.code AND u.promotion_code <> '' AND u.promotion_item = ANY(planned.items)
                  AND u.day BETWEEN planned.first_day AND planned.last_day) shown ON true
            GROUP BY planned.store_id)
        SELECT s.code, s.name, s.district,
               COALESCE(conversion.scanned, 0), COALESCE(conversion.converted, 0),
               COALESCE(sales.receipts, 0), COALESCE(sales.revenue, 0), COALESCE(sales.served, 0), COALESCE(sales.noted, 0),
               COALESCE(sales.noted15, 0), COALESCE(coupons.issued, 0), COALESCE(coupons.redeemed, 0),
               COALESCE(repeats.buyers, 0), COALESCE(repeats.r30, 0), COALESCE(repeats.r60, 0), COALESCE(repeats.r90, 0),
               COALESCE(execution.planned, 0)::bigint, COALESCE(execution.done, 0)::bigint, COALESCE(sales.owed, 0)
        FROM s
        LEFT JOIN conversion ON conversion.store_id = s.id
        LEFT JOIN sales ON sales.store_id = s.id
        LEFT JOIN coupons ON coupons.store_id = s.id
        LEFT JOIN repeats ON repeats.store_id = s.id
        LEFT JOIN execution ON execution.store_id = s.id
        ORDER BY s.code
        """
    }
}

extension StoreComparisonStore.Counts {
    /// The figures as the API shows them, rates in basis points of their own denominators.
    func figures(key: String, name: String) -> Sales_Storesales_V1_StoreFigures {
        return .with {
            $0.key = key
            $0.name = name
            $0.district = district
            $0.stores = Int32(stores)
            $0.membersScanned = scanned
            $0.scansConverted = converted
            $0.scanConversionBp = basisPoints(converted, of: scanned)
            $0.receipts = receipts
            $0.revenue = Sales_Common_V1_Money(minorUnits: revenue, currency: "CNY")
            $0.servedReceipts = served
            $0.notedReceipts = noted
            $0.noteCompletenessBp = basisPoints(noted, of: served)
            $0.notedWithin15Minutes = noted15
            $0.feedback15MinuteBp = basisPoints(noted15, of: owed)
            $0.feedbackOwed = owed
            $0.couponsIssued = couponsIssued
            $0.couponsRedeemed = couponsRedeemed
            $0.couponRedemptionBp = basisPoints(couponsRedeemed, of: couponsIssued)
            $0.buyers = buyers
            $0.repeat30DayBp = basisPoints(repeat30, of: buyers)
            $0.repeat60DayBp = basisPoints(repeat60, of: buyers)
            $0.repeat90DayBp = basisPoints(repeat90, of: buyers)
            $0.promotionItemsPlanned = itemsPlanned
            $0.promotionItemsDone = itemsDone
            $0.promotionExecutionBp = basisPoints(itemsDone, of: itemsPlanned)
        }
    }
}
