import Foundation
import SalesProto
import SwiftProtobuf

/// A deal as forecasting knows it: its dimensions, outcome and timestamped history. Training,
/// scoring and backtests read it cut at an as-of moment, so nothing later can leak in.
struct DealRecord: Sendable {
    enum Outcome: Int16, Sendable {
        case open = 0, won = 1, lost = 2
    }

    enum Event: Sendable, Equatable {
        case stage(String)
        case behaviour(String)
        case external(String)
        case rep(percent: Int, close: Date?, disputed: Bool)
    }

    struct Timed: Sendable {
        let at: Date
        let event: Event
    }

    let id: String
    let ownerID: String
    let team: String
    let region: String
    let segment: String
    let industry: String
    let amount: Int64
    let createdAt: Date
    let outcome: Outcome
    let closedAt: Date?
    /// In time order.
    let events: [Timed]
    /// Its place in the store, for paging.
    var seq: Int64 = 0
    /// The customer's id in the leads service, when known.
    var customerID = ""

    /// Whether it was open at `moment`: created before it and not yet closed.
    func isOpen(at moment: Date) -> Bool {
        createdAt < moment && (closedAt.map { $0 >= moment } ?? true)
    }

    func won(before moment: Date) -> Bool {
        outcome == .won && (closedAt.map { $0 < moment } ?? false)
    }

    /// The deal as if its owner had never disputed its score.
    func withoutDisputes() -> DealRecord {
        DealRecord(
            id: id, ownerID: ownerID, team: team, region: region, segment: segment, industry: industry, amount: amount, createdAt: createdAt,
            outcome: outcome,
            closedAt: closedAt, events: events.filter { if case .rep(_, _, true) = $0.event { false } else { true } }, seq: seq,
            customerID: customerID)
    }

    var disputes: Int { events.count { if case .rep(_, _, true) = $0.event { true } else { false } } }

    /// What was known of the deal at `moment`: nil before it was created; the outcome only once
    /// it was closed; events before it only.
    func cut(at moment: Date) -> DealRecord? {
        guard createdAt < moment else { return nil }
        let closed = closedAt.map { $0 < moment } ?? false
        return DealRecord(
            id: id, ownerID: ownerID, team: team, region: region, segment: segment, industry: industry, amount: amount, createdAt: createdAt,
            outcome: closed ? outcome : .open, closedAt: closed ? closedAt : nil, events: events.prefix { $0.at < moment }.map { $0 }, seq: seq,
            customerID: customerID)
    }
}

extension DealRecord {
    /// From the stored (checked) history.
    init(_ deal: Sales_Forecasting_V1_HistoryDeal) {
        id = deal.externalID
        ownerID = deal.ownerID
        team = deal.team
        region = deal.region.isEmpty ? Self.region(of: deal.team) : deal.region
        segment = deal.segment
        industry = deal.industry
        amount = deal.amount.minorUnits
        createdAt = deal.createdAt.date
        outcome = Outcome(rawValue: Int16(deal.outcome.rawValue)) ?? .open
        closedAt = deal.outcome == .open ? nil : deal.closedAt.date
        customerID = deal.customerID
        events = deal.events.compactMap { event in
            let timed: Event? =
                switch event.kind {
                case .stage(let key): .stage(key)
                case .behaviour(let key): .behaviour(key)
                case .external(let key): .external(key)
                case .repEntry(let entry):
                    .rep(
                        percent: Int(entry.probabilityPercent), close: entry.hasExpectedClose ? entry.expectedClose.date : nil,
                        disputed: entry.fromDispute)
                case nil: nil
                }
            return timed.map { Timed(at: event.at.date, event: $0) }
        }
    }

    /// A team path's first segment ("/east/hz" is in "east").
    static func region(of team: String) -> String {
        team.split(separator: "/").first.map(String.init) ?? ""
    }
}
