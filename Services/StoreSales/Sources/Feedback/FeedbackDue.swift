import Foundation
import Logging
import RulesEngine
import SalesModel
import ServiceKit

/// What a clerk owes after serving a member's purchase, by the chain's "store-feedback" rule set
/// (JsonLogic over the receipt): within how many minutes, and what kind of feedback counts.
/// Outcome: `{"minutes": 15, "needs": "photo", "label": "大单拍照反馈"}`; `{"minutes": 0}` owes nothing.
struct FeedbackDue: Sendable, Equatable {
    static let ruleSetName = "store-feedback"
    /// Any note, a note with a photo clip, a note with a voice clip.
    static let kinds = ["note", "photo", "voice"]

    var minutes: Int
    var needs: String
    var label: String

    /// The service's own window when the chain set no rule, or none matched.
    static func standard(minutes: Int) -> FeedbackDue { FeedbackDue(minutes: minutes, needs: "note", label: "") }

    /// What is wrong with a rule's outcome, said as the rule set's check reports it.
    struct Problem: Error, Sendable {
        let message: String
    }

    static func parse(_ outcome: RuleValue) -> Result<FeedbackDue, Problem> {
        guard case .object(let fields) = outcome else {
            return .failure(Problem(message: #"outcome must be an object like {"minutes": 15, "needs": "note"}"#))
        }
        guard case .number(let minutes)? = fields["minutes"], minutes == minutes.rounded(), (0...1_440).contains(minutes) else {
            return .failure(Problem(message: "outcome.minutes must be a whole number of minutes, 0 (nothing owed) to 1440"))
        }
        var needs = "note"
        if let given = fields["needs"] {
            guard case .string(let kind) = given, kinds.contains(kind) else {
                return .failure(Problem(message: "outcome.needs must be one of \(kinds.joined(separator: ", "))"))
            }
            needs = kind
        }
        var label = ""
        if let given = fields["label"] {
            guard case .string(let text) = given, text.count <= 50 else {
                return .failure(Problem(message: "outcome.label must be text of at most 50 characters"))
            }
            label = text
        }
        return .success(FeedbackDue(minutes: Int(minutes), needs: needs, label: label))
    }

    /// What the clerk is asked for, in the reminder's words.
    var askedFor: String {
        switch needs {
        case "photo": "拍照反馈"
        case "voice": "语音反馈"
        default: "服务记录"
        }
    }
}

/// The receipt as the "store-feedback" rules read it.
enum FeedbackRecord {
    static let catalog = FieldCatalog(
        domain: "receipt",
        fields: [
            .init(name: "store_code", type: .text, label: "门店编号"),
            .init(name: "district", type: .text, label: "商圈"),
            .init(name: "region", type: .text, label: "区域"),
            .init(name: "total", type: .money, label: "实收金额"),
            .init(name: "item_count", type: .number, label: "商品行数"),
            .init(name: "payment_method", type: .choice(CheckedReceipt.paymentMethods.sorted()), label: "支付方式"),
            .init(name: "categories", type: .list(of: .text), label: "商品品类"),
            .init(name: "clerk_source", type: .choice(["till", "scan"]), label: "店员来源"),
            .init(name: "hour", type: .number, label: "成交时刻（0–23）"),
            .init(name: "weekday", type: .number, label: "星期（1 周一 … 7 周日）"),
        ])

    /// `total` in fen, read by rules in yuan like every money field.
    static func value(
        storeCode: String, district: String, region: String, total: Int64, itemCount: Int, paymentMethod: String, categories: [String],
        clerkSource: String, soldAt: Date, calendar: WorkCalendar
    ) -> RuleValue {
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = calendar.timeZone
        return .object([
            "store_code": .string(storeCode),
            "district": .string(district),
            "region": .string(region),
            "total": .number(Double(total) / 100),
            "item_count": .number(Double(itemCount)),
            "payment_method": .string(paymentMethod),
            "categories": .array(categories.map(RuleValue.string)),
            "clerk_source": .string(clerkSource),
            "hour": .number(Double(gregorian.component(.hour, from: soldAt))),
            "weekday": .number(Double(calendar.localDate(of: soldAt).weekday)),
        ])
    }
}

/// The chain's active "store-feedback" rules, applied to a served purchase.
struct FeedbackRules: Sendable {
    let activeRules: ActiveRuleSets
    let standardMinutes: Int

    /// What the first matching rule says is owed; the service's window when no rule is active or
    /// none matches, or a rule cannot be read (logged: a sale is never refused for it).
    func due(for record: RuleValue, tenant: TenantID) async -> FeedbackDue {
        do {
            guard let active = try await activeRules.active(FeedbackDue.ruleSetName, tenant: tenant, catalog: FeedbackRecord.catalog),
                let entry = try active.rules.decide(record, explain: false).entry
            else { return .standard(minutes: standardMinutes) }
            return try FeedbackDue.parse(entry.outcome).get()
        } catch {
            RequestContext.logger.warning("the store-feedback rules could not be applied; the standard window holds", metadata: ["error": "\(error)"])
            return .standard(minutes: standardMinutes)
        }
    }
}
