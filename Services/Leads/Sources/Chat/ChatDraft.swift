import Foundation
import SalesProto
import SwiftProtobuf

/// Reads a WeChat conversation for what a follow-up records: the keywords that mean intent
/// (报价, 试用, 合同…), an appointment (明天/周五/11月28日 … 点, as a time for next_contact_at),
/// sample requests.
enum ChatDraft {
    static let keywords = ["报价", "价格", "试用", "合同", "样品", "演示", "招标", "预算", "采购", "发票"]

    static func draft(for leadID: String, messages: [Sales_Leads_V1_ChatMessage], now: Date) -> (Sales_Leads_V1_FollowUp, [String]) {
        let customerText = messages.filter { $0.from == "customer" }.map(\.text).joined(separator: " ")
        let allText = messages.map(\.text).joined(separator: " ")
        var signals = keywords.filter { allText.contains($0) }.map { "关键词:\($0)" }
        if allText.contains("样品") || allText.contains("寄样") { signals.append("样品申请") }
        let appointment = messages.lazy.compactMap { Appointment.find(in: $0.text, sent: $0.hasSentAt ? $0.sentAt.date : now) }.first
        if let appointment { signals.append("约定:\(appointment.text)") }
        let last = messages.map { $0.hasSentAt ? $0.sentAt.date : now }.max() ?? now
        let draft = Sales_Leads_V1_FollowUp.with {
            $0.leadID = leadID
            $0.kind = .wechat
            $0.occurredAt = Google_Protobuf_Timestamp(date: last)
            $0.summary =
                "[微信同步，系统外沟通] 客户：" + String(customerText.prefix(200))
                + (signals.isEmpty ? "" : "（" + signals.joined(separator: "，") + "）")
            if let appointment {
                $0.nextCommitment = "按约定：\(appointment.text)"
                $0.nextContactAt = Google_Protobuf_Timestamp(date: appointment.at)
            }
        }
        return (draft, signals)
    }
}
