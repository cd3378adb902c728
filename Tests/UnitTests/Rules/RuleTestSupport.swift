import RulesEngine
import Testing

/// A lead as a service would hold it, for rules compiled against the lead catalog.
struct SampleLead: RuleData {
    var city = "上海"
    var channel = "wechat"
    var budgetFen: Int64 = 5_000_000
    var industry = "医疗器械"
    var employeeCount = 120
    var tags = ["展会", "高意向"]
    var inquiry = "想了解CT和MRI设备的报价"
    var gps: (lat: Double, lng: Double)? = (31.2400, 121.4900)
    var createdAt = "2025-09-30T16:00:00+08:00"
    var custom: [String: RuleValue] = [:]

    func ruleValue(of key: FieldKey) -> RuleValue? {
        switch key.field(of: LeadField.self) {
        case .city?: .string(city)
        case .channel?: .string(channel)
        case .budget?: .number(Double(budgetFen) / 100)
        case .industry?: .string(industry)
        case .employeeCount?: .number(Double(employeeCount))
        case .tags?: RuleValue(tags)
        case .inquiry?: .string(inquiry)
        case .gps?: gps.map { ["lat": .number($0.lat), "lng": .number($0.lng)] }
        case .createdAt?: .string(createdAt)
        case .source?, .district?, .phoneVerified?, .grade?, .earlierInquiries?: nil
        case nil: custom[key.name]
        }
    }

    var ruleValue: RuleValue {
        ["city": .string(city), "channel": .string(channel), "budget": .number(Double(budgetFen) / 100)]
    }
}

extension RuleCompiler {
    /// The rule's problems, as "path: message" lines.
    func problemLines(_ json: String) -> [String] {
        check(json: json).map(\.description)
    }
}

/// Compiles and evaluates in one go, for tests of single operators.
func evaluate(_ rule: String, _ data: RuleValue = .null, registry: OperatorRegistry = .domain()) throws -> RuleValue {
    try RuleCompiler(registry: registry).compile(json: rule).evaluate(data)
}
