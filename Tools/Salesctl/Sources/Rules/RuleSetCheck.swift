import RulesEngine

/// `salesctl rules check FILE`: a rule set file `{"name": …, "rules": [{"id": …, "rule": {…}}, …]}`
/// checked against a domain's field catalog, every problem listed with its path.
public struct RuleSetReport: Sendable {
    public struct Finding: Sendable, CustomStringConvertible {
        /// The rule's id, when the problem is in a rule that has one.
        public var ruleID: String?
        public var problem: RuleProblem

        public var description: String {
            "\(problem.path)\(ruleID.map { " [\($0)]" } ?? ""): \(problem.message)"
        }
    }

    public var name: String?
    public var ruleCount: Int
    public var findings: [Finding]

    public var isClean: Bool { findings.isEmpty }

    /// What the command prints: each problem, then a summary line.
    public var lines: [String] {
        let title = name.map { "rule set \"\($0)\"" } ?? "the rule set"
        let rulesWithProblems = Set(findings.compactMap { $0.problem.path.segments.count > 1 ? $0.problem.path.segments[1] : nil }).count
        let summary =
            isClean
            ? "\(title): \(ruleCount) rules, no problems"
            : "\(title): \(findings.count) problem\(findings.count == 1 ? "" : "s") in \(rulesWithProblems) of \(ruleCount) rules"
        return findings.map(\.description) + [summary]
    }
}

public enum RuleSetCheck {
    public static func check(text: String, domain: String = LeadField.domain, environment: RuleToolEnvironment = .init()) throws(RuleToolError)
        -> RuleSetReport
    {
        guard let catalog = try RuleEval.catalog(domain) else { throw RuleToolError("a domain is required") }
        let compiler = RuleCompiler(registry: environment.registry, catalog: catalog)
        var report = RuleSetReport(name: nil, ruleCount: 0, findings: [])
        func add(_ path: RulePath, _ message: String, kind: RuleProblem.Kind = .invalidArgument, id: String? = nil) {
            report.findings.append(.init(ruleID: id, problem: RuleProblem(kind, at: path, message)))
        }
        let document: RuleValue
        do { document = try RuleValue(json: text) } catch {
            add(.root, error.description, kind: .malformedJSON)
            return report
        }
        guard case .object(let members) = document else {
            add(.root, "a rule set is an object {\"name\": …, \"rules\": [{\"id\": …, \"rule\": {…}}, …]}")
            return report
        }
        let namePath = RulePath([.key("name")])
        switch members["name"] {
        case .string(let name)? where !name.allSatisfy(\.isWhitespace): report.name = name
        case nil: add(namePath, "the rule set needs a name")
        default: add(namePath, "the name must be non-empty text")
        }
        guard case .array(let rules)? = members["rules"] else {
            add(RulePath([.key("rules")]), members["rules"] == nil ? "the rule set needs a \"rules\" list" : "\"rules\" must be a list")
            return report
        }
        report.ruleCount = rules.count
        var seen: [String: Int] = [:]
        for (index, entry) in rules.enumerated() {
            let prefix = RulePath([.key("rules"), .index(index)])
            guard case .object(let rule) = entry else {
                add(prefix, "each rule is an object {\"id\": …, \"rule\": {…}}")
                continue
            }
            let id = rule["id"]?.stringValue
            switch rule["id"] {
            case .string(let text)? where !text.isEmpty:
                if let first = seen[text] {
                    add(prefix.appending(.key("id")), "id \"\(text)\" is already used by rules[\(first)]", id: id)
                } else {
                    seen[text] = index
                }
            case nil: add(prefix, "the rule needs an \"id\"")
            default: add(prefix.appending(.key("id")), "the id must be non-empty text")
            }
            guard let document = rule["rule"] else {
                add(prefix, "the rule needs a \"rule\" (the JsonLogic document)", id: id)
                continue
            }
            for problem in compiler.check(document) {
                report.findings.append(.init(ruleID: id, problem: problem.prefixed(by: prefix)))
            }
        }
        return report
    }
}
