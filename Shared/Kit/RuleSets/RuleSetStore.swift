import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import SwiftProtobuf

/// Versions of a tenant's rule sets in the owning service's schema. Versions are never edited:
/// a change is a new version; activating an earlier one is the roll-back.
public struct RuleSetStore: Sendable {
    public let database: Database
    /// Every new lead asks which version of its rule sets is active; that changes rarely.
    private let activeVersions = ExpiringCache<String, Int32?>()

    public init(database: Database) {
        self.database = database
    }

    public func save(
        name: String, rules: [Sales_Common_V1_RuleDefinition], comment: String, activate: Bool, by caller: Caller
    ) async throws -> Sales_Common_V1_RuleSetVersion {
        let logger = RequestContext.logger
        let tenant = caller.tenant.rawValue
        let rulesJSON = try Self.encode(rules)
        defer { activeVersions.invalidate("\(tenant)/\(name)") }  // after the commit
        return try await database.transaction { connection in
            // Serialises saves of one set so version numbers stay dense.
            try await connection.query(
                "INSERT INTO rule_sets (tenant_id, name) VALUES (\(tenant), \(name)) ON CONFLICT DO NOTHING", logger: logger)
            try await connection.query(
                "SELECT 1 FROM rule_sets WHERE tenant_id = \(tenant) AND name = \(name) FOR UPDATE", logger: logger)
            let rows = try await connection.query(
                "SELECT coalesce(max(version), 0) FROM rule_set_versions WHERE tenant_id = \(tenant) AND name = \(name)",
                logger: logger)
            var version: Int32 = 1
            for try await latest in rows.decode(Int32.self) { version = latest + 1 }
            try await connection.query(
                """
                INSERT INTO rule_set_versions (tenant_id, name, version, rules, author, comment)
                VALUES (\(tenant), \(name), \(version), \(rulesJSON)::jsonb, \(caller.userID), \(comment))
                """, logger: logger)
            if activate {
                try await setActive(name: name, version: version, by: caller, on: connection, logger: logger)
            }
            guard let saved = try await versions(name: name, tenant: caller.tenant, only: version, on: connection).first else {
                throw ServiceError.unavailable("the rule set was not stored; retry")
            }
            return saved
        }
    }

    public func activate(name: String, version: Int32, by caller: Caller) async throws -> Sales_Common_V1_RuleSetVersion {
        let logger = RequestContext.logger
        defer { activeVersions.invalidate("\(caller.tenant.rawValue)/\(name)") }  // after the commit
        return try await database.transaction { connection in
            guard let target = try await versions(name: name, tenant: caller.tenant, only: version, on: connection).first else {
                throw ServiceError.notFound(kind: "rule set version", id: "\(name) v\(version)")
            }
            try await setActive(name: name, version: version, by: caller, on: connection, logger: logger)
            var active = target
            active.active = true
            return active
        }
    }

    /// Newest first; `only` picks one version.
    public func versions(
        name: String, tenant: TenantID, only: Int32? = nil, on connection: PostgresConnection? = nil
    ) async throws -> [Sales_Common_V1_RuleSetVersion] {
        let query: PostgresQuery = """
            SELECT v.version, v.rules::text, v.author, v.comment, v.created_at, s.active_version IS NOT DISTINCT FROM v.version
            FROM rule_set_versions v JOIN rule_sets s ON s.tenant_id = v.tenant_id AND s.name = v.name
            WHERE v.tenant_id = \(tenant.rawValue) AND v.name = \(name) AND (\(only)::integer IS NULL OR v.version = \(only))
            ORDER BY v.version DESC
            """
        let rows = try await database.query(query, on: connection)
        var result: [Sales_Common_V1_RuleSetVersion] = []
        for try await (version, rules, author, comment, created, active) in rows.decode((Int32, String, String, String, Date, Bool).self) {
            result.append(
                .with {
                    $0.name = name
                    $0.version = version
                    $0.rules = (try? Self.decode(rules)) ?? []
                    $0.author = author
                    $0.comment = comment
                    $0.createdAt = Google_Protobuf_Timestamp(date: created)
                    $0.active = active
                })
        }
        return result
    }

    /// The active version's number, without its rules: one small read for the hot path.
    /// The tenants with a version of `name` active, in order (for jobs that run per tenant).
    public func tenantsWithActive(_ name: String) async throws -> [TenantID] {
        let rows = try await database.query(
            "SELECT tenant_id FROM rule_sets WHERE name = \(name) AND active_version IS NOT NULL ORDER BY tenant_id")
        var tenants: [TenantID] = []
        for try await raw in rows.decode(String.self) { if let tenant = TenantID(raw) { tenants.append(tenant) } }
        return tenants
    }

    public func activeVersionNumber(name: String, tenant: TenantID) async throws -> Int32? {
        try await activeVersions.value(for: "\(tenant.rawValue)/\(name)") {
            let rows = try await database.query(
                "SELECT active_version FROM rule_sets WHERE tenant_id = \(tenant.rawValue) AND name = \(name)")
            for try await version in rows.decode(Int32?.self) { return version }
            return nil
        }
    }

    /// The active version, or nil when none has been activated.
    public func active(name: String, tenant: TenantID) async throws -> Sales_Common_V1_RuleSetVersion? {
        try await versions(name: name, tenant: tenant).first(where: \.active)
    }

    private func setActive(name: String, version: Int32, by caller: Caller, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            UPDATE rule_sets SET active_version = \(version), activated_by = \(caller.userID), activated_at = now()
            WHERE tenant_id = \(caller.tenant.rawValue) AND name = \(name)
            """, logger: logger)
    }

    static func encode(_ rules: [Sales_Common_V1_RuleDefinition]) throws -> String {
        let list = Sales_Common_V1_CheckRuleSetRequest.with { $0.rules = rules }
        return try list.jsonString()
    }

    static func decode(_ json: String) throws -> [Sales_Common_V1_RuleDefinition] {
        try Sales_Common_V1_CheckRuleSetRequest(jsonString: json).rules
    }
}
