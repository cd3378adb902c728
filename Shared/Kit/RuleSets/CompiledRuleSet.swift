import Foundation
import RulesEngine
import SalesProto
import SwiftProtobuf

/// A rule set checked and compiled once: ordered rules, the first whose condition holds decides.
public struct CompiledRuleSet: Sendable {
    public struct Entry: Sendable {
        public let id: String
        public let condition: CompiledRule
        public let outcome: RuleValue
        public let outcomeJSON: String
    }

    public struct Decision: Sendable {
        /// nil when no rule matched.
        public let entry: Entry?
        public let trace: [Sales_Common_V1_RuleTrace]
    }

    public let entries: [Entry]
    /// Every field a condition of the set reads.
    public let fieldsRead: Set<String>

    /// Every problem of the set, each with its path ("rules[2].condition.and[1]"); empty when it compiles.
    public static func problems(_ rules: [Sales_Common_V1_RuleDefinition], compiler: RuleCompiler) -> [Sales_Common_V1_RuleProblem] {
        do {
            _ = try CompiledRuleSet(rules, compiler: compiler)
            return []
        } catch {
            return error.problems
        }
    }

    public struct Problems: Error, Sendable {
        public let problems: [Sales_Common_V1_RuleProblem]
    }

    public init(_ rules: [Sales_Common_V1_RuleDefinition], compiler: RuleCompiler) throws(Problems) {
        var problems: [Sales_Common_V1_RuleProblem] = []
        func problem(_ path: String, _ message: String) {
            problems.append(
                .with {
                    $0.path = path; $0.message = message
                })
        }
        if rules.isEmpty { problem("rules", "a rule set needs at least one rule") }
        var seen: Set<String> = []
        var entries: [Entry] = []
        for (index, rule) in rules.enumerated() {
            let path = "rules[\(index)]"
            if rule.id.range(of: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", options: .regularExpression) == nil {
                problem("\(path).id", "must be 1 to 64 letters, digits, '.', '_' or '-'")
            } else if !seen.insert(rule.id).inserted {
                problem("\(path).id", "\(quoted: rule.id) is used by an earlier rule")
            }
            var outcome: RuleValue = .null
            if !rule.outcomeJson.isEmpty {
                do { outcome = try RuleValue(json: rule.outcomeJson) } catch {
                    problem("\(path).outcome", "is not JSON: \(error)")
                }
            }
            do {
                let condition = try compiler.compile(json: rule.conditionJson)
                entries.append(Entry(id: rule.id, condition: condition, outcome: outcome, outcomeJSON: outcome.json))
            } catch {
                for found in error.problems {
                    problem("\(path).condition\(found.path.segments.isEmpty ? "" : ".\(found.path)")", found.message)
                }
            }
        }
        guard problems.isEmpty else { throw Problems(problems: problems) }
        self.entries = entries
        fieldsRead = entries.reduce(into: []) { $0.formUnion($1.condition.source.fieldsRead) }
    }

    /// Every rule whose condition holds, in order (for sets where all matches apply, like checkpoints).
    public func matching(_ record: some RuleData) throws(RuleEvaluationError) -> [Entry] {
        var matched: [Entry] = []
        for entry in entries where try entry.condition.matches(record) { matched.append(entry) }
        return matched
    }

    /// The first rule whose condition holds; with `explain`, a trace of every rule tried.
    public func decide(_ record: some RuleData, explain: Bool) throws(RuleEvaluationError) -> Decision {
        var trace: [Sales_Common_V1_RuleTrace] = []
        for entry in entries {
            let held: Bool
            if explain {
                let explanation = try entry.condition.explain(record)
                held = explanation.held
                trace.append(
                    .with {
                        $0.ruleID = entry.id; $0.matched = held; $0.explanation = explanation.outline
                    })
            } else {
                held = try entry.condition.matches(record)
            }
            if held { return Decision(entry: entry, trace: trace) }
        }
        return Decision(entry: nil, trace: trace)
    }
}

extension [CompiledRuleSet.Entry] {
    /// A domain's check of its rules' outcomes as problems at `rules[i].outcome` (or a member of
    /// it): `check` says what is wrong with one entry's outcome, or nil.
    public func outcomeProblems(at member: String = "outcome", _ check: (CompiledRuleSet.Entry) -> String?) -> [Sales_Common_V1_RuleProblem] {
        enumerated().compactMap { index, entry in
            check(entry).map { message in
                .with {
                    $0.path = "rules[\(index)].\(member)"; $0.message = message
                }
            }
        }
    }
}
