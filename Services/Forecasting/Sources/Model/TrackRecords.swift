import Foundation

/// What the closed deals before a moment say: each owner's and team's win rate, and when in the
/// year each segment's wins land. Built by adding deals in the order they closed, so a backtest
/// or a training pass walks time forward without recounting.
struct TrackRecords: Sendable {
    /// How many closed deals a rate needs to weigh as much as the tenant's own rate.
    static let smoothing = 10.0

    private var owners: [String: (won: Double, closed: Double)] = [:]
    private var teams: [String: (won: Double, closed: Double)] = [:]
    /// Per segment and calendar month (0…11) in the tenant's zone: the deals open at the month's
    /// start, and those of them won within it (the month's hazard of a win).
    private var openAtMonthStart: [String: [Double]] = [:]
    private var wonInMonth: [String: [Double]] = [:]
    private(set) var won = 0.0
    private(set) var closed = 0.0
    /// The month of the first close: before it the history holds no closes at all (an export that
    /// starts mid-pipeline), which says nothing about those months' season.
    private var coverage: Date?

    var baseRate: Double { (won + 1) / (closed + 2) }

    mutating func add(_ deal: DealRecord, calendar: Calendar) {
        guard let closedAt = deal.closedAt, deal.outcome != .open else { return }
        let win = deal.outcome == .won ? 1.0 : 0.0
        owners[deal.ownerID, default: (0, 0)].won += win
        owners[deal.ownerID, default: (0, 0)].closed += 1
        teams[deal.team, default: (0, 0)].won += win
        teams[deal.team, default: (0, 0)].closed += 1
        won += win
        closed += 1
        // Every month start the deal lived through since the history's first close, and whether it
        // was won in that month. Deals are added in the order they closed, so the first sets it.
        let coverage = coverage ?? Period.month(containing: closedAt, in: calendar).start
        self.coverage = coverage
        var open = openAtMonthStart[deal.segment] ?? Array(repeating: 0, count: 12)
        var wins = wonInMonth[deal.segment] ?? Array(repeating: 0, count: 12)
        var month = calendar.date(byAdding: .month, value: 1, to: Period.month(containing: deal.createdAt, in: calendar).start)
        while let start = month, start <= closedAt {
            let index = calendar.component(.month, from: start) - 1
            guard let end = calendar.date(byAdding: .month, value: 1, to: start) else { break }
            month = end
            guard start >= coverage else { continue }
            open[index] += 1
            if win > 0 && closedAt < end { wins[index] += 1 }
        }
        openAtMonthStart[deal.segment] = open
        wonInMonth[deal.segment] = wins
    }

    /// These records with the seasons of `other`. Training reads each past moment's owners and
    /// teams as they stood then (a deal's own outcome must not inform its owner's rate), but the
    /// seasons as the whole history up to the model's as-of moment shows them: two years hold only
    /// two of each month, and the first year's snapshots would otherwise see no season at all.
    func withSeasons(of other: TrackRecords) -> TrackRecords {
        var records = self
        records.openAtMonthStart = other.openAtMonthStart
        records.wonInMonth = other.wonInMonth
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

    /// The log-odds of winning within the calendar months from `start` to `end` for an open deal of
    /// the segment, against a month's average: government customers buying in November–December.
    /// Each month's rate is the segment's wins in that month over its deals open at the month's
    /// start, in earlier years, smoothed toward the segment's average month.
    func season(_ segment: String, from start: Date, to end: Date, calendar: Calendar) -> Double {
        guard let open = openAtMonthStart[segment], let wins = wonInMonth[segment] else { return 0 }
        let average = (wins.reduce(0, +) + 1) / (open.reduce(0, +) + 2)
        var stays = 1.0
        var typical = 1.0
        var moment = start
        var months = 0
        while moment < end, months < 12 {
            let index = calendar.component(.month, from: moment) - 1
            stays *= 1 - (wins[index] + Self.smoothing * average) / (open[index] + Self.smoothing)
            typical *= 1 - average
            months += 1
            guard let next = calendar.date(byAdding: .month, value: 1, to: Period.month(containing: moment, in: calendar).start) else { break }
            moment = next
        }
        return logit(min(max(1 - stays, 1e-6), 1 - 1e-6)) - logit(min(max(1 - typical, 1e-6), 1 - 1e-6))
    }

    private func logit(_ p: Double) -> Double { log(p / (1 - p)) }
}
