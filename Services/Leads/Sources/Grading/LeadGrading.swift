import Logging
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit

/// The initial intent grade (A/B/C/D), from the first matching rule of the "lead-grading" rule
/// set: an outcome `{"grade": "A"}`. Checkpoint and return-to-pool limits can then differ by grade
/// (a checkpoint rule's condition reads `grade`; the pool policy has days per grade).
enum LeadGrading {
    static let ruleSetName = "lead-grading"

    /// The grade the active set gives `record`, or "" when none is active, no rule matched, or a
    /// rule failed on this record's data.
    /// The record is built only when a rule set is active: most tenants grade nothing.
    static func grade(_ record: @autoclosure () -> RuleValue, by active: CompiledRuleSet?) -> String {
        guard let active else { return "" }
        do {
            return try active.decide(record(), explain: false).entry.flatMap(grade(of:)) ?? ""
        } catch {
            RequestContext.logger.warning("grading rule failed on a lead; left ungraded", metadata: ["error": "\(error)"])
            return ""
        }
    }

    static func grade(of entry: CompiledRuleSet.Entry) -> String? {
        entry.outcome.objectValue?["grade"]?.stringValue.flatMap { LeadField.grades.contains($0) ? $0 : nil }
    }

    static func outcomeProblems(_ entries: [CompiledRuleSet.Entry]) -> [Sales_Common_V1_RuleProblem] {
        entries.outcomeProblems(at: "outcome.grade") { entry in
            grade(of: entry) == nil
                ? "the outcome must be {\"grade\": …} with one of \(LeadField.grades.joined(separator: ", ")); got \(entry.outcomeJSON)"
                : nil
        }
    }
}
