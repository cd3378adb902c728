import Foundation
import SalesProto
import SwiftProtobuf

/// What a deal's history shows after a forecast that missed: the likely causes, in time order.
enum MissCauses {
    /// An approval signal this many days or more before the close waited.
    static let approvalWaitDays = 14.0
    /// No behaviour signal for this many days before the close: the signals stopped.
    static let silenceDays = 30.0

    /// Each stage's usual place in the tenant's deals: the average position at which deals first
    /// enter it. Histories carry stage keys, not the pipeline's order, so the order is learned.
    static func stageOrder(_ deals: [DealRecord]) -> [String: Double] {
        var sums: [String: (total: Double, count: Double)] = [:]
        for deal in deals {
            var seen: [String] = []
            for timed in deal.events {
                guard case .stage(let key) = timed.event, !seen.contains(key) else { continue }
                sums[key, default: (0, 0)].total += Double(seen.count)
                sums[key, default: (0, 0)].count += 1
                seen.append(key)
            }
        }
        return sums.mapValues { $0.total / $0.count }
    }

    /// `order` is `stageOrder` of the tenant's deals: a move to a stage that usually comes
    /// earlier, or back to one the deal was in, is a move back.
    static func find(_ deal: DealRecord, since forecast: Date, labels: [String: String], order: [String: Double])
        -> [Sales_Forecasting_V1_MissCause]
    {
        guard let closed = deal.closedAt else { return [] }
        func label(_ key: String) -> String { labels[key] ?? key }
        func day(_ date: Date) -> String { date.formatted(.iso8601.year().month().day()) }
        var causes: [Sales_Forecasting_V1_MissCause] = []
        func add(_ kind: String, _ detail: String, at: Date) {
            causes.append(
                .with {
                    $0.kind = kind
                    $0.detail = detail
                    $0.at = Google_Protobuf_Timestamp(date: at)
                })
        }
        var stages: [String] = []
        var behaviourBefore = 0
        var lastBehaviour: Date?
        var lastClose: Date?
        var pushes = 0
        var lastPush: Date?
        for timed in deal.events where timed.at <= closed {
            let after = timed.at >= forecast
            switch timed.event {
            case .stage(let key):
                let earlier = order[key].flatMap { new in stages.last.flatMap { order[$0] }.map { new < $0 - 0.5 } } ?? false
                if after, let current = stages.last, current != key, stages.contains(key) || earlier {
                    add("stage_moved_back", "\(current) → \(key)", at: timed.at)
                }
                stages.append(key)
            case .behaviour(let key):
                if !after { behaviourBefore += 1 }
                lastBehaviour = timed.at
                guard after else { continue }
                switch key {
                case "champion_left": add("key_person_left", "\(label(key)) on \(day(timed.at))", at: timed.at)
                case "competitor_price_cut": add("competitor", "\(label(key)) on \(day(timed.at))", at: timed.at)
                case "price_objection": add("objection", "\(label(key)) on \(day(timed.at))", at: timed.at)
                case "legal_review", "procurement_registered":
                    let waited = closed.timeIntervalSince(timed.at) / 86_400
                    if waited >= approvalWaitDays {
                        add("approval_waited", "\(label(key)) \(Int(waited)) days before the close", at: timed.at)
                    }
                default: break
                }
            case .external(let key):
                if after && key == "competitor_news" { add("competitor", "\(label(key)) on \(day(timed.at))", at: timed.at) }
            case .rep(_, let close, let disputed):
                if after && disputed { add("disputed", "the rep disputed the score, expecting \(close.map(day) ?? "later")", at: timed.at) }
                if let close, let previous = lastClose, close > previous.addingTimeInterval(86_400), after {
                    pushes += 1
                    lastPush = timed.at
                }
                if let close { lastClose = close }
            }
        }
        if let lastPush, pushes > 0 { add("date_pushed", "the rep moved the expected close later \(pushes) times", at: lastPush) }
        if behaviourBefore >= 3 {
            let quiet = closed.timeIntervalSince(lastBehaviour ?? deal.createdAt) / 86_400
            if quiet >= silenceDays {
                add("signals_stopped", "no behaviour signal in the \(Int(quiet)) days before the close", at: lastBehaviour ?? deal.createdAt)
            }
        }
        return causes.sorted { $0.at.date < $1.at.date }
    }
}
