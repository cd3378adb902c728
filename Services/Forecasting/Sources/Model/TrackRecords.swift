import Foundation

/// What the closed deals before a moment say: each owner's and team's win rate, and when in the
/// year each segment's wins land. Built by adding deals in the order they closed, so a backtest
/// or a training pass walks time forward without recounting; the seasons are counted once.
struct TrackRecords: Sendable {
    /// How many closed deals a rate needs to weigh as much as the tenant's own rate.
    static let smoothing = 10.0

    private var owners: [String: (won: Double, closed: Double)] = [:]
    private var teams: [String: (won: Double, closed: Double)] = [:]
    private(set) var won = 0.0
    private(set) var closed = 0.0
    private(set) var seasons = Seasons()

    var baseRate: Double { (won + 1) / (closed + 2) }

    /// The records of `deals` as known at `asOf`: the closed ones added in the order they closed.
    init(_ deals: [DealRecord], asOf: Date, calendar: Calendar) {
        for deal in deals.filter({ $0.outcome != .open }).sorted(by: { ($0.closedAt ?? .distantPast) < ($1.closedAt ?? .distantPast) }) {
            add(deal)
        }
        seasons = Seasons(deals, asOf: asOf, calendar: calendar)
    }

    init() {}

    mutating func add(_ deal: DealRecord) {
        guard deal.outcome != .open else { return }
        let win = deal.outcome == .won ? 1.0 : 0.0
        owners[deal.ownerID, default: (0, 0)].won += win
        owners[deal.ownerID, default: (0, 0)].closed += 1
        teams[deal.team, default: (0, 0)].won += win
        teams[deal.team, default: (0, 0)].closed += 1
        won += win
        closed += 1
    }

    /// These records with `seasons`. Training reads each past moment's owners and teams as they
    /// stood then (a deal's own outcome must not inform its owner's rate), but the seasons as the
    /// whole history up to the model's as-of moment shows them: two years hold only two of each
    /// month, and the first year's snapshots would otherwise see no season at all.
    func withSeasons(_ seasons: Seasons) -> TrackRecords {
        var records = self
        records.seasons = seasons
        return records
    }

    /// The log-odds of the owner's smoothed win rate against the tenant's.
    func owner(_ id: String) -> Double { lift(owners[id]) }
    func team(_ path: String) -> Double { lift(teams[path]) }

    private func lift(_ record: (won: Double, closed: Double)?) -> Double {
        let base = baseRate
        let rate = ((record?.won ?? 0) + Self.smoothing * base) / ((record?.closed ?? 0) + Self.smoothing)
        return logit(rate) - logit(base)
    }

    /// `Seasons.logOdds` of the segment over the months from `start` to `end`.
    func season(_ segment: String, from start: Date, to end: Date, calendar: Calendar) -> Double {
        seasons.logOdds(segment, from: start, to: end, calendar: calendar)
    }
}

/// The log-odds of a probability: rates and seasons are compared on this scale.
func logit(_ p: Double) -> Double { log(p / (1 - p)) }
