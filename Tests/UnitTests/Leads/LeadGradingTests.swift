import RulesEngine
import SalesProto
import ServiceKit
import SwiftProtobuf
import Testing

@testable import LeadsService

/// The first matching grading rule gives the grade; no set, no match or a failing rule leave the
/// lead ungraded rather than guessed; an outcome that is not a known grade is refused when saved.
@Suite struct LeadGradingTests {
    static func rules(_ rules: [(id: String, condition: String, outcome: String)]) throws -> CompiledRuleSet {
        try CompiledRuleSet(
            rules.map { rule in
                .with {
                    $0.id = rule.id; $0.conditionJson = rule.condition; $0.outcomeJson = rule.outcome
                }
            }, compiler: RuleCompiler(registry: .domain()))
    }

    static let set = try! rules([
        ("big", #"{">=": [{"var": "budget"}, 100000]}"#, #"{"grade": "A"}"#),
        ("asked-price", #"{"in": ["报价", {"var": "inquiry"}]}"#, #"{"grade": "B"}"#),
        ("rest", "true", #"{"grade": "C"}"#),
    ])

    @Test func theFirstMatchingRuleGrades() {
        #expect(LeadGrading.grade(["budget": 200_000, "inquiry": "报价"], by: Self.set) == "A")
        #expect(LeadGrading.grade(["budget": 5_000, "inquiry": "想要报价单"], by: Self.set) == "B")
        #expect(LeadGrading.grade(["budget": 5_000, "inquiry": ""], by: Self.set) == "C")
    }

    @Test func noSetOrNoMatchLeavesTheLeadUngraded() throws {
        #expect(LeadGrading.grade(["budget": 200_000], by: nil) == "")
        let onlyBig = try Self.rules([("big", #"{">=": [{"var": "budget"}, 100000]}"#, #"{"grade": "A"}"#)])
        #expect(LeadGrading.grade(["budget": 10], by: onlyBig) == "")
    }

    @Test func anOutcomeThatIsNotAGradeIsAProblemAndNeverAGrade() throws {
        let bad = try Self.rules([
            ("lower", "true", #"{"grade": "a"}"#), ("word", "true", #"{"grade": "hot"}"#), ("none", "true", #"{"level": "A"}"#),
        ])
        #expect(
            LeadGrading.outcomeProblems(bad.entries).map(\.path) == ["rules[0].outcome.grade", "rules[1].outcome.grade", "rules[2].outcome.grade"])
        #expect(LeadGrading.grade([:], by: bad) == "")
    }
}
