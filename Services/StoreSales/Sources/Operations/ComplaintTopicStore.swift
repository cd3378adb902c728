import Foundation
import Logging
import PostgresNIO
import SalesModel
import ServiceKit

/// The `complaint_topics` table: each chain's catalogue, as one document.
struct ComplaintTopicStore: Sendable {
    let database: Database

    func save(_ catalog: ComplaintCatalog, by caller: Caller) async throws {
        let document = String(decoding: try JSONEncoder().encode(catalog.topics), as: UTF8.self)
        _ = try await database.query(
            """
            INSERT INTO complaint_topics (tenant_id, topics, updated_by) VALUES (\(caller.tenant.rawValue), \(document)::jsonb, \(caller.userID))
            ON CONFLICT (tenant_id) DO UPDATE SET topics = EXCLUDED.topics, updated_by = EXCLUDED.updated_by, updated_at = now()
            """)
    }

    /// The chain's catalogue, or nil when it set none (the defaults apply).
    func catalog(tenant: TenantID, on connection: PostgresConnection? = nil) async throws -> ComplaintCatalog? {
        let rows = try await database.query("SELECT topics::text FROM complaint_topics WHERE tenant_id = \(tenant.rawValue)", on: connection)
        for try await document in rows.decode(String.self) {
            return ComplaintCatalog(topics: try JSONDecoder().decode([ComplaintCatalog.Topic].self, from: Data(document.utf8)))
        }
        return nil
    }
}
