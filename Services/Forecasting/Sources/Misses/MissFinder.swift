import Foundation
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The deals whose forecast missed: won 15 or more days after the close forecast at the first
/// month start the model gave them 50% or more for that month, or lost after the model gave
/// them 50% or more for their quarter. Read in hindsight with the tenant's current model, at
/// each month start of the deal's life, from what was known then.
struct MissFinder: Sendable {
    static let lateDays = 15.0
    static let high = 0.5

    let forecaster: Forecaster
    /// The tenant's usual stage order, for telling a move back.
    let order: [String: Double]

    init(forecaster: Forecaster) {
        self.forecaster = forecaster
        order = MissCauses.stageOrder(forecaster.deals)
    }

    func miss(_ deal: DealRecord) -> Sales_Forecasting_V1_DealMiss? {
        guard let closed = deal.closedAt, deal.outcome != .open else { return nil }
        let calendar = forecaster.calendar
        var moment = Period.month(containing: deal.createdAt, in: calendar).end
        var best: (at: Date, score: Double)?
        while moment < closed {
            defer { moment = Period.month(containing: moment, in: calendar).end }
            guard let state = DealState(deal, at: moment) else { continue }
            switch deal.outcome {
            case .won:
                let month = Period.month(containing: moment, in: calendar)
                let p = forecaster.probability(state, before: month.end)
                guard p >= Self.high else { continue }
                let forecast = min(forecaster.model.expectedClose(state), month.end)
                let late = closed.timeIntervalSince(forecast) / 86_400
                guard late >= Self.lateDays else { return nil }
                return report(deal, kind: "late", at: moment, score: p, forecast: forecast, daysLate: Int(late))
            case .lost:
                let p = forecaster.probability(state, before: Period.quarter(containing: moment, in: calendar).end)
                if p >= Self.high && p > (best?.score ?? 0) { best = (moment, p) }
            case .open: return nil
            }
        }
        guard deal.outcome == .lost, let best else { return nil }
        return report(deal, kind: "lost_high", at: best.at, score: best.score, forecast: nil, daysLate: 0)
    }

    private func report(_ deal: DealRecord, kind: String, at: Date, score: Double, forecast: Date?, daysLate: Int)
        -> Sales_Forecasting_V1_DealMiss
    {
        .with {
            $0.dealID = deal.id
            $0.ownerID = deal.ownerID
            $0.team = deal.team
            $0.amount = .init(minorUnits: deal.amount, currency: "CNY")
            $0.outcome = deal.outcome == .won ? .won : .lost
            if let closed = deal.closedAt { $0.closedAt = Google_Protobuf_Timestamp(date: closed) }
            $0.kind = kind
            $0.forecastAt = Google_Protobuf_Timestamp(date: at)
            if let forecast { $0.forecastClose = Google_Protobuf_Timestamp(date: forecast) }
            $0.score = score
            $0.daysLate = Int32(daysLate)
            $0.causes = MissCauses.find(deal, since: at, labels: forecaster.labels, order: order)
        }
    }

    /// Per team: the misses, and how many of them each cause came up in, most common first.
    static func teams(_ misses: [Sales_Forecasting_V1_DealMiss]) -> [Sales_Forecasting_V1_TeamMisses] {
        Dictionary(grouping: misses, by: \.team).map { team, misses in
            var counts: [String: Int32] = [:]
            for miss in misses { for kind in Set(miss.causes.map(\.kind)) { counts[kind, default: 0] += 1 } }
            return .with {
                $0.team = team
                $0.misses = Int32(misses.count)
                $0.causes = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { kind, deals in
                    .with {
                        $0.kind = kind
                        $0.deals = deals
                    }
                }
            }
        }.sorted { ($0.misses, $1.team) > ($1.misses, $0.team) }
    }
}
