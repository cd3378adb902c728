import Foundation
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit

/// The opportunities rules the kit's RuleSetService keeps: "customer-health", over a customer's
/// named inputs. A dry run tries the caller's customers' inputs as they are now.
struct HealthRuleDomain: RuleDomain {
    let store: HealthStore
    let calendars: TenantCalendars
    let mappingTables: MappingTableStore

    var recordType: String { "customer" }
    var ruleSetNames: [String] { [HealthInputs.ruleSetName] }

    func catalog(for caller: Caller) async throws -> FieldCatalog { HealthInputs.catalog }

    func record(id: String, for caller: Caller) async throws -> RuleValue? {
        let customer = try Require.uuid(id, field: "record_id")
        guard try await store.sees(customer: customer, for: caller) else { return nil }
        let today = await calendars.calendar(for: caller.tenant).localDate(of: Date())
        return try await store.inputs(customer: customer, tenant: caller.tenant, today: today)?.value
    }

    func recentRecords(limit: Int, for caller: Caller) async throws -> [DryRunRecord] {
        let today = await calendars.calendar(for: caller.tenant).localDate(of: Date())
        var records: [DryRunRecord] = []
        for customer in try await store.recentCustomers(for: caller, limit: min(limit, 50)) {
            if let inputs = try await store.inputs(customer: customer, tenant: caller.tenant, today: today) {
                records.append(DryRunRecord(id: customer.apiString, data: inputs.value))
            }
        }
        return records
    }

    func outcomeProblems(of name: String, _ entries: [CompiledRuleSet.Entry]) -> [Sales_Common_V1_RuleProblem] {
        entries.outcomeProblems { entry in
            guard case .failure(let problem) = HealthFormula.parse(entry.outcome) else { return nil }
            return problem.message
        }
    }
}
