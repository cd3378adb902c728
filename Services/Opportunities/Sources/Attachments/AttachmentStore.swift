import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The `attachments` table: what was uploaded for which deal; the content is in the blob store.
struct AttachmentStore: Sendable {
    let database: Database

    static let scheme = "attachment:"

    func insert(
        _ attachment: Sales_Opportunities_V1_Attachment, deal: UUID, by caller: Caller, on connection: PostgresConnection, logger: Logger
    ) async throws -> Sales_Opportunities_V1_Attachment {
        let id = UUID.random()
        try await connection.query(
            """
            INSERT INTO attachments (id, tenant_id, opportunity_id, name, kind, sha256, size_bytes, content_type, captured_at,
                                     latitude, longitude, uploaded_by)
            VALUES (\(id), \(caller.tenant.rawValue), \(deal), \(attachment.name), \(attachment.kind), \(attachment.sha256),
                    \(attachment.sizeBytes), \(attachment.contentType), \(attachment.hasCapturedAt ? attachment.capturedAt.date : nil),
                    \(attachment.latitude), \(attachment.longitude), \(caller.userID))
            """, logger: logger)
        var stored = attachment
        stored.uri = Self.scheme + id.apiString
        stored.stored = true
        return stored
    }

    /// The uploads of `deal` named by `uris` ("attachment:<id>"), by uri.
    func find(_ uris: [String], deal: UUID, tenant: TenantID, on connection: PostgresConnection? = nil) async throws
        -> [String: Sales_Opportunities_V1_Attachment]
    {
        let ids = uris.compactMap { Self.id(of: $0) }
        guard !ids.isEmpty else { return [:] }
        let rows = try await database.query(
            """
            SELECT id, name, kind, sha256, size_bytes, content_type, captured_at, latitude, longitude FROM attachments
            WHERE tenant_id = \(tenant.rawValue) AND opportunity_id = \(deal) AND id = ANY(\(ids))
            """, on: connection)
        var found: [String: Sales_Opportunities_V1_Attachment] = [:]
        for try await (id, name, kind, sha256, size, contentType, captured, latitude, longitude) in rows.decode(
            (UUID, String, String, String, Int64, String, Date?, Double, Double).self)
        {
            let uri = Self.scheme + id.apiString
            found[uri] = .with {
                $0.uri = uri
                $0.name = name
                $0.kind = kind
                $0.sha256 = sha256
                $0.sizeBytes = size
                $0.contentType = contentType
                if let captured { $0.capturedAt = Google_Protobuf_Timestamp(date: captured) }
                $0.latitude = latitude
                $0.longitude = longitude
                $0.stored = true
            }
        }
        return found
    }

    static func id(of uri: String) -> UUID? {
        uri.hasPrefix(scheme) ? UUID(uuidString: String(uri.dropFirst(scheme.count))) : nil
    }
}
