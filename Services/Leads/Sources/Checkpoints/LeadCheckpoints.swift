import Foundation
import Logging
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit

/// The tenant's active checkpoints applied to leads: statuses for the API, and the refusal to
/// advance a lead with a missed one.
struct LeadCheckpoints: Sendable {
    let activeRules: ActiveRuleSets
    let calendars: TenantCalendars

    func statuses(of lead: Lead, tenant: TenantID, catalog: FieldCatalog, now: Date = Date()) async throws -> [Sales_Leads_V1_CheckpointStatus] {
        try await statuses(of: [lead], tenant: tenant, catalog: catalog, now: now)[0]
    }

    /// Statuses of many leads with one look-up of the active checkpoints (a list page).
    func statuses(of leads: [Lead], tenant: TenantID, catalog: FieldCatalog, now: Date = Date()) async throws -> [[Sales_Leads_V1_CheckpointStatus]] {
        guard let active = try await activeRules.active(Checkpoint.ruleSetName, tenant: tenant, catalog: catalog) else {
            return leads.map { _ in [] }
        }
        let calendar = await calendars.calendar(for: tenant)
        return leads.map { lead in
            let applicable: [CompiledRuleSet.Entry]
            do { applicable = try active.rules.matching(lead.ruleValue) } catch {
                RequestContext.logger.warning("checkpoint rule failed on a lead", metadata: ["error": "\(error)"])
                return []
            }
            return applicable.compactMap { entry in
                guard case .success(let checkpoint) = Checkpoint.parse(entry.outcome, ruleID: entry.id) else { return nil }
                return checkpoint.status(of: lead, now: now, calendar: calendar)
            }
        }
    }

    /// FAILED_PRECONDITION naming the missed checkpoints, if any.
    func requireNoneMissed(_ lead: Lead, tenant: TenantID, catalog: FieldCatalog) async throws {
        let missed = try await statuses(of: lead, tenant: tenant, catalog: catalog).filter { $0.state == .missed }
        guard !missed.isEmpty else { return }
        let names = missed.map { "\($0.label) (\(Self.describe($0.requirement)), \($0.elapsed.english) of \($0.limit.english))" }
        throw ServiceError.failedPrecondition("missed checkpoint: \(names.joined(separator: "; ")); meet it before moving the lead on")
    }

    static func describe(_ requirement: String) -> String {
        requirement == "first_touch" ? "log the first follow-up" : "fill custom_fields.\(requirement.dropFirst(6))"
    }

    /// The requirement as a notice in Chinese says it.
    static func describeInChinese(_ requirement: String) -> String {
        requirement == "first_touch" ? "记录首次跟进" : "填写字段 \(requirement.dropFirst(6))"
    }

    /// Outcome problems for the checkpoints set, reported on save.
    static func outcomeProblems(_ entries: [CompiledRuleSet.Entry]) -> [Sales_Common_V1_RuleProblem] {
        entries.outcomeProblems { entry in
            guard case .failure(let error) = Checkpoint.parse(entry.outcome, ruleID: entry.id) else { return nil }
            return error.message
        }
    }
}

extension Sales_Leads_V1_CheckpointStatus {
    /// The time counted so far and the limit, as a person says them.
    var elapsed: SpokenDuration { SpokenDuration(hours: elapsedHours, business: businessHours) }
    var limit: SpokenDuration { SpokenDuration(hours: limitHours, business: businessHours) }
}
