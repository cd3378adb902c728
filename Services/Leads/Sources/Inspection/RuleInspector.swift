import Foundation
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit

/// Rule health: for each active routing and checkpoint rule, how often it matched recent leads
/// and how often the fields it reads were empty; plus the leads waiting on nobody.
struct RuleInspector: Sendable {
    let store: LeadStore
    let domain: LeadRuleDomain
    let activeRules: ActiveRuleSets
    let checkpoints: LeadCheckpoints

    func inspect(for caller: Caller, sampleSize: Int) async throws -> Sales_Leads_V1_RuleInspection {
        let catalog = try await domain.catalog(for: caller)
        let sample = try await domain.recentRecords(limit: sampleSize, for: caller)
        var inspection = Sales_Leads_V1_RuleInspection.with { $0.sampled = Int32(sample.count) }
        for name in [LeadGrading.ruleSetName, RoutingDecision.ruleSetName, Checkpoint.ruleSetName] {
            guard let active = try await activeRules.active(name, tenant: caller.tenant, catalog: catalog) else { continue }
            for entry in active.rules.entries {
                let matched = sample.filter { (try? entry.condition.matches($0.data)) == true }.count
                let fields = Self.fieldsRead(entry.condition.source).filter { catalog.field(named: $0) != nil }.sorted()
                inspection.rules.append(.with {
                    $0.ruleSet = name
                    $0.ruleID = entry.id
                    $0.matched = Int64(matched)
                    $0.fields = fields.map { field in
                        let empty = sample.filter { Self.isEmpty($0.data.objectValue?[field]) }.count
                        return .with {
                            $0.field = field
                            $0.emptyRate = sample.isEmpty ? 0 : Double(empty) / Double(sample.count)
                        }
                    }
                })
                if matched == 0 { inspection.neverMatched.append("\(name)/\(entry.id)") }
            }
        }
        inspection.unassigned = try await store.poolCount(for: caller)
        let recent = try await store.list(for: caller, status: .unspecified, page: try Page(.with { $0.pageSize = 200 }))
        let statuses = try await checkpoints.statuses(of: recent, tenant: caller.tenant, catalog: catalog)
        inspection.missedCheckpoints = Int64(statuses.filter { $0.contains { $0.state == .missed } }.count)
        return inspection
    }

    /// The top-level field names a rule's `var`s read (an over-approximation inside iterations).
    static func fieldsRead(_ rule: RuleValue) -> Set<String> {
        var fields: Set<String> = []
        var stack = [rule]
        while let value = stack.popLast() {
            switch value {
            case .object(let members):
                if let path = members["var"] {
                    let name = path.stringValue ?? path.arrayValue?.first?.stringValue ?? ""
                    if let first = name.split(separator: ".").first { fields.insert(String(first)) }
                }
                stack.append(contentsOf: members.values)
            case .array(let items):
                stack.append(contentsOf: items)
            default:
                break
            }
        }
        return fields
    }

    static func isEmpty(_ value: RuleValue?) -> Bool {
        switch value {
        case nil, .null?: true
        case .string(let text)?: text.isEmpty
        case .array(let items)?: items.isEmpty
        default: false
        }
    }
}
