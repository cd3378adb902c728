import Foundation
import RulesEngine
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The health formula: rules over the customer's inputs (the tenant's "customer-health" rule set,
/// or the built-in one), every rule that holds giving its side's points with a reason. The score is
/// 100 plus the points, kept within 0 to 100. An outcome reads
/// `{"side": "service", "points": -15, "reason": "{service_open_major_complaints} 个重大投诉未关闭"}`,
/// where `{input}` is replaced by the input's value.
enum HealthFormula {
    struct Outcome: Sendable, Equatable {
        var side: String
        var points: Int
        var reason: String
    }

    static let builtIn: [Sales_Common_V1_RuleDefinition] = [
        ("marketing-silent", #"{"==": [{"var": "marketing_touches_30d"}, 0]}"#, "marketing", -10, "30 天内没有营销触达"),
        ("sales-idle", #"{">": [{"var": "sales_days_since_activity"}, 30]}"#, "sales", -10, "{sales_days_since_activity} 天没有销售跟进"),
        ("sales-thin", #"{"<": [{"var": "sales_key_people"}, 2]}"#, "sales", -5, "关键人覆盖不足（{sales_key_people} 人）"),
        ("service-major", #"{">=": [{"var": "service_open_major_complaints"}, 1]}"#, "service", -15, "{service_open_major_complaints} 个重大投诉未关闭"),
        ("service-backlog", #"{">=": [{"var": "service_open_tickets"}, 3]}"#, "service", -5, "{service_open_tickets} 个工单未关闭"),
        ("service-slow", #"{">": [{"var": "service_avg_resolution_hours"}, 72]}"#, "service", -5, "工单平均 {service_avg_resolution_hours} 小时才解决"),
        (
            "service-detractor", #"{"and": [{">=": [{"var": "service_nps"}, 0]}, {"<=": [{"var": "service_nps"}, 6]}]}"#, "service", -10,
            "NPS {service_nps}（贬损者）"
        ),
        (
            "finance-late", #"{"and": [{">": [{"var": "finance_instalments_due"}, 0]}, {"<": [{"var": "finance_on_time_percent"}, 80]}]}"#,
            "finance", -15, "按期回款率 {finance_on_time_percent}%"
        ),
        ("finance-overdue", #"{">": [{"var": "finance_overdue_amount"}, 0]}"#, "finance", -10, "逾期 {finance_overdue_amount} 元未回"),
    ].map { id, condition, side, points, reason in
        .with {
            $0.id = id
            $0.conditionJson = condition
            $0.outcomeJson = RuleValue.object(["side": .string(side), "points": .number(Double(points)), "reason": .string(reason)]).json
        }
    }

    static func parse(_ outcome: RuleValue) -> Result<Outcome, HealthOutcomeProblem> {
        guard case .object(let fields) = outcome else {
            return .failure(.init(message: #"outcome must be an object like {"side": "service", "points": -15, "reason": "…"}"#))
        }
        guard case .string(let side)? = fields["side"], HealthInputs.sides.contains(side) else {
            return .failure(.init(message: "outcome.side must be one of \(HealthInputs.sides.joined(separator: ", "))"))
        }
        guard case .number(let points)? = fields["points"], points == points.rounded(), (-100...100).contains(points) else {
            return .failure(.init(message: "outcome.points must be a whole number from -100 to 100"))
        }
        guard case .string(let reason)? = fields["reason"], (1...100).contains(reason.count) else {
            return .failure(.init(message: "outcome.reason must be text of 1 to 100 characters"))
        }
        return .success(Outcome(side: side, points: Int(points), reason: reason))
    }

    /// The score of `inputs` by `rules`: every rule that holds, in order.
    static func score(_ inputs: HealthInputs, rules: CompiledRuleSet) throws -> (score: Int, deductions: [Sales_Opportunities_V1_HealthDeduction]) {
        let record = inputs.value
        var deductions: [Sales_Opportunities_V1_HealthDeduction] = []
        for entry in try rules.matching(record) {
            guard case .success(let outcome) = parse(entry.outcome) else { continue }
            deductions.append(
                .with {
                    $0.side = outcome.side
                    $0.points = Int32(outcome.points)
                    $0.reason = filled(outcome.reason, from: record)
                    $0.ruleID = entry.id
                })
        }
        return (min(100, max(0, 100 + deductions.reduce(0) { $0 + Int($1.points) })), deductions)
    }

    /// `{input}` replaced by the input's value (a whole number without decimals).
    static func filled(_ reason: String, from record: RuleValue) -> String {
        guard case .object(let fields) = record, reason.contains("{") else { return reason }
        var text = reason
        for (name, value) in fields where text.contains("{\(name)}") {
            guard case .number(let number) = value else { continue }
            let shown = number == number.rounded() ? String(Int64(number)) : String(format: "%.1f", number)
            text = text.replacingOccurrences(of: "{\(name)}", with: shown)
        }
        return text
    }
}

struct HealthOutcomeProblem: Error, Sendable {
    let message: String
}
