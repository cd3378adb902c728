import Foundation
import Logging
import PostgresNIO
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit

/// The `promotions` table: each chain's promotions by code.
struct PromotionStore: Sendable {
    let database: Database

    private static let columns = """
        code, name, first_day::text, last_day::text, discount_kind, threshold_fen, amount_off_fen, percent_off_bp, fixed_price_fen,
        currency, store_codes, items
        """

    func save(_ plan: PromotionPlan, by caller: Caller) async throws {
        var (threshold, off, basisPoints, price): (Int64, Int64, Int32, Int64) = (0, 0, 0, 0)
        let kind: Sales_Storesales_V1_DiscountKind
        switch plan.rule {
        case .threshold(let limit, let amount): (kind, threshold, off) = (.threshold, limit, amount)
        case .percentOff(let points): (kind, basisPoints) = (.percentOff, points)
        case .fixedPrice(let fixed): (kind, price) = (.fixedPrice, fixed)
        }
        _ = try await database.query(
            """
            INSERT INTO promotions (tenant_id, code, name, first_day, last_day, discount_kind, threshold_fen, amount_off_fen, percent_off_bp,
                                    fixed_price_fen, currency, store_codes, items, updated_by)
            VALUES (\(caller.tenant.rawValue), \(plan.code), \(plan.name), \(plan.firstDay.description)::date, \(plan.lastDay.description)::date,
                    \(Int16(kind.rawValue)), \(threshold), \(off), \(basisPoints), \(price), \(plan.currency?.code ?? ""), \(plan.storeCodes),
                    \(plan.items), \(caller.userID))
            ON CONFLICT (tenant_id, code) DO UPDATE SET
                name = EXCLUDED.name, first_day = EXCLUDED.first_day, last_day = EXCLUDED.last_day, discount_kind = EXCLUDED.discount_kind,
                threshold_fen = EXCLUDED.threshold_fen, amount_off_fen = EXCLUDED.amount_off_fen, percent_off_bp = EXCLUDED.percent_off_bp,
                fixed_price_fen = EXCLUDED.fixed_price_fen, currency = EXCLUDED.currency, store_codes = EXCLUDED.store_codes,
                items = EXCLUDED.items, updated_by = EXCLUDED.updated_by, updated_at = now()
            """)
    }

    func all(tenant: TenantID) async throws -> [PromotionPlan] {
        try await Self.decode(
            database.query("SELECT \(unescaped: Self.columns) FROM promotions WHERE tenant_id = \(tenant.rawValue) ORDER BY first_day DESC, code"))
    }

    func find(_ code: String, tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws -> PromotionPlan? {
        try await Self.decode(
            connection.query(
                "SELECT \(unescaped: Self.columns) FROM promotions WHERE tenant_id = \(tenant.rawValue) AND code = \(code)", logger: logger)
        ).first
    }

    /// The promotions running on `day`.
    func running(tenant: TenantID, on day: LocalDate) async throws -> [PromotionPlan] {
        try await Self.decode(
            database.query(
                """
                SELECT \(unescaped: Self.columns) FROM promotions
                WHERE tenant_id = \(tenant.rawValue) AND \(day.description)::date BETWEEN first_day AND last_day
                ORDER BY code
                """))
    }

    private static func decode(_ rows: PostgresRowSequence) async throws -> [PromotionPlan] {
        var plans: [PromotionPlan] = []
        for try await (code, name, first, last, kind, threshold, off, basisPoints, price, currency, stores, items) in rows.decode(
            (String, String, String, String, Int16, Int64, Int64, Int32, Int64, String, [String], [String]).self)
        {
            guard let firstDay = LocalDate(first), let lastDay = LocalDate(last) else { continue }
            let rule: DiscountRule =
                switch Sales_Storesales_V1_DiscountKind(rawValue: Int(kind)) {
                case .threshold: .threshold(threshold: threshold, off: off)
                case .fixedPrice: .fixedPrice(price)
                default: .percentOff(basisPoints: basisPoints)
                }
            plans.append(
                PromotionPlan(
                    code: code, name: name, firstDay: firstDay, lastDay: lastDay, rule: rule, currency: Currency(currency), storeCodes: stores,
                    items: items))
        }
        return plans
    }
}
