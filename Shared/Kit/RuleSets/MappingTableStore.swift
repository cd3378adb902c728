import Foundation
import PostgresNIO
import RulesEngine
import SalesModel
import SalesProto
import SwiftProtobuf

/// A tenant's mapping tables and the operator registry built over them. The hot path (every new
/// lead compiles or reuses its rules against these) reads them from memory: a change made here
/// is seen at once, one made by another replica within the cache's few seconds.
public struct MappingTableStore: Sendable {
    let database: Database
    private let base: @Sendable ([MappingTable]) -> OperatorRegistry
    /// The tables with the registry built over them: every active rule set asks for the
    /// registry on every evaluation, so it is built once per read of the tables, not per call.
    private let recent = ExpiringCache<TenantID, (tables: [MappingTable], registry: TenantRegistry)>()

    /// `base` builds the registry of the domain's operators over a tenant's tables.
    public init(database: Database, base: @escaping @Sendable ([MappingTable]) -> OperatorRegistry) {
        self.database = database
        self.base = base
    }

    /// The operators rules of `tenant` may call, with the version of the tables they hold.
    public func registry(for tenant: TenantID) async throws -> TenantRegistry {
        try await current(tenant).registry
    }

    public func tables(for tenant: TenantID) async throws -> [MappingTable] {
        try await current(tenant).tables
    }

    private func current(_ tenant: TenantID) async throws -> (tables: [MappingTable], registry: TenantRegistry) {
        try await recent.value(for: tenant) {
            let stored = try await list(tenant: tenant)
            let tables = stored.map { table in MappingTable(name: table.name, entries: table.entries.mapValues(RuleValue.string)) }
            return (tables, TenantRegistry(registry: base(tables), version: stored.map(\.version).max() ?? 0))
        }
    }

    public func put(_ table: Sales_Common_V1_MappingTable, by caller: Caller) async throws -> Sales_Common_V1_MappingTable {
        let entries = String(decoding: try JSONEncoder().encode(table.entries), as: UTF8.self)
        try await database.query(
            """
            INSERT INTO mapping_tables (tenant_id, name, entries, version, updated_by)
            VALUES (\(caller.tenant.rawValue), \(table.name), \(entries)::jsonb, nextval('mapping_table_versions'), \(caller.userID))
            ON CONFLICT (tenant_id, name) DO UPDATE SET entries = EXCLUDED.entries, version = EXCLUDED.version,
                updated_by = EXCLUDED.updated_by, updated_at = now()
            """)
        recent.invalidate(caller.tenant)
        guard let stored = try await list(tenant: caller.tenant).first(where: { $0.name == table.name }) else {
            throw ServiceError.unavailable("the mapping table was not stored; retry")
        }
        return stored
    }

    public func list(tenant: TenantID) async throws -> [Sales_Common_V1_MappingTable] {
        let rows = try await database.query(
            "SELECT name, entries::text, version, updated_by, updated_at FROM mapping_tables WHERE tenant_id = \(tenant.rawValue) ORDER BY name")
        var tables: [Sales_Common_V1_MappingTable] = []
        for try await (name, entries, version, by, at) in rows.decode((String, String, Int64, String, Date).self) {
            tables.append(
                .with {
                    $0.name = name
                    $0.entries = (try? JSONDecoder().decode([String: String].self, from: Data(entries.utf8))) ?? [:]
                    $0.version = version
                    $0.updatedBy = by
                    $0.updatedAt = Google_Protobuf_Timestamp(date: at)
                })
        }
        return tables
    }
}

/// The operators a tenant's rules may call; `version` changes whenever the tables behind them do.
public struct TenantRegistry: Sendable {
    public let registry: OperatorRegistry
    public let version: Int64

    public init(registry: OperatorRegistry, version: Int64) {
        self.registry = registry
        self.version = version
    }
}
