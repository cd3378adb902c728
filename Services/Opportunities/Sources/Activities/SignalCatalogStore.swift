import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The `signal_types` table: the behaviour signals a tenant added to the built-in twelve.
struct SignalCatalogStore: Sendable {
    let database: Database

    /// The built-in signals, then the tenant's, by key.
    func catalog(tenant: TenantID, on connection: PostgresConnection? = nil) async throws -> [Sales_Opportunities_V1_SignalType] {
        let rows = try await database.query(
            "SELECT key, label, description, created_by FROM signal_types WHERE tenant_id = \(tenant.rawValue) ORDER BY key",
            on: connection)
        var catalog = ActivityKinds.builtInSignals
        for try await (key, label, description, createdBy) in rows.decode((String, String, String, String).self) {
            catalog.append(
                .with {
                    $0.key = key
                    $0.label = label
                    $0.description_p = description
                    $0.definedBy = createdBy
                })
        }
        return catalog
    }

    /// Adds a signal, or changes the label and description of one the tenant added.
    func define(_ signal: Sales_Opportunities_V1_SignalType, by caller: Caller, on connection: PostgresConnection) async throws
        -> Sales_Opportunities_V1_SignalType
    {
        try await connection.query(
            """
            INSERT INTO signal_types (tenant_id, key, label, description, created_by)
            VALUES (\(caller.tenant.rawValue), \(signal.key), \(signal.label), \(signal.description_p), \(caller.userID))
            ON CONFLICT (tenant_id, key) DO UPDATE SET label = EXCLUDED.label, description = EXCLUDED.description
            """, logger: database.logger)
        var defined = signal
        defined.definedBy = caller.userID
        return defined
    }
}
