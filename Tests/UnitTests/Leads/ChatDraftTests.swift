import Foundation
import SalesProto
import SwiftProtobuf
import Testing

@testable import LeadsService

/// A WeChat conversation read into a follow-up draft: intent keywords, a sample request, the
/// appointment as the next contact, the customer's words (at most 200 characters) marked as
/// off-system.
@Suite struct ChatDraftTests {
    static let sent = ISO8601DateFormatter().date(from: "2026-11-24T02:00:00Z")!  // a Tuesday, 10:00 in Shanghai

    static func message(_ from: String, _ text: String, minutes: Double = 0) -> Sales_Leads_V1_ChatMessage {
        .with {
            $0.from = from
            $0.text = text
            $0.sentAt = Google_Protobuf_Timestamp(date: sent.addingTimeInterval(minutes * 60))
        }
    }

    @Test func keywordsSamplesAndTheAppointmentBecomeTheDraft() throws {
        let (draft, signals) = ChatDraft.draft(
            for: "lead-1",
            messages: [
                Self.message("rep", "您好，这是报价"),
                Self.message("customer", "能寄样吗？明天下午3点电话聊", minutes: 5),
            ], now: Date())
        #expect(signals.contains("关键词:报价"))
        #expect(signals.contains("样品申请"))
        #expect(signals.contains { $0.hasPrefix("约定:") })
        #expect(draft.leadID == "lead-1")
        #expect(draft.kind == .wechat)
        #expect(draft.occurredAt.date == Self.sent.addingTimeInterval(300), "the draft is dated by the last message")
        #expect(draft.summary.hasPrefix("[微信同步，系统外沟通] 客户：能寄样吗？"))
        #expect(draft.hasNextContactAt)
        #expect(draft.nextCommitment.hasPrefix("按约定："))
    }

    @Test func aPlainChatGivesAPlainDraft() {
        let (draft, signals) = ChatDraft.draft(for: "lead-2", messages: [Self.message("customer", "收到，谢谢")], now: Date())
        #expect(signals.isEmpty)
        #expect(draft.summary == "[微信同步，系统外沟通] 客户：收到，谢谢")
        #expect(!draft.hasNextContactAt)
        #expect(draft.nextCommitment.isEmpty)
    }

    @Test func onlyTheCustomersFirst200CharactersAreQuoted() {
        let long = String(repeating: "好", count: 500)
        let (draft, _) = ChatDraft.draft(for: "lead-3", messages: [Self.message("rep", "报价"), Self.message("customer", long)], now: Date())
        #expect(draft.summary == "[微信同步，系统外沟通] 客户：" + String(repeating: "好", count: 200) + "（关键词:报价）")
    }
}
