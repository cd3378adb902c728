/// A named lookup table rules may consult, e.g. city → sales group. Operators maintain these as
/// data; the service hands the current ones to the registry.
public struct MappingTable: Sendable, Hashable {
    public let name: String
    public let entries: [String: RuleValue]

    public init(name: String, entries: [String: RuleValue]) {
        self.name = name
        self.entries = entries
    }
}

/// `{"in_mapping": [value, "table"]}`: the value's entry in the named table, or null when it has
/// none. The table must be named in the rule (not computed) and exist when the rule is saved.
public struct InMappingOperator: RuleOperator {
    public let name = "in_mapping"
    public let signature = OperatorSignature([.init("value", .any), .init("table", .text)], result: .any)
    public let tables: [String: MappingTable]

    public init(tables: [MappingTable]) {
        self.tables = Dictionary(tables.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    }

    public func problems(withConstantArguments arguments: [RuleValue?]) -> [String] {
        guard let table = arguments[1] else { return ["name the mapping table in the rule; it cannot be computed"] }
        guard case .string(let name) = table else { return ["the table must be named by text; got \(table.json)"] }
        guard tables[name] == nil else { return [] }
        let known = tables.keys.sorted()
        return ["there is no mapping table `\(name)`" + (known.isEmpty ? "" : "; tables: \(known.joined(separator: ", "))")]
    }

    public func evaluate(_ arguments: [RuleValue]) throws(RuleEvaluationError) -> RuleValue {
        guard case .string(let name) = arguments[1], let table = tables[name] else {
            throw RuleEvaluationError("there is no mapping table \(arguments[1].json)")
        }
        switch arguments[0] {
        case .null, .array, .object: return .null
        case let key: return table.entries[key.jsString] ?? .null
        }
    }
}
