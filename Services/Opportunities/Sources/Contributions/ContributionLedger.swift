import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesNotifications
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The contribution matrix through a deal's life: live while the deal is open, frozen at the
/// win with a confirmation asked of each credited person, held when a part is disputed or still
/// unconfirmed after 72 hours, released when every part is confirmed. Each change is an event
/// for incentives.
struct ContributionLedger: Sendable {
    let store: ContributionStore
    let activities: ActivityStore
    let notifier: Notifier

    static let confirmationWindow: TimeInterval = 72 * 3_600
    /// A member whose part stays under `lowPartPoints` for `lowPartDays` days: their manager is told.
    static let lowPartDays = 15
    static let lowPartPoints = 5.0

    /// The frozen matrix of a won deal, else the live one.
    func matrix(of deal: Opportunity, tenant: TenantID, on connection: PostgresConnection? = nil) async throws
        -> Sales_Opportunities_V1_ContributionMatrix
    {
        if let frozen = try await store.frozen(deal.id, tenant: tenant, on: connection) { return frozen }
        return try await live(deal, tenant: tenant, on: connection)
    }

    func live(_ deal: Opportunity, tenant: TenantID, on connection: PostgresConnection? = nil) async throws
        -> Sales_Opportunities_V1_ContributionMatrix
    {
        let builder = ContributionMatrixBuilder(
            deal: deal, createdBy: deal.createdBy, team: try await store.team(of: deal.id, tenant: tenant, on: connection),
            weights: try await store.weights(tenant: tenant, on: connection))
        let recorded = try await activities.list(of: deal.id, tenant: tenant, limit: 10_000, on: connection).map(\.activity)
        return builder.build(from: recorded)
    }

    /// The deal was just won (in this transaction): freezes its matrix, asks the credited people.
    func dealWon(_ deal: Opportunity, tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws {
        guard try await store.frozen(deal.id, tenant: tenant, on: connection) == nil else { return }
        let now = Date()
        let confirmBy = now.addingTimeInterval(Self.confirmationWindow)
        let matrix = try await live(deal, tenant: tenant, on: connection)
        try await store.freeze(matrix, deal: deal.id, tenant: tenant, wonAt: now, confirmBy: confirmBy, on: connection, logger: logger)
        guard let frozen = try await store.frozen(deal.id, tenant: tenant, on: connection) else { return }
        try await Outbox.append(
            Sales_Opportunities_V1_ContributionMatrixFrozen.with {
                $0.matrix = frozen
                $0.ownerID = deal.ownerID
                $0.orgPath = deal.orgPath
                $0.amount = Sales_Common_V1_Money(deal.amount)
            },
            tenant: tenant, aggregateType: "opportunity", aggregateID: deal.id.apiString, on: connection, logger: logger)
        for share in frozen.shares {
            let actions = share.actions.map(ValueActions.chineseName).joined(separator: "、")
            try await notifier.enqueue(
                Notice(
                    kind: "contribution_confirm", audience: .person(share.personID), title: "请确认你的贡献",
                    text: "商机 \(deal.name)（\(deal.customerName)）已赢单。你的贡献：\(actions.isEmpty ? "负责人" : actions)，"
                        + "\(share.points) 分，\(Money(minorUnits: share.amount.minorUnits, currency: deal.amount.currency))。请在 72 小时内确认并写一句你做了什么。",
                    subjectID: deal.id.apiString, personal: true),
                tenant: tenant, on: connection, logger: logger)
        }
    }

    /// Records the caller's answer on a won deal and updates the hold.
    func answer(
        _ deal: Opportunity, by caller: Caller, statement: String, dispute: Bool, on connection: PostgresConnection, logger: Logger
    ) async throws -> Sales_Opportunities_V1_ContributionMatrix {
        guard try await store.frozen(deal.id, tenant: caller.tenant, lock: true, on: connection) != nil else {
            throw ServiceError.failedPrecondition("the deal is not won yet: parts are confirmed once it is")
        }
        let state: Sales_Opportunities_V1_ConfirmationState = dispute ? .disputed : .confirmed
        guard
            try await store.answer(
                deal.id, person: caller.userID, tenant: caller.tenant, state: state, statement: statement, on: connection, logger: logger)
        else { throw ServiceError.failedPrecondition("you have no part on this deal's contribution matrix to confirm") }
        guard let matrix = try await store.frozen(deal.id, tenant: caller.tenant, on: connection) else {
            throw ServiceError.unavailable("the matrix was not read back; retry")
        }
        let answered = matrix.shares.first { $0.personID == caller.userID }?.confirmation ?? .init()
        try await Outbox.append(
            Sales_Opportunities_V1_ContributionAnswered.with {
                $0.opportunityID = deal.id.apiString
                $0.personID = caller.userID
                $0.confirmation = answered
            },
            tenant: caller.tenant, aggregateType: "opportunity", aggregateID: deal.id.apiString, on: connection, logger: logger)
        return try await updateHold(matrix, deal: deal, tenant: caller.tenant, now: Date(), on: connection, logger: logger)
    }

    /// Held while a part is disputed, or unconfirmed past the deadline; released when all are confirmed.
    static func hold(of matrix: Sales_Opportunities_V1_ContributionMatrix, now: Date) -> String {
        let disputed = matrix.shares.filter { $0.confirmation.state == .disputed }.map(\.personID)
        if !disputed.isEmpty { return "disputed by \(disputed.joined(separator: ", "))" }
        let pending = matrix.shares.filter { $0.confirmation.state != .confirmed }.map(\.personID)
        if !pending.isEmpty, now > matrix.confirmBy.date {
            return "unconfirmed after 72 hours: \(pending.joined(separator: ", "))"
        }
        return ""
    }

    private func updateHold(
        _ matrix: Sales_Opportunities_V1_ContributionMatrix, deal: Opportunity, tenant: TenantID, now: Date,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> Sales_Opportunities_V1_ContributionMatrix {
        let reason = Self.hold(of: matrix, now: now)
        guard try await store.setHold(deal.id, held: !reason.isEmpty, reason: reason, on: connection, logger: logger),
            let changed = try await store.frozen(deal.id, tenant: tenant, on: connection)
        else { return matrix }
        try await Outbox.append(
            Sales_Opportunities_V1_ContributionHoldChanged.with { $0.matrix = changed },
            tenant: tenant, aggregateType: "opportunity", aggregateID: deal.id.apiString, on: connection, logger: logger)
        if changed.held, !matrix.held {
            try await notifier.enqueue(
                Notice(
                    kind: "contribution_held", audience: .team(deal.orgPath), title: "贡献确认未完成，激励暂缓",
                    text: "\(deal.ownerID) 的赢单 \(deal.name)（\(deal.customerName)）：\(changed.holdReason)。", subjectID: deal.id.apiString,
                    personal: false),
                tenant: tenant, on: connection, logger: logger)
        }
        return changed
    }

    /// Holds won deals whose deadline passed with a part unconfirmed, and checks the parts of
    /// members 15 days on a deal (their manager hears of one under 5 points). Every tenant's when nil.
    func sweep(tenant: TenantID?, deals: OpportunityStore, now: Date = Date()) async throws -> (held: Int, noted: Int) {
        let database = store.database
        let logger = database.logger
        var held = 0
        for (id, tenant) in try await store.overdue(tenant: tenant, now: now) {
            held += try await database.transaction { connection in
                guard let deal = try await deals.row(id, tenant: tenant, on: connection),
                    let matrix = try await store.frozen(id, tenant: tenant, lock: true, on: connection)
                else { return 0 }
                return try await updateHold(matrix, deal: deal, tenant: tenant, now: now, on: connection, logger: logger).held ? 1 : 0
            }
        }
        var noted = 0
        let joinedBefore = now.addingTimeInterval(-Double(Self.lowPartDays) * 86_400)
        for (id, tenant) in try await store.membersToCheck(tenant: tenant, joinedBefore: joinedBefore) {
            noted += try await database.transaction { connection in
                guard let deal = try await deals.row(id, tenant: tenant, on: connection) else { return 0 }
                let matrix = try await live(deal, tenant: tenant, on: connection)
                var told = 0
                for member in try await store.team(of: id, tenant: tenant, on: connection) where member.joinedAt < joinedBefore {
                    guard try await store.markChecked(id, person: member.personID, on: connection, logger: logger) else { continue }
                    let points = matrix.shares.first { $0.personID == member.personID }?.points ?? 0
                    guard points < Self.lowPartPoints else { continue }
                    try await notifier.enqueue(
                        Notice(
                            kind: "contribution_low", audience: .team(member.orgPath), title: "团队成员贡献偏低",
                            text: "\(member.personID) 加入商机 \(deal.name)（\(deal.customerName)）已 \(Self.lowPartDays) 天，"
                                + "记录的贡献只有 \(points) 分（低于 \(Int(Self.lowPartPoints)) 分）。请确认其工作是否已记录。",
                            subjectID: deal.id.apiString, personal: false),
                        tenant: tenant, on: connection, logger: logger)
                    told += 1
                }
                return told
            }
        }
        return (held, noted)
    }
}
