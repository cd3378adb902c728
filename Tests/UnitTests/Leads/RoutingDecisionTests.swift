import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf
import Testing

@testable import LeadsService

/// Where the routing rule set's outcome sends a lead before the desk picks a person, and what
/// happens without a rule or with an unusable outcome.
@Suite struct RoutingDecisionTests {
    static let tenant = TenantID("unit")!
    static let rep = Caller(tenant: tenant, userID: "li.na", roles: [.rep], orgPath: "/east/east-sh")
    static let manager = Caller(tenant: tenant, userID: "zhao.lei", roles: [.manager], orgPath: "/east")
    static let admin = Caller(tenant: tenant, userID: "admin", roles: [.admin], orgPath: "/hq")

    static func outcome(_ json: String) throws -> RuleValue { try RuleValue(json: json) }

    /// The target an outcome names, or nil when it is unusable.
    static func target(_ json: String) throws -> RoutingDecision.Target? {
        try? RoutingDecision.target(of: outcome(json)).get()
    }

    @Test func aTeamOutcomeCarriesItsPriorityScore() throws {
        #expect(try Self.target(#"{"team": "/east/east-sh", "priority_score": 90}"#) == .team("/east/east-sh", priorityScore: 90))
        #expect(try Self.target(#"{"team": "/east/east-sh"}"#) == .team("/east/east-sh", priorityScore: nil))
    }

    @Test func anOwnerOutcomeNamesTheRepAndTheirTeamAndAPathAloneIsThePool() throws {
        #expect(try Self.target(#"{"owner": "wang.fang", "org_path": "/east/east-hz"}"#) == .rep("wang.fang", team: "/east/east-hz"))
        #expect(try Self.target(#"{"org_path": "/east/east-hz"}"#) == .pool("/east/east-hz"))
        #expect(try Self.target(#"{"owner": "", "org_path": "/east/east-hz"}"#) == .pool("/east/east-hz"))
    }

    @Test(arguments: [
        (#""east""#, "an object"),
        (#"{"team": "east-sh"}"#, "outcome.team must be a team path"),
        (#"{"team": "/east//sh"}"#, "outcome.team must be a team path"),
        (#"{"team": "/east/east-sh", "priority_score": 101}"#, "priority_score must be a number from 0 to 100"),
        (#"{"team": "/east/east-sh", "priority_score": "high"}"#, "priority_score must be a number from 0 to 100"),
        (#"{"owner": "li.na"}"#, "outcome.team or outcome.org_path"),
    ])
    func anUnusableOutcomeSaysWhatIsWrong(json: String, message: String) throws {
        guard case .failure(let problem) = RoutingDecision.target(of: try Self.outcome(json)) else {
            Issue.record("\(json) was accepted")
            return
        }
        #expect(problem.message.contains(message), "\(problem.message)")
    }

    @Test func withoutARuleARepKeepsTheirLeadAndOthersSendItToTheirTeam() {
        let kept = RoutingDecision.decide(matched: nil, version: nil, caller: Self.rep)
        #expect(kept.target == .rep("li.na", team: "/east/east-sh"))
        #expect(!kept.checkDesk, "a rep who found the lead is not second-guessed by the desk")
        // Never silently onto a manager's or an admin's own account.
        #expect(RoutingDecision.decide(matched: nil, version: nil, caller: Self.manager).target == .team("/east", priorityScore: nil))
        #expect(RoutingDecision.decide(matched: nil, version: nil, caller: Self.admin).target == .team("/hq", priorityScore: nil))
    }

    @Test func aMatchedRuleIsNamedAndAnUnusableOneFallsBackSayingWhy() throws {
        let rules = try CompiledRuleSet(
            [
                .with {
                    $0.id = "east-ct"; $0.conditionJson = "true"; $0.outcomeJson = #"{"team": "/east/east-sh"}"#
                }
            ], compiler: RuleCompiler(registry: .domain()))
        let decided = RoutingDecision.decide(matched: rules.entries[0], version: 3, caller: Self.manager)
        #expect(decided.target == .team("/east/east-sh", priorityScore: nil))
        #expect(decided.origin == "lead-routing v3 rule east-ct")
        #expect(decided.ruleID == "east-ct")

        let broken = try CompiledRuleSet(
            [
                .with {
                    $0.id = "typo"; $0.conditionJson = "true"; $0.outcomeJson = #"{"team": "east"}"#
                }
            ], compiler: RuleCompiler(registry: .domain()))
        let fallback = RoutingDecision.decide(matched: broken.entries[0], version: 4, caller: Self.rep)
        #expect(fallback.target == .rep("li.na", team: "/east/east-sh"))
        #expect(fallback.origin.hasPrefix("lead-routing v4 rule typo is unusable (outcome.team must be a team path"))
        #expect(RoutingDecision.outcomeProblems(broken.entries).map(\.path) == ["rules[0].outcome"])
    }
}
