import Foundation
import GRPCCore
import OpportunitiesService
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

/// Evidence files: kept by content, recorded against their deal, named by activities; a uri that
/// is not an upload of the deal is refused, and another tenant reads nothing.
@Suite struct AttachmentTests {
    @Test func anUploadIsKeptByContentAndAnActivityNamesIt() async throws {
        let people = StageMoveTests.People()
        try await StageMoveTests().hosted { clients in
            let rep = try await clients.metadata(people.rep)
            let deal = try await clients.newDeal(by: people.rep)
            let other = try await clients.newDeal(by: people.rep)
            let photo = Data((0..<5_000).map { UInt8($0 % 251) })
            func upload(_ deal: String, _ content: Data = photo, name: String = "门诊楼.jpg", kind: String = "photo") async throws
                -> Sales_Opportunities_V1_Attachment
            {
                try await clients.deals.uploadAttachment(
                    .with {
                        $0.opportunityID = deal
                        $0.name = name
                        $0.kind = kind
                        $0.content = content
                        $0.contentType = "image/jpeg"
                        $0.capturedAt = Google_Protobuf_Timestamp(seconds: 1_790_000_000)
                        $0.latitude = 31.21
                        $0.longitude = 121.47
                    }, metadata: rep)
            }
            let kept = try await upload(deal.id)
            #expect(kept.stored && kept.sizeBytes == 5_000 && kept.sha256.count == 64 && kept.uri.hasPrefix("attachment:"))
            let same = try await upload(deal.id)
            #expect(same.sha256 == kept.sha256 && same.uri != kept.uri, "the content is kept once; each upload is its own record")

            var visit = StageMoveTests.visit(deal.id)
            visit.attachments = [
                .with {
                    $0.uri = kept.uri
                    $0.name = "改过的名字"
                    $0.kind = "术式确认单"
                },
                .with {
                    $0.uri = "https://pan.example.com/s/abc"
                    $0.name = "网盘链接"
                    $0.kind = "proposal"
                    $0.sha256 = String(repeating: "0", count: 64)
                },
            ]
            let recorded = try await clients.deals.recordActivity(.with { $0.activity = visit }, metadata: rep)
            #expect(recorded.attachments[0].name == "门诊楼.jpg" && recorded.attachments[0].kind == "photo", "the upload's own record")
            #expect(recorded.attachments[0].capturedAt.seconds == 1_790_000_000 && recorded.attachments[0].stored)
            #expect(!recorded.attachments[1].stored && recorded.attachments[1].sha256.isEmpty, "an outside link claims no content")

            let fetched = try await clients.deals.getAttachment(
                .with {
                    $0.opportunityID = deal.id
                    $0.uri = kept.uri
                }, metadata: rep)
            #expect(fetched.content == photo && fetched.attachment.sha256 == kept.sha256)

            // Bad input: another deal's upload, a made-up id, an empty or oversized file, another tenant.
            let elsewhere = try await upload(other.id)
            for (uri, reason) in [(elsewhere.uri, "another deal's upload"), ("attachment:\(UUID().uuidString)", "a made-up id")] {
                var forged = StageMoveTests.visit(deal.id)
                forged.attachments = [
                    .with {
                        $0.uri = uri; $0.name = "x"; $0.kind = "photo"
                    }
                ]
                let refused = await refusal { try await clients.deals.recordActivity(.with { $0.activity = forged }, metadata: rep) }
                #expect(refused?.code == .invalidArgument && refused?.message.hasPrefix("activity.attachments[0].uri") == true, "\(reason)")
            }
            let empty = await refusal { try await upload(deal.id, Data()) }
            #expect(empty?.code == .invalidArgument && empty?.message.hasPrefix("content") == true)
            let huge = await refusal { try await upload(deal.id, Data(count: 3 * 1_024 * 1_024 + 1)) }
            #expect(huge?.code == .invalidArgument && huge?.message.hasPrefix("content") == true, "\(huge?.message ?? "")")
            let noKind = await refusal { try await upload(deal.id, kind: " ") }
            #expect(noKind?.message.hasPrefix("kind") == true)
            let stranger = try await clients.metadata(people.stranger)
            let foreign = await refusal {
                try await clients.deals.getAttachment(
                    .with {
                        $0.opportunityID = deal.id
                        $0.uri = kept.uri
                    }, metadata: stranger)
            }
            #expect(foreign?.code == .notFound)
        }
    }
}
