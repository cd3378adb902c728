import Foundation
import SalesProto

/// An open deal as it stood at a moment: what the features are computed from. Only events before
/// the moment count.
struct DealState: Sendable {
    static let recentBehaviourDays = 30.0
    static let recentExternalDays = 90.0

    let deal: DealRecord
    let at: Date
    private(set) var stage = ""
    private(set) var stageSince: Date
    private(set) var behaviourPoints = 0
    /// Behaviour signals of the last 30 days, by key.
    private(set) var recentBehaviour: [String: Int] = [:]
    private(set) var lastBehaviour: Date?
    private(set) var externalSignals = 0
    /// External signals of the last 90 days, by key.
    private(set) var recentExternal: [String: Int] = [:]
    private(set) var repPercent: Int?
    private(set) var repClose: Date?
    /// How many times the rep moved the expected close later.
    private(set) var repPushes = 0

    init?(_ deal: DealRecord, at moment: Date) {
        guard deal.isOpen(at: moment) else { return nil }
        self.deal = deal
        at = moment
        stageSince = deal.createdAt
        for timed in deal.events {
            guard timed.at < moment else { break }
            let age = moment.timeIntervalSince(timed.at) / 86_400
            switch timed.event {
            case .stage(let key):
                if key != stage {
                    stage = key
                    stageSince = timed.at
                }
            case .behaviour(let key):
                behaviourPoints += 1
                lastBehaviour = timed.at
                if age <= Self.recentBehaviourDays { recentBehaviour[key, default: 0] += 1 }
            case .external(let key):
                externalSignals += 1
                if age <= Self.recentExternalDays { recentExternal[key, default: 0] += 1 }
            case .rep(let percent, let close, _):
                repPercent = percent
                if let close {
                    if let previous = repClose, close > previous.addingTimeInterval(86_400) { repPushes += 1 }
                    repClose = close
                }
            }
        }
    }

    var credibility: Sales_Forecasting_V1_Credibility {
        guard behaviourPoints >= 3 else { return .l1 }
        return externalSignals >= 2 ? .l3 : .l2
    }

    func days(since moment: Date) -> Double { max(0, at.timeIntervalSince(moment) / 86_400) }
}
