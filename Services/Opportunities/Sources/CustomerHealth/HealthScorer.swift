import Foundation
import PostgresNIO
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Scores a customer: its inputs, the tenant's active "customer-health" rules (else the built-in
/// ones), the score kept when it changed, and its trend over 30 days.
struct HealthScorer: Sendable {
    let store: HealthStore
    let activeRules: ActiveRuleSets
    let calendars: TenantCalendars

    // The built-in rules are constants, compiled against their own catalog; HealthFormulaTests compiles them too.
    static let builtInRules = try! CompiledRuleSet(HealthFormula.builtIn, compiler: RuleCompiler(catalog: HealthInputs.catalog))

    /// nil when the tenant has no deal of the customer.
    func score(_ customer: UUID, tenant: TenantID, on connection: PostgresConnection? = nil) async throws -> Sales_Opportunities_V1_CustomerHealth? {
        let calendar = await calendars.calendar(for: tenant)
        let now = Date()
        guard let inputs = try await store.inputs(customer: customer, tenant: tenant, today: calendar.localDate(of: now), on: connection) else {
            return nil
        }
        let own = try await activeRules.active(HealthInputs.ruleSetName, tenant: tenant, catalog: HealthInputs.catalog)
        let (score, deductions) = try HealthFormula.score(inputs, rules: own?.rules ?? Self.builtInRules)
        var health = Sales_Opportunities_V1_CustomerHealth.with {
            $0.customerID = customer.apiString
            $0.score = Int32(score)
            $0.deductions = deductions
            for deduction in deductions { $0.sides[deduction.side, default: 0] += deduction.points }
            $0.inputsJson = inputs.value.json
            $0.computedAt = Google_Protobuf_Timestamp(date: now)
            $0.builtInFormula = own == nil
        }
        try await store.keep(health, customer: customer, tenant: tenant, on: connection)
        let before = try await store.scoreBefore(customer: customer, tenant: tenant, moment: now) ?? score
        health.scoreBefore = Int32(before)
        health.change = Int32(score - before)
        return health
    }
}
