import Foundation
import PostgresNIO
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// A day of store operations as head office reads it: uploads, promotion execution, launches
/// reaching the shelves, repeated complaints. Reads only; the stores are those the caller sees.
struct OperationsBoardStore: Sendable {
    let database: Database

    struct StoreDay: Sendable {
        var code: String, name: String, district: String
        var shelfPhotos = 0, consultations = 0, orders = 0, mismatches = 0
    }

    /// What a store showed of a promotion from its first day to the board's day.
    struct Execution: Sendable {
        var items: Set<String> = []
        var orders = 0, mismatches = 0
    }

    /// Each visible store with its uploads of `day`.
    func uploads(for caller: Caller, on day: LocalDate) async throws -> [StoreDay] {
        let rows = try await database.query(Self.uploadsQuery(for: caller, on: day))
        var stores: [StoreDay] = []
        for try await (code, name, district, shelf, consultations, orders, mismatches) in rows.decode(
            (String, String, String, Int64, Int64, Int64, Int64).self)
        {
            stores.append(
                StoreDay(
                    code: code, name: name, district: district, shelfPhotos: Int(shelf), consultations: Int(consultations),
                    orders: Int(orders), mismatches: Int(mismatches)))
        }
        return stores
    }

    /// Per visible store and promotion running on `day`: the execution items its shelf photos
    /// showed and its group-buy orders, from the promotion's first day through `day`.
    func executions(for caller: Caller, through day: LocalDate) async throws -> [String: [String: Execution]] {
        let rows = try await database.query(Self.executionsQuery(for: caller, through: day))
        var executions: [String: [String: Execution]] = [:]
        for try await (store, promotion, items, orders, mismatches) in rows.decode((String, String, [String], Int64, Int64).self) {
            executions[store, default: [:]][promotion] = Execution(items: Set(items), orders: Int(orders), mismatches: Int(mismatches))
        }
        return executions
    }

    /// The (SKU, store code) pairs where a launch started by `day` reached the shelf by `day`: a
    /// shelf photo showing it, or a sale of it, since its first day (midnight in `zone`).
    func launchesReached(for caller: Caller, by day: LocalDate, zone: TimeZone) async throws -> Set<[String]> {
        let rows = try await database.query(Self.launchesReachedQuery(for: caller, by: day, zone: zone))
        var reached: Set<[String]> = []
        for try await (sku, store) in rows.decode((String, String).self) { reached.insert([sku, store]) }
        return reached
    }

    /// Scenario candidates at visible stores whose run touched the 30 days up to `day`.
    func candidates(for caller: Caller, upTo day: LocalDate) async throws -> [Sales_Storesales_V1_ScenarioCandidate] {
        let rows = try await database.query(Self.candidatesQuery(for: caller, upTo: day))
        var candidates: [Sales_Storesales_V1_ScenarioCandidate] = []
        for try await (store, topic, scenario, first, last, days) in rows.decode((String, String, String, String, String, Int32).self) {
            candidates.append(
                .with {
                    $0.storeCode = store
                    $0.topic = topic
                    $0.scenario = scenario
                    $0.firstDay = first
                    $0.lastDay = last
                    $0.days = days
                })
        }
        return candidates
    }

    static func uploadsQuery(for caller: Caller, on day: LocalDate) -> PostgresQuery {
        """
        WITH s AS (\(storesVisibleTo: caller))
        SELECT s.code, s.name, s.district,
               count(u.id) FILTER (WHERE u.kind = \(Int16(Sales_Storesales_V1_UploadKind.shelfPhoto.rawValue))),
               count(u.id) FILTER (WHERE u.kind = \(Int16(Sales_Storesales_V1_UploadKind.consultation.rawValue))),
               count(u.id) FILTER (WHERE u.kind = \(Int16(Sales_Storesales_V1_UploadKind.groupBuy.rawValue))),
               count(u.id) FILTER (WHERE u.discount_matches = false)
        FROM s LEFT JOIN store_uploads u ON u.store_id = s.id AND u.day = \(day.description)::date
        GROUP BY s.id, s.code, s.name, s.district ORDER BY s.code
        """
    }

    static func executionsQuery(for caller: Caller, through day: LocalDate) -> PostgresQuery {
        """
        WITH s AS (\(storesVisibleTo: caller))
        SELECT s.code, p.code,
               coalesce(array_agg(DISTINCT u.promotion_item) FILTER (
                   WHERE u.kind = \(Int16(Sales_Storesales_V1_UploadKind.shelfPhoto.rawValue)) AND u.promotion_item = ANY(p.items)), '{}'),
               count(*) FILTER (WHERE u.kind = \(Int16(Sales_Storesales_V1_UploadKind.groupBuy.rawValue))),
               count(*) FILTER (WHERE u.discount_matches = false)
        FROM promotions p
        JOIN store_uploads u ON u.tenant_id = p.tenant_id AND u.promotion_code = p.code AND u.promotion_code <> ''
                            AND u.day BETWEEN p.first_day AND least(p.last_day, \(day.description)::date)
        JOIN s ON s.id = u.store_id
        WHERE p.tenant_id = \(caller.tenant.rawValue) AND p.first_day <= \(day.description)::date AND p.last_day >= \(day.description)::date
        GROUP BY s.code, p.code
        """
    }

    static func launchesReachedQuery(for caller: Caller, by day: LocalDate, zone: TimeZone) -> PostgresQuery {
        """
        WITH s AS (\(storesVisibleTo: caller))
        SELECT l.sku, s.code
        FROM product_launches l JOIN s ON cardinality(l.store_codes) = 0 OR s.code = ANY(l.store_codes)
        WHERE l.tenant_id = \(caller.tenant.rawValue) AND l.first_day <= \(day.description)::date
          AND (EXISTS (
                   SELECT 1 FROM store_uploads u
                   WHERE u.store_id = s.id AND u.sku = l.sku AND u.day BETWEEN l.first_day AND \(day.description)::date)
               OR EXISTS (
                   SELECT 1 FROM receipt_items i JOIN receipts r ON r.id = i.receipt_id
                   WHERE i.sku = l.sku AND r.store_id = s.id
                     AND r.sold_at >= (l.first_day::timestamp AT TIME ZONE \(zone.identifier))
                     AND r.sold_at < ((\(day.description)::date + 1)::timestamp AT TIME ZONE \(zone.identifier))))
        """
    }

    static func candidatesQuery(for caller: Caller, upTo day: LocalDate) -> PostgresQuery {
        """
        WITH s AS (\(storesVisibleTo: caller))
        SELECT s.code, c.topic, c.scenario, c.first_day::text, c.last_day::text, c.last_day - c.first_day + 1
        FROM scenario_candidates c JOIN s ON s.id = c.store_id
        WHERE c.tenant_id = \(caller.tenant.rawValue) AND c.first_day <= \(day.description)::date
          AND c.last_day >= \(day.description)::date - 29
        ORDER BY c.last_day DESC, s.code, c.topic
        """
    }
}

extension PostgresQuery.StringInterpolation {
    /// `WITH s AS (\(storesVisibleTo: caller))`: the stores the caller runs or oversees.
    fileprivate mutating func appendInterpolation(storesVisibleTo caller: Caller) {
        appendLiteral("SELECT id, code, name, district FROM stores WHERE tenant_id = ")
        appendInterpolation(caller.tenant.rawValue)
        appendLiteral(" AND ")
        appendInterpolation(visibleTo: Visibility(caller))
    }
}
