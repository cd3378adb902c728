import RulesEngine
import SalesModel
import SalesProto

/// What a service that owns rule sets tells the kit's RuleSetService: the fields its rules may
/// read (built-in and the tenant's own), the operators they may call, and its records as rules see them.
public protocol RuleDomain: Sendable {
    /// The record type, e.g. "lead".
    var recordType: String { get }

    /// The rule sets the service reads, e.g. lead-routing: the only names a set is saved under.
    var ruleSetNames: [String] { get }

    func catalog(for caller: Caller) async throws -> FieldCatalog

    /// The tenant's mapping tables, kept by the kit's RuleSetService, and the operators its
    /// rules may call over them.
    var mappingTables: MappingTableStore { get }

    /// One record in the caller's scope, or nil when there is none.
    func record(id: String, for caller: Caller) async throws -> RuleValue?

    /// The caller's most recent records, newest first, for dry runs.
    func recentRecords(limit: Int, for caller: Caller) async throws -> [DryRunRecord]

    /// Problems with the outcomes of a named set whose outcomes the domain reads (checkpoints, routing).
    func outcomeProblems(of name: String, _ entries: [CompiledRuleSet.Entry]) -> [Sales_Common_V1_RuleProblem]
}

extension RuleDomain {
    public func outcomeProblems(of name: String, _ entries: [CompiledRuleSet.Entry]) -> [Sales_Common_V1_RuleProblem] { [] }
}

/// A record a dry run tries: its id, its data, and for each set whose outcome would not move it
/// (something else decides it), why. A record given as JSON is never fixed.
public struct DryRunRecord: Sendable {
    public let id: String
    public let data: RuleValue
    /// By rule set name, e.g. ["lead-routing": "repeat customer: stays with its owner li.na"].
    public let fixed: [String: String]

    public init(id: String, data: RuleValue, fixed: [String: String] = [:]) {
        self.id = id
        self.data = data
        self.fixed = fixed
    }
}
