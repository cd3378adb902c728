import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import SwiftProtobuf

/// Field definitions kept in the owning service's schema (the kit's `custom_field_definitions`
/// table), and the JSON form values are stored in on the record (a jsonb column).
public struct CustomFieldStore: Sendable {
    public let database: Database
    public let recordType: String
    /// Every create and update reads the definitions; they change rarely.
    private let recent = ExpiringCache<TenantID, [Sales_Common_V1_FieldDefinition]>()

    public init(database: Database, recordType: String) {
        self.database = database
        self.recordType = recordType
    }

    /// Creates or changes a definition; returns it with its new version.
    public func save(_ definition: Sales_Common_V1_FieldDefinition, tenant: TenantID) async throws -> Sales_Common_V1_FieldDefinition {
        var stored = definition
        stored.recordType = recordType
        let logger = RequestContext.logger
        defer { recent.invalidate(tenant) }  // after the commit, so no reader keeps the old list
        return try await database.transaction { connection in
            let rows = try await connection.query(
                """
                SELECT version FROM custom_field_definitions
                WHERE tenant_id = \(tenant.rawValue) AND record_type = \(recordType) AND key = \(definition.key) FOR UPDATE
                """, logger: logger)
            var version: Int32 = 0
            for try await current in rows.decode(Int32.self) { version = current }
            stored.version = version + 1
            let json = try stored.jsonString()
            try await connection.query(
                """
                INSERT INTO custom_field_definitions (tenant_id, record_type, key, definition, version)
                VALUES (\(tenant.rawValue), \(recordType), \(stored.key), \(json)::jsonb, \(stored.version))
                ON CONFLICT (tenant_id, record_type, key) DO UPDATE
                SET definition = EXCLUDED.definition, version = EXCLUDED.version, updated_at = now()
                """, logger: logger)
            return stored
        }
    }

    public func definitions(tenant: TenantID) async throws -> [Sales_Common_V1_FieldDefinition] {
        try await recent.value(for: tenant) { try await storedDefinitions(tenant: tenant) }
    }

    private func storedDefinitions(tenant: TenantID) async throws -> [Sales_Common_V1_FieldDefinition] {
        let rows = try await database.query(
            """
            SELECT definition::text FROM custom_field_definitions
            WHERE tenant_id = \(tenant.rawValue) AND record_type = \(recordType) ORDER BY key
            """)
        var result: [Sales_Common_V1_FieldDefinition] = []
        for try await json in rows.decode(String.self) {
            result.append(try Sales_Common_V1_FieldDefinition(jsonString: json, options: Self.lenient))
        }
        return result
    }

    /// Values as stored in a record's jsonb column (protobuf JSON of each FieldValue by key).
    public static func encode(_ values: [String: Sales_Common_V1_FieldValue]) throws -> String {
        // Most leads carry no custom fields; JSONSerialization costs as much for none as for a few.
        guard values.values.contains(where: { $0.kind != nil }) else { return "{}" }
        var object: [String: Any] = [:]
        for (key, value) in values where value.kind != nil {
            object[key] = try JSONSerialization.jsonObject(with: Data(value.jsonString().utf8))
        }
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    public static func decode(_ json: String) throws -> [String: Sales_Common_V1_FieldValue] {
        guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return [:] }
        var values: [String: Sales_Common_V1_FieldValue] = [:]
        for (key, raw) in object {
            let data = try JSONSerialization.data(withJSONObject: raw)
            values[key] = try Sales_Common_V1_FieldValue(jsonUTF8Data: data, options: lenient)
        }
        return values
    }

    static let lenient: JSONDecodingOptions = {
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        return options
    }()
}
