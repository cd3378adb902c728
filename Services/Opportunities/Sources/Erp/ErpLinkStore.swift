import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The `erp_links` table: how far each tenant's ERP payments were read, and how the last sync ended.
struct ErpLinkStore: Sendable {
    let database: Database

    /// The tenant's cursor, its row locked for the rest of the transaction: two syncs at once
    /// take turns, and the second reads on from where the first stopped.
    func lockedCursor(tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws -> String {
        try await connection.query(
            "INSERT INTO erp_links (tenant_id) VALUES (\(tenant.rawValue)) ON CONFLICT (tenant_id) DO NOTHING", logger: logger)
        let rows = try await connection.query(
            "SELECT cursor FROM erp_links WHERE tenant_id = \(tenant.rawValue) FOR UPDATE", logger: logger)
        for try await cursor in rows.decode(String.self) { return cursor }
        return ""
    }

    func advance(tenant: TenantID, cursor: String, recorded: Int, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            UPDATE erp_links SET cursor = \(cursor), payments_recorded = payments_recorded + \(recorded)
            WHERE tenant_id = \(tenant.rawValue)
            """, logger: logger)
    }

    /// How the last sync ended: empty when it went through.
    func finished(tenant: TenantID, error: String) async throws {
        try await database.query(
            """
            INSERT INTO erp_links (tenant_id, read_at, last_error) VALUES (\(tenant.rawValue), now(), \(error))
            ON CONFLICT (tenant_id) DO UPDATE SET read_at = now(), last_error = EXCLUDED.last_error
            """)
    }

    func find(tenant: TenantID) async throws -> Sales_Opportunities_V1_ErpLink {
        let rows = try await database.query(
            "SELECT cursor, read_at, payments_recorded, last_error FROM erp_links WHERE tenant_id = \(tenant.rawValue)")
        for try await (cursor, readAt, recorded, error) in rows.decode((String, Date?, Int64, String).self) {
            return .with {
                $0.cursor = cursor
                if let readAt { $0.readAt = Google_Protobuf_Timestamp(date: readAt) }
                $0.paymentsRecorded = recorded
                $0.lastError = error
            }
        }
        return .init()
    }

    /// The tenants whose ERP has been read or written before.
    func tenants() async throws -> [TenantID] {
        var tenants: [TenantID] = []
        for try await tenant in try await database.query("SELECT tenant_id FROM erp_links").decode(String.self) {
            if let id = TenantID(tenant) { tenants.append(id) }
        }
        return tenants
    }
}
