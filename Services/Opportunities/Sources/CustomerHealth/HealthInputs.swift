import Foundation
import RulesEngine

/// What the health formula reads about a customer: the named inputs of the "customer-health"
/// catalog, one side at a time. Counts over the last 30 days (touches) or 90 (resolution), money
/// in yuan like every money field rules read, -1 for an NPS nobody gave.
struct HealthInputs: Sendable, Equatable {
    var touches30Days = 0
    var contentOpened30Days = 0
    var daysSinceTouch = 999
    var openDeals = 0
    var wonDeals = 0
    var keyPeople = 0
    var daysSinceActivity = 999
    var openTickets = 0
    var openMajorComplaints = 0
    var averageResolutionHours = 0.0
    var nps = -1
    var instalmentsDue = 0
    var instalmentsOnTime = 0
    var overdueFen: Int64 = 0
    var contractValueFen: Int64 = 0

    static let ruleSetName = "customer-health"
    static let sides = ["marketing", "sales", "service", "finance"]

    static let catalog = FieldCatalog(
        domain: "customer",
        fields: [
            .init(name: "marketing_touches_30d", type: .number, label: "营销: 30 天触达次数"),
            .init(name: "marketing_content_opened_30d", type: .number, label: "营销: 30 天打开内容次数"),
            .init(name: "marketing_days_since_touch", type: .number, label: "营销: 距上次触达天数（无则 999）"),
            .init(name: "sales_open_deals", type: .number, label: "销售: 在谈商机数"),
            .init(name: "sales_won_deals", type: .number, label: "销售: 赢单数"),
            .init(name: "sales_key_people", type: .number, label: "销售: 在职关键人数"),
            .init(name: "sales_days_since_activity", type: .number, label: "销售: 距上次跟进天数（无跟进则自首个商机起）"),
            .init(name: "service_open_tickets", type: .number, label: "服务: 未关闭工单数"),
            .init(name: "service_open_major_complaints", type: .number, label: "服务: 未关闭重大投诉数"),
            .init(name: "service_avg_resolution_hours", type: .number, label: "服务: 90 天平均解决小时数"),
            .init(name: "service_nps", type: .number, label: "服务: 最近 NPS（0–10，无则 -1）"),
            .init(name: "finance_instalments_due", type: .number, label: "财务: 已到期分期数"),
            .init(name: "finance_on_time_percent", type: .number, label: "财务: 按期回款率（%，无到期则 100）"),
            .init(name: "finance_overdue_amount", type: .money, label: "财务: 逾期未回金额"),
            .init(name: "finance_contract_value", type: .money, label: "财务: 合同总额"),
        ])

    var onTimePercent: Double { instalmentsDue == 0 ? 100 : (Double(instalmentsOnTime) * 1_000 / Double(instalmentsDue)).rounded() / 10 }

    var value: RuleValue {
        .object([
            "marketing_touches_30d": .number(Double(touches30Days)),
            "marketing_content_opened_30d": .number(Double(contentOpened30Days)),
            "marketing_days_since_touch": .number(Double(daysSinceTouch)),
            "sales_open_deals": .number(Double(openDeals)),
            "sales_won_deals": .number(Double(wonDeals)),
            "sales_key_people": .number(Double(keyPeople)),
            "sales_days_since_activity": .number(Double(daysSinceActivity)),
            "service_open_tickets": .number(Double(openTickets)),
            "service_open_major_complaints": .number(Double(openMajorComplaints)),
            "service_avg_resolution_hours": .number((averageResolutionHours * 10).rounded() / 10),
            "service_nps": .number(Double(nps)),
            "finance_instalments_due": .number(Double(instalmentsDue)),
            "finance_on_time_percent": .number(onTimePercent),
            "finance_overdue_amount": .number(Double(overdueFen) / 100),
            "finance_contract_value": .number(Double(contractValueFen) / 100),
        ])
    }
}
