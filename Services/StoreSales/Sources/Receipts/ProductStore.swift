import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit

/// A product file's row, checked.
struct CheckedProduct: Sendable {
    var sku: String
    var name: String
    var category: String
    var price: Money?

    init(_ row: Sales_Storesales_V1_ProductRow) throws(ServiceError) {
        sku = try Require.text(row.sku, field: "sku", maxLength: 64)
        name = try Require.text(row.name, field: "name", maxLength: 200)
        category = try Require.optionalText(row.category, field: "category", maxLength: 50)
        if row.hasPrice { price = try row.price.validated(field: "price", allowZero: true) }
    }
}

/// The `products` table: the chain's catalogue, keyed by SKU.
struct ProductStore: Sendable {
    let database: Database

    func upsert(_ product: CheckedProduct, tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws -> MemberStore.Upserted {
        let rows = try await connection.query(
            """
            INSERT INTO products AS p (tenant_id, sku, name, category, price_fen, currency)
            VALUES (\(tenant.rawValue), \(product.sku), \(product.name), \(product.category), \(product.price?.minorUnits),
                    \(product.price?.currency.code ?? "CNY"))
            ON CONFLICT (tenant_id, sku) DO UPDATE SET
                name = EXCLUDED.name, category = EXCLUDED.category, price_fen = EXCLUDED.price_fen, currency = EXCLUDED.currency,
                updated_at = now()
            WHERE (p.name, p.category, p.price_fen, p.currency) IS DISTINCT FROM
                  (EXCLUDED.name, EXCLUDED.category, EXCLUDED.price_fen, EXCLUDED.currency)
            RETURNING xmax = 0
            """, logger: logger)
        for try await inserted in rows.decode(Bool.self) { return inserted ? .created : .updated }
        return .unchanged
    }

    /// Which of `skus` the catalogue lacks.
    func missing(_ skus: Set<String>, tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws -> Set<String> {
        skus.subtracting(try await categories(of: skus, tenant: tenant, on: connection, logger: logger).keys)
    }

    /// The category of each of `skus` the catalogue has ('' when it has none). One probe of the
    /// catalogue's key a SKU, as for members (`ReceiptStore.memberIDsQuery`): receipts often
    /// follow a product file before the statistics have seen it.
    func categories(of skus: Set<String>, tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws -> [String: String] {
        let rows = try await connection.query(
            """
            SELECT k.sku, p.category FROM unnest(\(Array(skus))) AS k (sku)
            CROSS JOIN LATERAL (SELECT category FROM products WHERE tenant_id = \(tenant.rawValue) AND sku = k.sku LIMIT 1) p
            """, logger: logger)
        var categories: [String: String] = [:]
        for try await (sku, category) in rows.decode((String, String).self) { categories[sku] = category }
        return categories
    }
}
