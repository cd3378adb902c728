import Foundation
import Logging
import PostgresNIO
import RulesEngine
import SalesModel
import SalesNotifications
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Returns private leads nobody followed up to the public pool, after the tenant's number of
/// business days (work calendar: weekends, holidays, 调休), warning the owner before. The clock
/// starts when the lead reached its owner (assigned_at: created, claimed, routed, merged) and
/// only a real follow-up resets it (last_touch_at); a status change does not.
struct PoolSweeper: Sendable {
    let database: Database
    let store: LeadStore
    let pools: PoolStore
    let notifier: Notifier
    /// Missed checkpoints are announced, and the month's rule health report archived, in the same periodic pass.
    let watch: CheckpointWatch
    let reports: RuleHealthArchive
    let calendars: TenantCalendars

    struct Outcome: Sendable, Equatable {
        var returned = 0
        var warned = 0
        var checkpointAlerts = 0
        var reportsArchived = 0
    }

    /// One pass over the leads of `tenant` (every tenant when nil).
    func sweep(tenant: TenantID?, now: Date = Date()) async throws -> Outcome {
        var outcome = Outcome()
        for candidate in try await store.returnCandidates(tenant: tenant, now: now) {
            let elapsed = await calendars.calendar(for: candidate.tenant).workdays(from: candidate.since, to: now)
            let (returnAfter, warnBefore) = (candidate.returnAfter, candidate.warnBefore)
            if elapsed >= returnAfter {
                if try await returnToPool(candidate.id, tenant: candidate.tenant, days: returnAfter, grade: candidate.grade) {
                    outcome.returned += 1
                }
            } else if warnBefore > 0, !candidate.warned, elapsed >= returnAfter - warnBefore {
                if try await warn(candidate.id, tenant: candidate.tenant, daysLeft: returnAfter - elapsed) { outcome.warned += 1 }
            }
        }
        outcome.checkpointAlerts = try await watch.run(tenant: tenant, now: now)
        outcome.reportsArchived = try await reports.archiveDue(tenant: tenant, now: now)
        return outcome
    }

    private func returnToPool(_ id: UUID, tenant: TenantID, days: Int, grade: String) async throws -> Bool {
        let system = Self.system(tenant)
        let logger = database.logger
        return try await database.transaction { connection in
            guard let lead = try await store.find(id, for: system, lock: true, on: connection, logger: logger), !lead.ownerID.isEmpty else {
                return false
            }
            let reason = "no real follow-up for \(days) business days" + (grade.isEmpty ? "" : " (grade \(grade))")
            let released = try await store.assign(lead, to: "", orgPath: lead.orgPath, on: connection, logger: logger)
            try await pools.recordRelease(id, previousOwner: lead.ownerID, reason: reason, tenant: tenant, on: connection, logger: logger)
            try await Outbox.append(
                Sales_Leads_V1_LeadReleased.with {
                    $0.lead = released.message(for: system)
                    $0.previousOwnerID = lead.ownerID
                    $0.reason = reason
                },
                tenant: tenant, aggregateType: "lead", aggregateID: id.apiString, on: connection, logger: logger)
            try await notifier.enqueue(
                Notice(
                    kind: "lead_returned", audience: .person(lead.ownerID), title: "线索已退回公海",
                    text: "\(lead.contactName) 已退回 \(lead.orgPath) 公海：\(days) 个工作日没有有效跟进\(grade.isEmpty ? "" : "（\(grade) 级线索）")。冷却期内不能再次领取。",
                    subjectID: id.apiString, personal: true),
                tenant: tenant, on: connection, logger: logger)
            return true
        }
    }

    private func warn(_ id: UUID, tenant: TenantID, daysLeft: Int) async throws -> Bool {
        let system = Self.system(tenant)
        let logger = database.logger
        return try await database.transaction { connection in
            guard try await store.markReturnWarned(id, on: connection, logger: logger),
                let lead = try await store.find(id, for: system, on: connection, logger: logger)
            else { return false }
            try await Outbox.append(
                Sales_Leads_V1_LeadReturnWarning.with {
                    $0.lead = lead.message(for: system)
                    $0.businessDaysLeft = Int32(daysLeft)
                },
                tenant: tenant, aggregateType: "lead", aggregateID: id.apiString, on: connection, logger: logger)
            try await notifier.enqueue(
                Notice(
                    kind: "lead_return_warning", audience: .person(lead.ownerID), title: "线索即将退回公海",
                    text: "\(lead.contactName)：\(daysLeft) 个工作日内没有有效跟进（电话、拜访、微信、邮件）将退回公海。",
                    subjectID: id.apiString, personal: true),
                tenant: tenant, on: connection, logger: logger)
            return true
        }
    }

    static func system(_ tenant: TenantID) -> Caller {
        Caller.service(.leads, tenant: tenant)
    }
}

extension PoolSweeper {
    /// The sweep as a background job, every `interval`; what a round did goes to the log.
    func job(every interval: Duration, health: HealthStatus) -> PeriodicJob {
        PeriodicJob("pool-sweep", schedule: .every(interval), health: health, logger: database.logger) {
            let outcome = try await sweep(tenant: nil)
            if outcome != .init() {
                database.logger.info(
                    "pool sweep",
                    metadata: [
                        "returned": "\(outcome.returned)", "warned": "\(outcome.warned)", "checkpoint_alerts": "\(outcome.checkpointAlerts)",
                        "reports_archived": "\(outcome.reportsArchived)",
                    ])
            }
            return .idle
        }
    }
}
