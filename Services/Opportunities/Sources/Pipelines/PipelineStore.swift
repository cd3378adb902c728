import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The `pipelines` table: every saved version of each tenant's pipelines. A tenant that saved
/// none follows the built-in pipeline.
struct PipelineStore: Sendable {
    let database: Database
    let parsed = ParsedPipelines()

    /// Saves a new version (one more than the latest of that name); one default per tenant.
    func save(_ pipeline: Sales_Opportunities_V1_Pipeline, by caller: Caller, on connection: PostgresConnection) async throws
        -> Sales_Opportunities_V1_Pipeline
    {
        // Saves of one tenant's pipelines take turns, so versions never collide.
        try await connection.query(
            "SELECT pg_advisory_xact_lock(hashtext(\("pipelines:" + caller.tenant.rawValue)))", logger: database.logger)
        var latest: Int32 = 0
        for try await version in try await connection.query(
            "SELECT coalesce(max(version), 0) FROM pipelines WHERE tenant_id = \(caller.tenant.rawValue) AND name = \(pipeline.name)",
            logger: database.logger
        ).decode(Int32.self) { latest = version }
        let definition = try PipelineDefinition(pipeline, version: latest + 1)
        var saved = definition.message
        saved.savedBy = caller.userID
        saved.savedAt = Google_Protobuf_Timestamp(date: Date())
        if saved.isDefault {
            // The latest version of every other pipeline stops being the default.
            try await connection.query(
                """
                UPDATE pipelines SET is_default = false
                WHERE tenant_id = \(caller.tenant.rawValue) AND name <> \(saved.name) AND is_default
                """, logger: database.logger)
        }
        try await connection.query(
            """
            INSERT INTO pipelines (tenant_id, name, version, definition, is_default, saved_by)
            VALUES (\(caller.tenant.rawValue), \(saved.name), \(saved.version), \(try saved.jsonString()), \(saved.isDefault),
                    \(caller.userID))
            """, logger: database.logger)
        return saved
    }

    /// A version of a pipeline (`version` 0: the latest); the built-in one for its name when the
    /// tenant saved none of that name.
    func pipeline(_ name: String, version: Int32 = 0, tenant: TenantID, on connection: PostgresConnection? = nil) async throws
        -> PipelineDefinition?
    {
        let rows = try await database.query(
            """
            SELECT definition, version, saved_by, saved_at FROM pipelines
            WHERE tenant_id = \(tenant.rawValue) AND name = \(name) AND (\(version) = 0 OR version = \(version))
            ORDER BY version DESC LIMIT 1
            """, on: connection)
        for try await row in rows { return try definition(row) }
        return version == 0 ? BuiltInPipeline.unsaved(name) : nil
    }

    /// Exactly the version a deal follows: version 0 is the built-in pipeline.
    func version(_ name: String, _ version: Int32, tenant: TenantID) async throws -> PipelineDefinition? {
        guard version > 0 else { return BuiltInPipeline.unsaved(name) }
        return try await pipeline(name, version: version, tenant: tenant)
    }

    /// The pipeline a deal that names none follows: the tenant's default, else the built-in one.
    func defaultPipeline(tenant: TenantID, on connection: PostgresConnection? = nil) async throws -> PipelineDefinition {
        let rows = try await database.query(
            """
            SELECT definition, version, saved_by, saved_at FROM pipelines p
            WHERE tenant_id = \(tenant.rawValue) AND is_default
              AND version = (SELECT max(version) FROM pipelines q WHERE q.tenant_id = p.tenant_id AND q.name = p.name)
            ORDER BY saved_at DESC LIMIT 1
            """, on: connection)
        for try await row in rows { return try definition(row) }
        return BuiltInPipeline.definition
    }

    /// The latest version of each of the tenant's pipelines, by name.
    func latest(tenant: TenantID) async throws -> [Sales_Opportunities_V1_Pipeline] {
        let rows = try await database.query(
            """
            SELECT DISTINCT ON (name) definition, version, saved_by, saved_at FROM pipelines
            WHERE tenant_id = \(tenant.rawValue) ORDER BY name, version DESC
            """)
        var pipelines: [Sales_Opportunities_V1_Pipeline] = []
        for try await row in rows { pipelines.append(try definition(row).message) }
        return pipelines.isEmpty ? [BuiltInPipeline.message] : pipelines
    }

    private func definition(_ row: PostgresRow) throws -> PipelineDefinition {
        try definition(row.makeRandomAccess())
    }

    /// The pipeline in a row's `definition`, `version`, `saved_by` and `saved_at` columns (parsed
    /// once per version).
    func definition(_ row: PostgresRandomAccessRow) throws -> PipelineDefinition {
        let key = ParsedPipelines.Key(
            version: try row.decode("version"), savedBy: try row.decode("saved_by"), savedAt: try row.decode("saved_at"),
            definition: try row.decode("definition"))
        return try parsed.definition(for: key) {
            var message = try Sales_Opportunities_V1_Pipeline(jsonString: key.definition)
            message.savedBy = key.savedBy
            message.savedAt = Google_Protobuf_Timestamp(date: key.savedAt)
            return try PipelineDefinition(message, version: key.version)
        }
    }
}
