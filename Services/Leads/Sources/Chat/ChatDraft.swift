import Foundation
import SalesProto
import SwiftProtobuf

/// Reads a WeChat conversation for what a follow-up records: the keywords that mean intent
/// (报价, 试用, 合同…), appointments (明天/周五/11月28日 … 点), sample requests.
enum ChatDraft {
    static let keywords = ["报价", "价格", "试用", "合同", "样品", "演示", "招标", "预算", "采购", "发票"]

    static func draft(for leadID: String, messages: [Sales_Leads_V1_ChatMessage], now: Date) -> (Sales_Leads_V1_FollowUp, [String]) {
        let customerText = messages.filter { $0.from == "customer" }.map(\.text).joined(separator: " ")
        let allText = messages.map(\.text).joined(separator: " ")
        var signals = keywords.filter { allText.contains($0) }.map { "关键词:\($0)" }
        if allText.contains("样品") || allText.contains("寄样") { signals.append("样品申请") }
        let appointment = appointmentText(in: allText)
        if let appointment { signals.append("约定:\(appointment)") }
        let last = messages.map { $0.hasSentAt ? $0.sentAt.date : now }.max() ?? now
        let draft = Sales_Leads_V1_FollowUp.with {
            $0.leadID = leadID
            $0.kind = .wechat
            $0.occurredAt = Google_Protobuf_Timestamp(date: last)
            $0.summary = "[微信同步，系统外沟通] 客户：" + String(customerText.prefix(200))
                + (signals.isEmpty ? "" : "（" + signals.joined(separator: "，") + "）")
            if let appointment { $0.nextCommitment = "按约定：\(appointment)" }
        }
        return (draft, signals)
    }

    /// The first appointment-like phrase: a day (明天, 后天, 周X/星期X, M月D日) optionally with a time (上午/下午 H点).
    static func appointmentText(in text: String) -> String? {
        let pattern = "(今天|明天|后天|下周[一二三四五六日天]|周[一二三四五六日天]|星期[一二三四五六日天]|[0-9]{1,2}月[0-9]{1,2}[日号])(上午|下午|晚上)?([0-9]{1,2}[点:：][0-9]{0,2}半?)?"
        guard let range = text.range(of: pattern, options: .regularExpression) else { return nil }
        return String(text[range])
    }
}
