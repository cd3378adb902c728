import RulesEngine

/// A lead as the leads service holds it: typed fields, money in fen, no JSON.
struct BenchLead {
    var city: String
    var channel: String
    var budgetFen: Int64
    var industry: String
    var employeeCount: Int
    var tags: [String]

    init?(_ value: RuleValue) {
        guard case .object(let m) = value, let city = m["city"]?.stringValue, let channel = m["channel"]?.stringValue,
            let budget = m["budget"]?.numberValue, let industry = m["industry"]?.stringValue,
            let employees = m["employee_count"]?.numberValue, let tags = m["tags"]?.arrayValue
        else { return nil }
        self.city = city
        self.channel = channel
        budgetFen = Int64(budget * 100)
        self.industry = industry
        employeeCount = Int(employees)
        self.tags = tags.compactMap(\.stringValue)
    }
}

extension BenchLead: RuleData {
    func ruleValue(of key: FieldKey) -> RuleValue? {
        switch key.field(of: LeadField.self) {
        case .city?: .string(city)
        case .channel?: .string(channel)
        case .budget?: .number(Double(budgetFen) / 100)
        case .industry?: .string(industry)
        case .employeeCount?: .number(Double(employeeCount))
        case .tags?: RuleValue(tags)
        default: nil
        }
    }

    var ruleValue: RuleValue {
        .object([
            "city": .string(city), "channel": .string(channel), "budget": .number(Double(budgetFen) / 100),
            "industry": .string(industry), "employee_count": .number(Double(employeeCount)), "tags": RuleValue(tags),
        ])
    }
}
