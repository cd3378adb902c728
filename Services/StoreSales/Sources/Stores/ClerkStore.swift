import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// A clerk as the service works with one: the row and where they work.
struct ClerkRow: Sendable {
    var id: UUID
    var seq: Int64
    var storeID: UUID
    var userID: String
    var name: String
    var createdAt: Date

    var message: Sales_Storesales_V1_Clerk {
        .with {
            $0.id = id.apiString
            $0.storeID = storeID.apiString
            $0.userID = userID
            $0.name = name
            $0.createdAt = Google_Protobuf_Timestamp(date: createdAt)
        }
    }
}

/// The `clerks` table.
struct ClerkStore: Sendable {
    let database: Database

    private static let columns = "id, seq, store_id, user_id, name, created_at"

    /// Puts `userID` to work in the store; a clerk of another store of the tenant moves here.
    func put(userID: String, name: String, store: UUID, tenant: TenantID, on connection: PostgresConnection, logger: Logger)
        async throws -> ClerkRow
    {
        let rows = try await connection.query(
            """
            INSERT INTO clerks (id, tenant_id, store_id, user_id, name) VALUES (\(UUID.random()), \(tenant.rawValue), \(store), \(userID), \(name))
            ON CONFLICT (tenant_id, user_id) DO UPDATE SET store_id = EXCLUDED.store_id, name = EXCLUDED.name
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        guard let row = try await Self.decode(rows).first else { throw ServiceError.unavailable("the clerk was not stored; retry") }
        return row
    }

    func inStore(_ store: UUID) async throws -> [ClerkRow] {
        try await Self.decode(
            try await database.query("SELECT \(unescaped: Self.columns) FROM clerks WHERE store_id = \(store) ORDER BY name, seq"))
    }

    /// The clerk signed in as `userID`, or nil for a user who is no clerk.
    func byUser(_ userID: String, tenant: TenantID, on connection: PostgresConnection? = nil) async throws -> ClerkRow? {
        try await Self.decode(
            try await database.query(
                "SELECT \(unescaped: Self.columns) FROM clerks WHERE tenant_id = \(tenant.rawValue) AND user_id = \(userID)", on: connection)
        ).first
    }

    /// The clerks signed in as `userIDs`, by user id.
    func byUsers(_ userIDs: [String], tenant: TenantID, on connection: PostgresConnection) async throws -> [String: ClerkRow] {
        guard !userIDs.isEmpty else { return [:] }
        let rows = try await database.query(
            "SELECT \(unescaped: Self.columns) FROM clerks WHERE tenant_id = \(tenant.rawValue) AND user_id = ANY(\(userIDs))", on: connection)
        return Dictionary(try await Self.decode(rows).map { ($0.userID, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The clerk with the sequence number a clerk code carries, within the tenant.
    func bySeq(_ seq: Int64, tenant: TenantID) async throws -> ClerkRow? {
        try await Self.decode(
            try await database.query("SELECT \(unescaped: Self.columns) FROM clerks WHERE seq = \(seq) AND tenant_id = \(tenant.rawValue)")
        ).first
    }

    private static func decode(_ rows: PostgresRowSequence) async throws -> [ClerkRow] {
        var result: [ClerkRow] = []
        for try await (id, seq, store, user, name, created) in rows.decode((UUID, Int64, UUID, String, String, Date).self) {
            result.append(ClerkRow(id: id, seq: seq, storeID: store, userID: user, name: name, createdAt: created))
        }
        return result
    }
}
