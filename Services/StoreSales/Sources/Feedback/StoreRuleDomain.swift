import Foundation
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit

/// The store-sales rules the kit's RuleSetService keeps: "store-feedback", over receipts.
struct StoreRuleDomain: RuleDomain {
    let receipts: ReceiptStore
    let mappingTables: MappingTableStore
    let calendars: TenantCalendars

    var recordType: String { "receipt" }
    var ruleSetNames: [String] { [FeedbackDue.ruleSetName] }

    func catalog(for caller: Caller) async throws -> FieldCatalog { FeedbackRecord.catalog }

    func record(id: String, for caller: Caller) async throws -> RuleValue? {
        let receipt = try Require.uuid(id, field: "record_id")
        return try await receipts.ruleRecords(for: caller, receipt: receipt, limit: 1, calendar: await calendars.calendar(for: caller.tenant))
            .first?.data
    }

    func recentRecords(limit: Int, for caller: Caller) async throws -> [DryRunRecord] {
        try await receipts.ruleRecords(for: caller, receipt: nil, limit: min(limit, 200), calendar: await calendars.calendar(for: caller.tenant))
    }

    func outcomeProblems(of name: String, _ entries: [CompiledRuleSet.Entry]) -> [Sales_Common_V1_RuleProblem] {
        entries.outcomeProblems { entry in
            guard case .failure(let problem) = FeedbackDue.parse(entry.outcome) else { return nil }
            return problem.message
        }
    }
}
