import Foundation
import Logging
import RulesEngine
import SalesModel
import SalesNotifications
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Flags deals that stopped moving: no stage progress for the stage's dwell limit in business
/// hours, or no activity for its limit in working days, both in the tenant's calendar (holidays
/// and 调休 days included). The owner is reminded and the team's channels copied, once per stay in
/// a stage; a move or an activity clears the flag.
struct StaleDealSweeper: Sendable {
    let store: OpportunityStore
    let pipelines: PipelineStore
    let notifier: Notifier
    let calendars: TenantCalendars

    /// One pass over `tenant`'s deals (every tenant's when nil); returns how many were flagged.
    func sweep(tenant: TenantID?, now: Date = Date()) async throws -> Int {
        var flagged = 0
        var followed: [String: PipelineDefinition] = [:]
        // No limit is shorter than an hour of calendar time, so younger stays are not read.
        for candidate in try await store.staleCandidates(tenant: tenant, minimumAge: .seconds(3_600), now: now) {
            let key = "\(candidate.tenant.rawValue)/\(candidate.pipeline)/\(candidate.pipelineVersion)"
            if followed[key] == nil {
                followed[key] = try await pipelines.version(candidate.pipeline, candidate.pipelineVersion, tenant: candidate.tenant)
            }
            guard let stage = followed[key]?.stage(candidate.stageKey) else { continue }
            let reasons = Self.reasons(
                stage: stage, enteredAt: candidate.stageEnteredAt, lastActivity: candidate.lastActivity, now: now,
                calendar: await calendars.calendar(for: candidate.tenant))
            guard !reasons.isEmpty, try await flag(candidate, reasons: reasons) else { continue }
            flagged += 1
        }
        return flagged
    }

    /// Why a deal in `stage` is stale now, in English (the API) and Chinese (the notice); empty when it is not.
    static func reasons(
        stage: PipelineDefinition.Stage, enteredAt: Date, lastActivity: Date, now: Date, calendar: WorkCalendar
    ) -> [(english: String, chinese: String)] {
        var reasons: [(String, String)] = []
        if stage.dwellLimitBusinessHours > 0 {
            let hours = Int(((try? calendar.workingSeconds(from: enteredAt, to: now)) ?? 0) / 3_600)
            if hours >= stage.dwellLimitBusinessHours {
                reasons.append(
                    (
                        "no stage progress for \(hours) business hours in \(stage.key) (limit \(stage.dwellLimitBusinessHours))",
                        "在「\(stage.key)」\(hours) 个工作小时没有推进（上限 \(stage.dwellLimitBusinessHours)）"
                    ))
            }
        }
        if stage.activityLimitBusinessDays > 0 {
            let days = calendar.workdays(from: lastActivity, to: now)
            if days >= stage.activityLimitBusinessDays {
                reasons.append(
                    (
                        "no activity for \(days) working days (limit \(stage.activityLimitBusinessDays))",
                        "\(days) 个工作日没有任何跟进活动（上限 \(stage.activityLimitBusinessDays)）"
                    ))
            }
        }
        return reasons
    }

    private func flag(_ candidate: OpportunityStore.StaleCandidate, reasons: [(english: String, chinese: String)]) async throws -> Bool {
        let logger = store.database.logger
        return try await store.database.transaction { connection in
            guard
                let deal = try await store.flagStale(
                    candidate, reason: reasons.map(\.english).joined(separator: "; "), on: connection, logger: logger)
            else { return false }
            try await Outbox.append(
                Sales_Opportunities_V1_OpportunityWentStale.with { $0.opportunity = deal.message },
                tenant: candidate.tenant, aggregateType: "opportunity", aggregateID: deal.id.apiString, on: connection, logger: logger)
            let why = reasons.map(\.chinese).joined(separator: "；")
            try await notifier.enqueue(
                Notice(
                    kind: "deal_stale", audience: .person(deal.ownerID), title: "商机停滞提醒",
                    text: "\(deal.name)（\(deal.customerName)）：\(why)。请推进阶段或记录跟进。", subjectID: deal.id.apiString,
                    personal: true),
                tenant: candidate.tenant, on: connection, logger: logger)
            try await notifier.enqueue(
                Notice(
                    kind: "deal_stale_copy", audience: .team(deal.orgPath), title: "商机停滞（抄送主管）",
                    text: "\(deal.ownerID) 的商机 \(deal.name)（\(deal.customerName)）：\(why)。", subjectID: deal.id.apiString,
                    personal: false),
                tenant: candidate.tenant, on: connection, logger: logger)
            return true
        }
    }
}
