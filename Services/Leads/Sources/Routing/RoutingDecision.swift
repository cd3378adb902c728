import Foundation
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit

/// Where the active "lead-routing" rule set (or the fallback) sends a new customer's lead, before
/// the routing desk picks a person. Outcomes:
/// - `{"team": "/east/east-sh", "priority_score": 90}`: the team's reps by weighted round robin
///   (reps scoring 90 or more pick first), then whoever is on duty, then the team's pool with an
///   alert to its manager;
/// - `{"owner": "li.na", "org_path": "/east/east-sh"}`: that rep, unless the desk knows them to be
///   inactive, on leave or at capacity (then as a team outcome for org_path);
/// - `{"org_path": "/east/east-hz"}`: that team's public pool, deliberately (no alert).
/// Without a matching rule, a rep keeps what they enter; anything else (an integration, an admin,
/// a manager) goes to the caller's team as a team outcome: never silently onto a manager's own account.
struct RoutingDecision: Sendable, Equatable {
    static let ruleSetName = "lead-routing"

    enum Target: Sendable, Equatable {
        case rep(String, team: String)
        case team(String, priorityScore: Double?)
        case pool(String)
    }

    var target: Target
    /// Which rule or fallback decided, e.g. "lead-routing v3 rule east-ct".
    var origin: String
    var ruleID: String?
    /// A rep named by a rule is checked at the desk (leave, capacity); a rep keeping their own
    /// entry is not: they found the lead.
    var checkDesk = true

    static func decide(matched: CompiledRuleSet.Entry?, version: Int32?, caller: Caller) -> RoutingDecision {
        guard let matched, let version else { return fallback(for: caller) }
        let origin = "\(ruleSetName) v\(version) rule \(matched.id)"
        switch target(of: matched.outcome) {
        case .success(let target):
            return RoutingDecision(target: target, origin: origin, ruleID: matched.id)
        case .failure(let problem):
            var fallback = fallback(for: caller)
            fallback.origin = "\(origin) is unusable (\(problem.message)); " + fallback.origin
            return fallback
        }
    }

    static func fallback(for caller: Caller) -> RoutingDecision {
        if caller.roles.contains(.rep), caller.managedSubtree == nil, !caller.seesWholeTenant {
            return RoutingDecision(
                target: .rep(caller.userID, team: caller.orgPath), origin: "no routing rule matched: kept by the rep who entered it",
                checkDesk: false)
        }
        return RoutingDecision(target: .team(caller.orgPath, priorityScore: nil), origin: "no routing rule matched: team \(caller.orgPath)")
    }

    struct OutcomeProblem: Error { let message: String }

    static func target(of outcome: RuleValue) -> Result<Target, OutcomeProblem> {
        guard let object = outcome.objectValue else {
            return .failure(.init(message: "the outcome must be an object with team, or org_path and an optional owner"))
        }
        if let team = object["team"] {
            guard let path = team.stringValue, OrgPath.isValid(path) else {
                return .failure(.init(message: "outcome.team must be a team path such as \"/east/east-sh\""))
            }
            let score = object["priority_score"]
            guard score == nil || score?.numberValue.map({ (0...100).contains($0) }) == true else {
                return .failure(.init(message: "outcome.priority_score must be a number from 0 to 100"))
            }
            return .success(.team(path, priorityScore: score?.numberValue))
        }
        guard let path = object["org_path"]?.stringValue, OrgPath.isValid(path) else {
            return .failure(.init(message: "outcome.team or outcome.org_path (a team path such as \"/east/east-sh\") is required"))
        }
        if let owner = object["owner"]?.stringValue, !owner.isEmpty { return .success(.rep(owner, team: path)) }
        return .success(.pool(path))
    }

    static func outcomeProblems(_ entries: [CompiledRuleSet.Entry]) -> [Sales_Common_V1_RuleProblem] {
        entries.outcomeProblems { entry in
            guard case .failure(let problem) = target(of: entry.outcome) else { return nil }
            return problem.message
        }
    }
}

/// Who a new lead goes to and why; `awaitingOwner` is set when it waits in a pool nobody chose
/// for it, and says why (the manager is alerted).
struct LeadAssignment: Sendable {
    var ownerID: String
    var orgPath: String
    var reason: String
    var ruleID: String?
    var awaitingOwner: (english: String, chinese: String)? = nil
    /// The routing desk chose the owner: its round robin counts the lead.
    var pickedByDesk = false
}
