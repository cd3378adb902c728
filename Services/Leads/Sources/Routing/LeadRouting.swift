import Foundation
import RulesEngine
import SalesModel
import ServiceKit

/// Who a new customer's lead goes to, and why. The active "lead-routing" rule set decides first:
/// an outcome `{"owner": "li.na", "org_path": "/east/east-sh"}` assigns the rep, `{"org_path": "/east/east-hz"}`
/// puts the lead in that team's public pool. Without a matching rule a rep keeps what they enter,
/// and anything else (an integration, an admin, a manager) goes to the caller's team pool:
/// never silently onto a manager's own account.
struct LeadAssignment: Sendable, Equatable {
    static let ruleSetName = "lead-routing"

    var ownerID: String
    var orgPath: String
    var reason: String
    var ruleID: String?

    static func decide(matched: CompiledRuleSet.Entry?, version: Int32?, caller: Caller) -> LeadAssignment {
        if let matched, let version {
            let outcome = matched.outcome.objectValue ?? [:]
            if let path = outcome["org_path"]?.stringValue, path.hasPrefix("/") {
                let owner = outcome["owner"]?.stringValue ?? ""
                let reason = owner.isEmpty
                    ? "\(ruleSetName) v\(version) rule \(matched.id): public pool of \(path)"
                    : "\(ruleSetName) v\(version) rule \(matched.id): \(owner)"
                return LeadAssignment(ownerID: owner, orgPath: path, reason: reason, ruleID: matched.id)
            }
            var fallback = fallback(for: caller)
            fallback.reason = "\(ruleSetName) v\(version) rule \(matched.id) names no org_path; " + fallback.reason
            return fallback
        }
        return fallback(for: caller)
    }

    static func fallback(for caller: Caller) -> LeadAssignment {
        if caller.roles.contains(.rep), caller.managedSubtree == nil, !caller.seesWholeTenant {
            return LeadAssignment(ownerID: caller.userID, orgPath: caller.orgPath, reason: "no routing rule matched: kept by the rep who entered it")
        }
        return LeadAssignment(ownerID: "", orgPath: caller.orgPath, reason: "no routing rule matched: public pool of \(caller.orgPath)")
    }
}
