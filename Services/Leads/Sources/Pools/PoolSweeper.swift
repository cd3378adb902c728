import Foundation
import Logging
import PostgresNIO
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import ServiceLifecycle

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
        let converted = Int16(Sales_Leads_V1_LeadStatus.converted.rawValue)
        // Business days are never more than calendar days, so this prefilter keeps every candidate.
        let rows = try await database.query(
            """
            SELECT id, tenant_id, since, warned, return_after, warn_before, grade FROM (
                SELECT l.id, l.tenant_id, greatest(l.assigned_at, l.last_touch_at) AS since, l.return_warned_at IS NOT NULL AS warned,
                       coalesce((p.return_days_by_grade ->> nullif(l.grade, ''))::integer, p.return_after_business_days, 10) AS return_after,
                       coalesce(p.warn_business_days_before, 2) AS warn_before, l.grade
                FROM leads l LEFT JOIN pool_policies p ON p.tenant_id = l.tenant_id
                WHERE l.owner_id <> '' AND l.status <> \(converted)
                  AND (\(tenant?.rawValue)::text IS NULL OR l.tenant_id = \(tenant?.rawValue))
            ) candidates
            WHERE return_after > 0 AND since < \(now) - make_interval(days => greatest(return_after - warn_before, 1))
            ORDER BY since LIMIT 500
            """)
        var outcome = Outcome()
        for try await (id, tenantRaw, since, warned, returnAfter, warnBefore, grade)
            in rows.decode((UUID, String, Date, Bool, Int32, Int32, String).self) {
            guard let tenant = TenantID(tenantRaw) else { continue }
            let elapsed = Self.businessDays(from: since, to: now, on: await calendars.calendar(for: tenant))
            if elapsed >= Int(returnAfter) {
                if try await returnToPool(id, tenant: tenant, days: Int(returnAfter), grade: grade) { outcome.returned += 1 }
            } else if warnBefore > 0, !warned, elapsed >= Int(returnAfter - warnBefore) {
                if try await warn(id, tenant: tenant, daysLeft: Int(returnAfter) - elapsed) { outcome.warned += 1 }
            }
        }
        outcome.checkpointAlerts = try await watch.run(tenant: tenant, now: now)
        outcome.reportsArchived = try await reports.archiveDue(tenant: tenant, now: now)
        return outcome
    }

    /// Workdays after the local date of `start`, up to and including that of `end`.
    static func businessDays(from start: Date, to end: Date, on calendar: WorkCalendar) -> Int {
        let first = calendar.localDate(of: start), last = calendar.localDate(of: end)
        guard first < last else { return 0 }
        var count = 0
        var day = first.adding(days: 1)
        while day <= last {
            if calendar.isWorkday(day) { count += 1 }
            day = day.adding(days: 1)
        }
        return count
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
            let rows = try await connection.query(
                "UPDATE leads SET return_warned_at = now() WHERE id = \(id) AND return_warned_at IS NULL AND owner_id <> '' RETURNING 1",
                logger: logger)
            var marked = false
            for try await _ in rows { marked = true }
            guard marked, let lead = try await store.find(id, for: system, on: connection, logger: logger) else { return false }
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

/// Runs the sweep every `interval` once the service is serving.
struct PoolSweeperService: Service {
    let sweeper: PoolSweeper
    let interval: Duration
    let health: HealthStatus

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard health.isServing else { continue }
                do {
                    let outcome = try await sweeper.sweep(tenant: nil)
                    if outcome != .init() {
                        sweeper.database.logger.info("pool sweep", metadata: [
                            "returned": "\(outcome.returned)", "warned": "\(outcome.warned)", "checkpoint_alerts": "\(outcome.checkpointAlerts)",
                            "reports_archived": "\(outcome.reportsArchived)"])
                    }
                } catch {
                    sweeper.database.logger.warning("pool sweep failed; retrying next round", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
