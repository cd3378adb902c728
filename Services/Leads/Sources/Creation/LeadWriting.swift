import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesNotifications
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Writes prepared leads: a batch in one transaction, or one lead on its own (a repeated key,
/// or every lead of a batch that failed, so one bad lead never fails the others).
struct LeadWriter: Sendable {
    let store: LeadStore
    let desk: RoutingDeskStore
    let notifier: Notifier

    var database: Database { store.database }

    typealias Written = Idempotency.Outcome<Sales_Leads_V1_CreateLeadResponse>

    /// Each lead's answer, in order; a lead whose key was used before gets the stored answer, marked as a repeat.
    func writeBatch(_ leads: [PreparedLead]) async -> [Result<Written, any Error>] {
        var results = [Result<Written, any Error>?](repeating: nil, count: leads.count)
        let logger = database.logger
        do {
            let answered = try await database.transaction { connection in
                var answered: [Int: Result<Written, any Error>] = [:]
                let keyed = leads.indices.filter { leads[$0].idempotencyKey?.isUsable ?? false }
                let calls = keyed.map { Idempotency.Call(key: leads[$0].idempotencyKey!, caller: leads[$0].caller, request: leads[$0].request) }
                let first = try await Idempotency.claim("CreateLead", calls, on: connection, logger: logger)
                // The repeats' stored answers in one statement (a re-run import is all repeats).
                let repeats = calls.indices.filter { !first.contains($0) }
                let stored = try await Idempotency.stored(
                    "CreateLead", repeats.map { calls[$0] }, as: Sales_Leads_V1_CreateLeadResponse.self, on: connection, logger: logger)
                for (call, answer) in zip(repeats, stored) {
                    answered[keyed[call]] = answer.map { result in result.map { Written(response: $0, isRepeat: true) }.mapError { $0 } }
                }
                let claimed = Set(first.map { keyed[$0] })
                let writing = leads.indices.filter { leads[$0].idempotencyKey == nil || claimed.contains($0) }
                let together = try await insertTogether(writing.map { leads[$0] }, on: connection, logger: logger)
                for (index, stored) in zip(writing, together) {
                    let lead = leads[index]
                    let response = try await RequestContext.$current.withValue(lead.context) {
                        if let (row, stored) = stored {
                            try await finish(stored, assignment: row.assignment, caller: lead.caller, on: connection, logger: logger)
                        } else {
                            try await write(lead, on: connection, logger: logger)
                        }
                    }
                    if let key = lead.idempotencyKey {
                        try await Idempotency.keep(response, key: key, on: connection, logger: logger)
                    }
                    answered[index] = .success(Written(response: response, isRepeat: false))
                }
                return answered
            }
            for (index, result) in answered { results[index] = result }
        } catch {
            logger.warning("a batch of new leads failed; writing them one by one", metadata: ["leads": "\(leads.count)", "error": "\(error)"])
        }
        // A key repeated within the batch, a lead whose batch failed, and unusable keys (refused with the reason).
        for index in leads.indices where results[index] == nil {
            do { results[index] = .success(try await writeAlone(leads[index])) } catch { results[index] = .failure(error) }
        }
        return results.map { $0! }
    }

    /// Writes in one statement the leads of a batch whose owner the desk need not choose (the
    /// round robin must see each hand-out before the next), one lead a customer key. For each
    /// lead, its row and what was stored, or nil for those left to `write` one at a time.
    private func insertTogether(
        _ leads: [PreparedLead], on connection: PostgresConnection, logger: Logger
    ) async throws -> [(row: NewLeadRow, stored: (lead: Lead, routed: Bool))?] {
        var keys: Set<[String]> = []
        let rows: [NewLeadRow?] = leads.map { lead in
            let key = [lead.caller.tenant.rawValue, lead.customerKey.kind, lead.customerKey.value]
            guard let assignment = assignmentWithoutDesk(lead), keys.insert(key).inserted else { return nil }
            return row(lead, assignment: assignment)
        }
        var stored = try await store.insert(rows.compactMap { $0 }, on: connection, logger: logger).makeIterator()
        return rows.map { row in row.flatMap { row in stored.next()!.map { (row, $0) } } }
    }

    /// One lead in its own transaction, answering a repeated key as Idempotency always does.
    func writeAlone(_ lead: PreparedLead) async throws -> Written {
        let logger = lead.context?.logger ?? database.logger
        return try await RequestContext.$current.withValue(lead.context) {
            guard let key = lead.idempotencyKey else {
                let response = try await database.transaction { connection in try await write(lead, on: connection, logger: logger) }
                return Written(response: response, isRepeat: false)
            }
            return try await Idempotency.runOnce("CreateLead", request: lead.request, key: key, caller: lead.caller, database: database) {
                connection in
                try await write(lead, on: connection, logger: logger)
            }
        }
    }

    /// The lead's owner from the desk, the customer and the lead, and its events.
    func write(_ prepared: PreparedLead, on connection: PostgresConnection, logger: Logger) async throws -> Sales_Leads_V1_CreateLeadResponse {
        let caller = prepared.caller
        let assignment =
            if let decision = prepared.decision {
                try await desk.assign(decision, tenant: caller.tenant, on: connection, logger: logger)
            } else {
                knownOwner(of: prepared)
            }
        let stored = try await store.insert(row(prepared, assignment: assignment), on: connection, logger: logger)
        return try await finish(stored, assignment: assignment, caller: caller, on: connection, logger: logger)
    }

    /// The owner when the desk need not be asked: the customer's known owner, or a decision
    /// without the desk (a pool, a named rep). Nil when the desk must choose.
    private func assignmentWithoutDesk(_ prepared: PreparedLead) -> LeadAssignment? {
        guard let decision = prepared.decision else { return knownOwner(of: prepared) }
        return RoutingDeskStore.assignWithoutDesk(decision)
    }

    private func knownOwner(of prepared: PreparedLead) -> LeadAssignment {
        LeadAssignment(
            ownerID: prepared.known?.ownerID ?? "", orgPath: prepared.known?.orgPath ?? prepared.caller.orgPath,
            reason: "repeat customer: stays with its owner")
    }

    private func row(_ prepared: PreparedLead, assignment: LeadAssignment) -> NewLeadRow {
        NewLeadRow(
            tenant: prepared.caller.tenant, lead: prepared.lead, key: prepared.customerKey, phoneHash: prepared.phoneHash,
            grade: prepared.grade, assignment: assignment)
    }

    /// What follows a stored lead: the desk's count, its events, and the team's notice when nobody took it.
    private func finish(
        _ stored: (lead: Lead, routed: Bool), assignment: LeadAssignment, caller: Caller, on connection: PostgresConnection, logger: Logger
    ) async throws -> Sales_Leads_V1_CreateLeadResponse {
        if stored.routed { try await desk.handedOut(assignment, tenant: caller.tenant, on: connection, logger: logger) }
        try await Outbox.append(
            Sales_Leads_V1_LeadCreated.with { $0.lead = stored.lead.message(for: LeadServiceHandler.eventReader(caller)) },
            tenant: caller.tenant, aggregateType: "lead", aggregateID: stored.lead.id.apiString, on: connection, logger: logger)
        if stored.routed, let waiting = assignment.awaitingOwner {
            try await announceAwaitingOwner(stored.lead, why: waiting, caller: caller, on: connection, logger: logger)
        }
        return .with { $0.lead = stored.lead.message(for: caller) }
    }

    /// A new lead nobody could take: the event for the feed, and the notice to its team.
    private func announceAwaitingOwner(
        _ lead: Lead, why: (english: String, chinese: String), caller: Caller, on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await Outbox.append(
            Sales_Leads_V1_LeadAwaitingOwner.with {
                $0.lead = lead.message(for: LeadServiceHandler.eventReader(caller))
                $0.teamPath = lead.orgPath
                $0.reason = why.english
                $0.at = Google_Protobuf_Timestamp(date: Date())
            },
            tenant: caller.tenant, aggregateType: "lead", aggregateID: lead.id.apiString, on: connection, logger: logger)
        try await notifier.enqueue(
            Notice(
                kind: "lead_awaiting_owner", audience: .team(lead.orgPath), title: "新线索无人接手",
                text: "\(lead.contactName)（\(lead.city.isEmpty ? "城市未知" : lead.city)）在 \(lead.orgPath) 公海等待分配：\(why.chinese)。",
                subjectID: lead.id.apiString, personal: false),
            tenant: caller.tenant, on: connection, logger: logger)
    }
}
