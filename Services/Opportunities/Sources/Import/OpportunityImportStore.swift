import Foundation
import Logging
import PostgresNIO
import SalesModel
import ServiceKit

/// The `opportunity_imports` table: which deal each external id became.
struct OpportunityImportStore: Sendable {
    let database: Database

    func deal(importedAs externalID: String, tenant: TenantID, on connection: PostgresConnection) async throws -> UUID? {
        let rows = try await database.query(
            "SELECT opportunity_id FROM opportunity_imports WHERE tenant_id = \(tenant.rawValue) AND external_id = \(externalID)",
            on: connection)
        for try await id in rows.decode(UUID.self) { return id }
        return nil
    }

    func record(
        _ externalID: String, deal: UUID, source: String, by caller: Caller, on connection: PostgresConnection, logger: Logger
    ) async throws {
        do {
            try await connection.query(
                """
                INSERT INTO opportunity_imports (tenant_id, external_id, opportunity_id, source, imported_by)
                VALUES (\(caller.tenant.rawValue), \(externalID), \(deal), \(source), \(caller.userID))
                """, logger: logger)
        } catch let error as PSQLError where error.isUniqueViolation {
            throw ServiceError.unavailable("\(externalID) was being imported at the same time; retry to get the deal it became")
        }
    }
}
