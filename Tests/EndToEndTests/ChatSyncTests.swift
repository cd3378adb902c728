import Foundation
import GRPCCore
import SalesControl
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import TestSupport
import Testing

extension EndToEnd {
    /// A WeChat conversation archived with consent and drafted into a follow-up the rep confirms.
    @Suite struct ChatSyncTests {
        @Test func aConsentedChatIsArchivedAndDraftedIntoAFollowUp() async throws {
            let (stack, _, tokens) = try await RunningStack.shared.get()
            let client = StackClient(plan: stack.plan, tokens: tokens)
            try await client.with(.leads) { grpc in
                let leads = Sales_Leads_V1_LeadService.Client(wrapping: grpc)
                let metadata = try await client.metadata(People.rep)
                let lead = try await leads.createLead(
                    .with {
                        $0.contactName = "胡斌"; $0.phone = "132" + String(format: "%08d", Int.random(in: 0..<100_000_000)); $0.channel = .wechat
                    }, metadata: metadata
                ).lead
                let messages: [Sales_Leads_V1_ChatMessage] = [
                    .with {
                        $0.from = "customer"; $0.text = "胎心监护仪能先试用吗？麻烦发个报价";
                        $0.sentAt = Google_Protobuf_Timestamp(date: Date().addingTimeInterval(-600))
                    },
                    .with {
                        $0.from = "rep"; $0.text = "可以，周五下午3点带样品过来演示"; $0.sentAt = Google_Protobuf_Timestamp(date: Date().addingTimeInterval(-300))
                    },
                    .with {
                        $0.from = "customer"; $0.text = "好的";
                        $0.attachments = [
                            .with {
                                $0.name = "科室需求.jpg"; $0.url = "s3://chat/1.jpg"; $0.sha256 = String(repeating: "c", count: 64); $0.sizeBytes = 2048
                            }
                        ]
                    },
                ]
                let refused = await #expect(throws: RPCError.self) {
                    try await leads.syncChat(
                        .with {
                            $0.leadID = lead.id; $0.messages = messages
                        }, metadata: metadata)
                }
                #expect(refused?.code == .failedPrecondition)
                #expect(refused?.message.contains("consented") == true)

                let synced = try await leads.syncChat(
                    .with {
                        $0.leadID = lead.id; $0.customerConsented = true; $0.messages = messages
                    }, metadata: metadata)
                #expect(synced.archived == 3)
                #expect(synced.signals.contains("关键词:报价") && synced.signals.contains("关键词:试用") && synced.signals.contains("样品申请"))
                #expect(synced.signals.contains("约定:周五下午3点"))
                #expect(synced.draft.kind == .wechat)
                #expect(synced.draft.summary.hasPrefix("[微信同步，系统外沟通]"))
                #expect(synced.draft.nextCommitment.contains("周五下午3点"))
                var shanghai = Calendar(identifier: .gregorian)
                shanghai.timeZone = TimeZone(identifier: "Asia/Shanghai")!
                let nextContact = synced.draft.nextContactAt.date
                #expect(shanghai.component(.weekday, from: nextContact) == 6 && shanghai.component(.hour, from: nextContact) == 15)
                #expect(nextContact > Date() && nextContact < Date().addingTimeInterval(8 * 86_400), "the coming Friday at 15:00")

                // The draft is not a follow-up until the rep confirms it.
                #expect(try await leads.listFollowUps(.with { $0.leadID = lead.id }, metadata: metadata).followUps.isEmpty)
                _ = try await leads.logFollowUp(.with { $0.followUp = synced.draft }, metadata: metadata)
                #expect(try await leads.getLead(.with { $0.id = lead.id }, metadata: metadata).hasFirstTouchAt)

                let bad = await #expect(throws: RPCError.self) {
                    try await leads.syncChat(
                        .with {
                            $0.leadID = lead.id; $0.customerConsented = true;
                            $0.messages = [
                                .with {
                                    $0.from = "boss"; $0.text = "x"
                                }
                            ]
                        }, metadata: metadata)
                }
                #expect(bad?.message.hasPrefix("messages[0].from:") == true)
            }
        }
    }
}
