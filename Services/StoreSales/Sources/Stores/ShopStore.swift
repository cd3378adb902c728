import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The `stores` table: the chain's shops (named so, not "StoreStore").
struct ShopStore: Sendable {
    let database: Database

    private static let columns = "id, seq, code, name, city, latitude, longitude, owner_id, org_path, created_at, district, region"

    func insert(_ new: NewStore, by caller: Caller, on connection: PostgresConnection, logger: Logger) async throws -> StoreRow {
        do {
            let rows = try await connection.query(
                """
                INSERT INTO stores (id, tenant_id, code, name, city, latitude, longitude, owner_id, org_path, district, region)
                VALUES (\(UUID.random()), \(caller.tenant.rawValue), \(new.code), \(new.name), \(new.city), \(new.location?.latitude),
                        \(new.location?.longitude), \(caller.userID), \(caller.orgPath), \(new.district), \(new.region))
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)
            guard let row = try await Self.decode(rows).first else { throw ServiceError.unavailable("the store was not stored; retry") }
            return row
        } catch let error as PSQLError where error.isUniqueViolation {
            throw ServiceError.alreadyExists("a store with code \(new.code) already exists")
        }
    }

    func list(for caller: Caller, city: String, page: Page) async throws -> [StoreRow] {
        let rows = try await database.query(
            """
            SELECT \(unescaped: Self.columns) FROM stores
            WHERE tenant_id = \(caller.tenant.rawValue) AND seq < \(page.before)
              AND (\(city) = '' OR city = \(city)) AND \(visibleTo: Visibility(caller))
            ORDER BY seq DESC LIMIT \(page.fetchLimit)
            """)
        return try await Self.decode(rows)
    }

    func overview(for caller: Caller) async throws -> Sales_Storesales_V1_StoresOverview {
        let rows = try await database.query(
            """
            SELECT city, count(*) FROM stores
            WHERE tenant_id = \(caller.tenant.rawValue) AND \(visibleTo: Visibility(caller))
            GROUP BY city ORDER BY count(*) DESC, city
            """)
        var overview = Sales_Storesales_V1_StoresOverview()
        for try await (city, count) in rows.decode((String, Int64).self) {
            overview.stores += count
            overview.byCity.append(
                .with {
                    $0.city = city; $0.stores = count
                })
        }
        return overview
    }

    /// The store as `caller` may run it (its manager, a manager over it, an admin), or nil.
    func managed(_ id: UUID, by caller: Caller) async throws -> StoreRow? {
        let rows = try await database.query(
            """
            SELECT \(unescaped: Self.columns) FROM stores
            WHERE id = \(id) AND tenant_id = \(caller.tenant.rawValue) AND \(visibleTo: Visibility(caller))
            """)
        return try await Self.decode(rows).first
    }

    /// The store with `code` in the tenant, or nil.
    func withCode(_ code: String, tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws -> StoreRow? {
        let rows = try await connection.query(
            "SELECT \(unescaped: Self.columns) FROM stores WHERE tenant_id = \(tenant.rawValue) AND code = \(code.uppercased())",
            logger: logger)
        return try await Self.decode(rows).first
    }

    /// The code of a store the caller already holds an id of (a clerk's).
    func code(of id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> String {
        for try await code in try await connection.query("SELECT code FROM stores WHERE id = \(id)", logger: logger).decode(String.self) {
            return code
        }
        throw ServiceError.unavailable("the store was not found; retry")
    }

    private static func decode(_ rows: PostgresRowSequence) async throws -> [StoreRow] {
        var result: [StoreRow] = []
        for try await (id, seq, code, name, city, latitude, longitude, owner, orgPath, created, district, region)
            in rows.decode((UUID, Int64, String, String, String, Double?, Double?, String, String, Date, String, String).self)
        {
            result.append(
                StoreRow(
                    seq: seq,
                    message: .with {
                        $0.id = id.apiString
                        $0.code = code
                        $0.name = name
                        $0.city = city
                        if let latitude, let longitude {
                            $0.location = .with {
                                $0.latitude = latitude; $0.longitude = longitude
                            }
                        }
                        $0.managerID = owner
                        $0.orgPath = orgPath
                        $0.createdAt = Google_Protobuf_Timestamp(date: created)
                        $0.district = district
                        $0.region = region
                    }))
        }
        return result
    }
}
