import Foundation
import GRPCCore
import RulesEngine
import SalesModel
import SalesProto
import SwiftProtobuf

/// sales.common.v1.RuleSetService for any service that owns rules: save (checked against the
/// domain's catalog, tenant fields included), versions, activation and roll-back, evaluation
/// with explanations, and dry runs against recent records or given ones.
public struct RuleSetServiceHandler: Sales_Common_V1_RuleSetService.SimpleServiceProtocol {
    let store: RuleSetStore
    let domain: any RuleDomain

    public init(store: RuleSetStore, domain: any RuleDomain) {
        self.store = store
        self.domain = domain
    }

    public func saveRuleSet(request: Sales_Common_V1_SaveRuleSetRequest, context: ServerContext) async throws -> Sales_Common_V1_RuleSetVersion {
        let caller = try requireAdmin()
        let name = try knownName(request.name)
        let comment = try Require.text(request.comment, field: "comment", maxLength: 500)
        _ = try await compile(request.rules, for: caller, name: name)
        return try await store.save(name: name, rules: request.rules, comment: comment, activate: request.activate, by: caller)
    }

    public func listRuleSetVersions(
        request: Sales_Common_V1_ListRuleSetVersionsRequest, context: ServerContext
    ) async throws -> Sales_Common_V1_ListRuleSetVersionsResponse {
        let caller = try RequestContext.caller()
        let versions = try await store.versions(name: try knownName(request.name), tenant: caller.tenant)
        return .with { $0.versions = versions }
    }

    public func activateRuleSetVersion(
        request: Sales_Common_V1_ActivateRuleSetVersionRequest, context: ServerContext
    ) async throws -> Sales_Common_V1_RuleSetVersion {
        let caller = try requireAdmin()
        let name = try knownName(request.name)
        guard request.version > 0 else { throw ServiceError.invalidArgument(field: "version", rule: "must be a saved version (1 or more)") }
        // A version saved before a field it reads was removed must not come back unchecked.
        if let version = try await store.versions(name: name, tenant: caller.tenant, only: request.version).first {
            _ = try await compile(version.rules, for: caller, name: name)
        }
        return try await store.activate(name: name, version: request.version, by: caller)
    }

    public func checkRuleSet(request: Sales_Common_V1_CheckRuleSetRequest, context: ServerContext) async throws
        -> Sales_Common_V1_CheckRuleSetResponse
    {
        let caller = try RequestContext.caller()
        let compiler = RuleCompiler(
            registry: try await domain.mappingTables.registry(for: caller.tenant).registry, catalog: try await domain.catalog(for: caller))
        return .with { $0.problems = CompiledRuleSet.problems(request.rules, compiler: compiler) }
    }

    public func evaluateRuleSet(request: Sales_Common_V1_EvaluateRuleSetRequest, context: ServerContext) async throws
        -> Sales_Common_V1_RuleSetOutcome
    {
        let caller = try RequestContext.caller()
        let name = try knownName(request.name)
        let version = try await version(name: name, number: request.version, for: caller)
        let record: RuleValue
        switch request.record {
        case .recordID(let id)?:
            guard let found = try await domain.record(id: id, for: caller) else {
                throw ServiceError.notFound(kind: domain.recordType, id: id)
            }
            record = found
        case .recordJson(let json)?:
            record = try Self.record(json, field: "record_json")
        case nil:
            throw ServiceError.invalidArgument(field: "record", rule: "give record_id or record_json")
        }
        let decision = try decide(try await compile(version.rules, for: caller, name: name), record, explain: true)
        return .with {
            $0.version = version.version
            $0.matchedRuleID = decision.entry?.id ?? ""
            $0.outcomeJson = decision.entry?.outcomeJSON ?? ""
            $0.trace = decision.trace
        }
    }

    public func dryRunRuleSet(request: Sales_Common_V1_DryRunRuleSetRequest, context: ServerContext) async throws
        -> Sales_Common_V1_DryRunRuleSetResponse
    {
        let caller = try RequestContext.caller()
        let name = try knownName(request.name)
        guard (0...5_000).contains(request.sampleSize) else {
            throw ServiceError.invalidArgument(field: "sample_size", rule: "must be between 0 (200) and 5,000")
        }
        let draft = try await compile(request.draft, for: caller, name: name, field: "draft")
        let active = try await store.active(name: name, tenant: caller.tenant)
        var current: CompiledRuleSet?
        if let active { current = try await compile(active.rules, for: caller, name: name) }
        var records: [DryRunRecord] = []
        if request.recordsJson.isEmpty {
            records = try await domain.recentRecords(limit: request.sampleSize == 0 ? 200 : Int(request.sampleSize), for: caller)
        } else {
            for (index, json) in request.recordsJson.enumerated() {
                records.append(DryRunRecord(id: "#\(index + 1)", data: try Self.record(json, field: "records_json[\(index)]")))
            }
        }
        var changes: [Sales_Common_V1_DryRunChange] = []
        var unmoved: [Sales_Common_V1_DryRunChange] = []
        for record in records {
            let now = try current.map { try decide($0, record.data, explain: false) }
            let then = try decide(draft, record.data, explain: false)
            guard now?.entry?.id != then.entry?.id || now?.entry?.outcome != then.entry?.outcome else { continue }
            let change = Sales_Common_V1_DryRunChange.with {
                $0.recordID = record.id
                $0.activeRuleID = now?.entry?.id ?? ""
                $0.activeOutcomeJson = now?.entry?.outcomeJSON ?? ""
                $0.draftRuleID = then.entry?.id ?? ""
                $0.draftOutcomeJson = then.entry?.outcomeJSON ?? ""
                $0.unmovedBecause = record.fixed[name] ?? ""
            }
            // An outcome nothing acts on is no change to the record: listed apart, with why.
            if record.fixed[name] == nil { changes.append(change) } else { unmoved.append(change) }
        }
        return .with {
            $0.activeVersion = active?.version ?? 0
            $0.evaluated = Int32(records.count)
            $0.changes = changes
            $0.unmoved = unmoved
        }
    }

    public func putMappingTable(request: Sales_Common_V1_PutMappingTableRequest, context: ServerContext) async throws -> Sales_Common_V1_MappingTable
    {
        let caller = try requireAdmin()
        let table = request.table
        guard (2...40).contains(table.name.count),
            table.name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") })
        else {
            throw ServiceError.invalidArgument(
                field: "table.name", rule: "must be 2 to 40 lowercase letters, digits, '-' or '_'; got \(quoted: table.name)")
        }
        guard (1...10_000).contains(table.entries.count) else {
            throw ServiceError.invalidArgument(field: "table.entries", rule: "needs 1 to 10,000 entries; got \(table.entries.count)")
        }
        if let blank = table.entries.keys.sorted().first(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw ServiceError.invalidArgument(
                field: "table.entries", rule: "a key is blank (\(quoted: blank)); every key must be a value rules will look up")
        }
        return try await domain.mappingTables.put(table, by: caller)
    }

    public func listMappingTables(
        request: Sales_Common_V1_ListMappingTablesRequest, context: ServerContext
    ) async throws -> Sales_Common_V1_ListMappingTablesResponse {
        let caller = try RequestContext.caller()
        let tables = try await domain.mappingTables.list(tenant: caller.tenant)
        return .with { $0.tables = tables }
    }

    // MARK: - Helpers

    private func compile(
        _ rules: [Sales_Common_V1_RuleDefinition], for caller: Caller, name: String? = nil, field: String = "rules"
    ) async throws -> CompiledRuleSet {
        let compiler = RuleCompiler(
            registry: try await domain.mappingTables.registry(for: caller.tenant).registry, catalog: try await domain.catalog(for: caller))
        let compiled: CompiledRuleSet
        do { compiled = try CompiledRuleSet(rules, compiler: compiler) } catch { throw Self.invalid(error.problems, field: field) }
        let problems = name.map { domain.outcomeProblems(of: $0, compiled.entries) } ?? []
        guard problems.isEmpty else { throw Self.invalid(problems, field: field) }
        return compiled
    }

    /// INVALID_ARGUMENT listing every problem with its path under `field`.
    static func invalid(_ problems: [Sales_Common_V1_RuleProblem], field: String) -> ServiceError {
        let listed = problems.map { $0.path.replacingOccurrences(of: "rules", with: field, options: .anchored) + ": " + $0.message }
        return .invalidArgument(field: field, rule: "\(listed.count) problem\(listed.count == 1 ? "" : "s"): " + listed.joined(separator: "; "))
    }

    private func decide(_ set: CompiledRuleSet, _ record: RuleValue, explain: Bool) throws -> CompiledRuleSet.Decision {
        do {
            return try set.decide(record, explain: explain)
        } catch {
            throw ServiceError.failedPrecondition("the rule set could not be evaluated on this record: \(error)")
        }
    }

    private func version(name: String, number: Int32, for caller: Caller) async throws -> Sales_Common_V1_RuleSetVersion {
        if number == 0 {
            guard let active = try await store.active(name: name, tenant: caller.tenant) else {
                throw ServiceError.failedPrecondition("rule set \(name) has no active version: activate one first")
            }
            return active
        }
        guard let found = try await store.versions(name: name, tenant: caller.tenant, only: number).first else {
            throw ServiceError.notFound(kind: "rule set version", id: "\(name) v\(number)")
        }
        return found
    }

    private func requireAdmin() throws -> Caller {
        try RequestContext.caller(allowedTo: .administer, "changing rule sets")
    }

    /// A rule set the service reads: a name it does not know would be saved and never apply.
    func knownName(_ text: String) throws(ServiceError) -> String {
        let known = domain.ruleSetNames
        guard known.contains(text) else {
            let hint = EditDistance.nearest(to: text, among: known).map { "did you mean \($0)? " } ?? ""
            throw .invalidArgument(
                field: "name", rule: "\(quoted: text) is not a rule set this service reads; \(hint)known: \(known.joined(separator: ", "))")
        }
        return text
    }

    static func record(_ json: String, field: String) throws(ServiceError) -> RuleValue {
        let value: RuleValue
        do { value = try RuleValue(json: json) } catch {
            throw .invalidArgument(field: field, rule: "is not JSON: \(error)")
        }
        guard case .object = value else { throw .invalidArgument(field: field, rule: "must be a JSON object of record fields") }
        return value
    }
}
