import Foundation
import Logging
import PostgresNIO
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// A new product's distribution plan, checked.
struct LaunchPlan: Sendable {
    var sku: String
    var firstDay: LocalDate
    var dueDay: LocalDate
    /// Empty: every store.
    var storeCodes: [String]
    var name = ""

    init(sku: String, firstDay: LocalDate, dueDay: LocalDate, storeCodes: [String], name: String) {
        (self.sku, self.firstDay, self.dueDay, self.storeCodes, self.name) = (sku, firstDay, dueDay, storeCodes, name)
    }

    init(_ input: Sales_Storesales_V1_ProductLaunch) throws(ServiceError) {
        sku = try Require.text(input.sku, field: "sku", maxLength: 64)
        firstDay = try Require.day(input.firstDay, field: "first_day")
        dueDay = try Require.day(input.dueDay, field: "due_day")
        guard firstDay <= dueDay, dueDay.daysSinceEpoch - firstDay.daysSinceEpoch < 366 else {
            throw .invalidArgument(field: "due_day", rule: "must be on or after first_day, at most 366 days later")
        }
        storeCodes = try PromotionPlan.storeCodes(input.storeCodes)
    }

    func includes(store code: String) -> Bool { storeCodes.isEmpty || storeCodes.contains(code) }

    var message: Sales_Storesales_V1_ProductLaunch {
        .with {
            $0.sku = sku
            $0.firstDay = firstDay.description
            $0.dueDay = dueDay.description
            $0.storeCodes = storeCodes
            $0.name = name
        }
    }
}

/// The `product_launches` table: each chain's new products on their way to the shelves.
struct LaunchStore: Sendable {
    let database: Database

    /// The plan as saved, with the catalogue's name; nil when the catalogue has no such SKU.
    func save(_ plan: LaunchPlan, by caller: Caller) async throws -> LaunchPlan? {
        let rows = try await database.query(
            """
            WITH product AS (SELECT tenant_id, sku, name FROM products WHERE tenant_id = \(caller.tenant.rawValue) AND sku = \(plan.sku)),
            saved AS (
                INSERT INTO product_launches (tenant_id, sku, first_day, due_day, store_codes, updated_by)
                SELECT tenant_id, sku, \(plan.firstDay.description)::date, \(plan.dueDay.description)::date, \(plan.storeCodes), \(caller.userID)
                FROM product
                ON CONFLICT (tenant_id, sku) DO UPDATE SET
                    first_day = EXCLUDED.first_day, due_day = EXCLUDED.due_day, store_codes = EXCLUDED.store_codes,
                    updated_by = EXCLUDED.updated_by, updated_at = now()
                RETURNING sku)
            SELECT product.name FROM product JOIN saved USING (sku)
            """)
        for try await name in rows.decode(String.self) {
            var saved = plan
            saved.name = name
            return saved
        }
        return nil
    }

    /// The launches started by `day` (all when nil), newest first.
    func all(tenant: TenantID, startedBy day: LocalDate? = nil) async throws -> [LaunchPlan] {
        let rows = try await database.query(
            """
            SELECT l.sku, l.first_day::text, l.due_day::text, l.store_codes, p.name
            FROM product_launches l JOIN products p ON p.tenant_id = l.tenant_id AND p.sku = l.sku
            WHERE l.tenant_id = \(tenant.rawValue) AND (\(day?.description)::date IS NULL OR l.first_day <= \(day?.description)::date)
            ORDER BY l.first_day DESC, l.sku
            """)
        var plans: [LaunchPlan] = []
        for try await (sku, first, due, stores, name) in rows.decode((String, String, String, [String], String).self) {
            guard let firstDay = LocalDate(first), let dueDay = LocalDate(due) else { continue }
            plans.append(LaunchPlan(sku: sku, firstDay: firstDay, dueDay: dueDay, storeCodes: stores, name: name))
        }
        return plans
    }
}
