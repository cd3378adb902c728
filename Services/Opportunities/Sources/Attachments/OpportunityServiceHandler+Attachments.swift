import Foundation
import GRPCCore
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Evidence files: kept in the blob store by content, recorded against the deal, named by
/// activities with the uri an upload returns.
extension OpportunityServiceHandler {
    static let maximumAttachmentBytes = 3 * 1_024 * 1_024

    func uploadAttachment(
        request: Sales_Opportunities_V1_UploadAttachmentRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_Attachment {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.opportunityID, field: "opportunity_id")
        var attachment = Sales_Opportunities_V1_Attachment()
        attachment.name = try Require.text(request.name, field: "name", maxLength: 200)
        attachment.kind = try Require.text(request.kind, field: "kind", maxLength: 40)
        attachment.contentType = try Require.optionalText(request.contentType, field: "content_type", maxLength: 100)
        guard !request.content.isEmpty else { throw ServiceError.invalidArgument(field: "content", rule: "is empty: send the file's bytes") }
        guard request.content.count <= Self.maximumAttachmentBytes else {
            throw ServiceError.invalidArgument(field: "content", rule: "is \(request.content.count) bytes; at most 3 MB")
        }
        guard request.latitude == 0 && request.longitude == 0 || GeoPoint(latitude: request.latitude, longitude: request.longitude) != nil else {
            throw ServiceError.invalidArgument(field: "latitude", rule: "must be a latitude and longitude on Earth")
        }
        if request.hasCapturedAt {
            attachment.capturedAt = request.capturedAt
            _ = try Require.timestamp(request.capturedAt, isSet: true, field: "captured_at")
        }
        attachment.latitude = request.latitude
        attachment.longitude = request.longitude
        _ = try await store.visible(id, for: caller)
        // The content first: a record never names a file that is not kept.
        attachment.sha256 = try await blobs.put(request.content, tenant: caller.tenant.rawValue)
        attachment.sizeBytes = Int64(request.content.count)
        let logger = RequestContext.logger
        let kept = attachment
        return try await Idempotency.run("UploadAttachment", request: request, database: store.database) { connection in
            _ = try await store.visible(id, for: caller, on: connection)
            return try await attachmentRecords.insert(kept, deal: id, by: caller, on: connection, logger: logger)
        }
    }

    func getAttachment(
        request: Sales_Opportunities_V1_GetAttachmentRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_GetAttachmentResponse {
        let caller = try RequestContext.caller()
        let id = try Require.uuid(request.opportunityID, field: "opportunity_id")
        guard AttachmentStore.id(of: request.uri) != nil else {
            throw ServiceError.invalidArgument(field: "uri", rule: "must be attachment:<id>, as UploadAttachment returned it")
        }
        _ = try await store.visible(id, for: caller)
        guard let attachment = try await attachmentRecords.find([request.uri], deal: id, tenant: caller.tenant)[request.uri],
            let content = try await blobs.get(attachment.sha256, tenant: caller.tenant.rawValue)
        else { throw ServiceError.notFound(kind: "attachment", id: request.uri) }
        return .with {
            $0.attachment = attachment
            $0.content = content
        }
    }

    /// An activity's attachments as kept: uploads of this deal replaced by their records (so a
    /// client cannot claim another name, kind or hash); outside links kept as given, not stored.
    func resolve(
        _ attachments: [Sales_Opportunities_V1_Attachment], deal: UUID, tenant: TenantID, on connection: PostgresConnection
    ) async throws -> [Sales_Opportunities_V1_Attachment] {
        let uploaded = try await attachmentRecords.find(attachments.map(\.uri), deal: deal, tenant: tenant, on: connection)
        return try attachments.enumerated().map { index, attachment in
            if attachment.uri.hasPrefix(AttachmentStore.scheme) {
                guard let upload = uploaded[attachment.uri] else {
                    throw ServiceError.invalidArgument(
                        field: "activity.attachments[\(index)].uri", rule: "is not an upload of this deal (UploadAttachment first)")
                }
                return upload
            }
            var link = attachment
            link.sha256 = ""
            link.sizeBytes = 0
            link.stored = false
            return link
        }
    }
}
