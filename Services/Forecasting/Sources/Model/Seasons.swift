import Foundation

/// When in the year each segment's wins land (government customers buying in November–December),
/// from the deals known at a moment. Counted per stage: a month's hazard of a win is set against
/// the wins its open deals' stages would have brought in an average month, so a young pipeline's
/// first months, when few deals were near a close, do not read as a slack season.
struct Seasons: Sendable {
    /// How many average deals' expected wins a month's ratio is smoothed toward 1 with.
    static let smoothing = 10.0

    /// Per segment: an average month's hazard of a win, and each calendar month's (0…11, in the
    /// tenant's zone) hazard over it.
    private var bySegment: [String: (average: Double, ratio: [Double])] = [:]

    init() {}

    /// From `deals` cut at `asOf`: every month start each lived through, with its stage then, and
    /// whether it was won in that month; months that have ended only, and an open deal's too (it
    /// was not won in them): counting closed deals alone, a recent month would keep its winners
    /// and drop its deals still waiting. Months before the history's first close say nothing (an
    /// export that starts mid-pipeline) and are left out.
    init(_ deals: [DealRecord], asOf: Date, calendar: Calendar) {
        guard let firstClose = deals.lazy.filter({ $0.outcome != .open }).compactMap(\.closedAt).min() else { return }
        let coverage = Period.month(containing: firstClose, in: calendar).start
        // Segment → stage → (open at the month's start, won within it) by calendar month.
        var counts: [String: [String: (open: [Double], won: [Double])]] = [:]
        for deal in deals {
            let last = deal.outcome == .open ? nil : deal.closedAt
            let wonAt = deal.outcome == .won ? deal.closedAt : nil
            var stage = ""
            var seen = 0
            var month = calendar.date(byAdding: .month, value: 1, to: Period.month(containing: deal.createdAt, in: calendar).start)
            while let start = month, let end = calendar.date(byAdding: .month, value: 1, to: start), end <= asOf, last.map({ start <= $0 }) ?? true {
                month = end
                while seen < deal.events.count, deal.events[seen].at < start {
                    if case .stage(let key) = deal.events[seen].event { stage = key }
                    seen += 1
                }
                guard start >= coverage else { continue }
                let index = calendar.component(.month, from: start) - 1
                counts[deal.segment, default: [:]][stage, default: (Array(repeating: 0, count: 12), Array(repeating: 0, count: 12))].open[index] += 1
                if let wonAt, wonAt < end { counts[deal.segment]?[stage]?.won[index] += 1 }
            }
        }
        for (segment, stages) in counts {
            var (wins, open) = (0.0, 0.0)
            var expected = Array(repeating: 0.0, count: 12)
            var observed = Array(repeating: 0.0, count: 12)
            // In the stages' order, not the dictionary's: the same deals in another order must
            // sum to the same bits (an as-of answer is the same answer however the store lists them).
            for (stageOpen, stageWon) in stages.sorted(by: { $0.key < $1.key }).map(\.value) {
                let (stageWins, stageOpens) = (stageWon.reduce(0, +), stageOpen.reduce(0, +))
                let hazard = stageWins / max(stageOpens, 1)
                for index in 0..<12 {
                    expected[index] += stageOpen[index] * hazard
                    observed[index] += stageWon[index]
                }
                wins += stageWins
                open += stageOpens
            }
            let average = (wins + 1) / (open + 2)
            let prior = Self.smoothing * average
            // Expected wins in the smoothed average's units (they total average × open), as the
            // month's ratio multiplies the average back: the raw stage rates total the wins seen.
            let scale = wins > 0 ? average * open / wins : 1
            bySegment[segment] = (average, (0..<12).map { (observed[$0] + prior) / (expected[$0] * scale + prior) })
        }
    }

    /// The log-odds of winning within the calendar months from `start` to `end` for an open deal
    /// of the segment, against as many average months.
    func logOdds(_ segment: String, from start: Date, to end: Date, calendar: Calendar) -> Double {
        guard let (average, ratio) = bySegment[segment] else { return 0 }
        var stays = 1.0
        var typical = 1.0
        var moment = start
        var months = 0
        while moment < end, months < 12 {
            let index = calendar.component(.month, from: moment) - 1
            stays *= 1 - min(average * ratio[index], 0.99)
            typical *= 1 - average
            months += 1
            guard let next = calendar.date(byAdding: .month, value: 1, to: Period.month(containing: moment, in: calendar).start) else { break }
            moment = next
        }
        return logit(min(max(1 - stays, 1e-6), 1 - 1e-6)) - logit(min(max(1 - typical, 1e-6), 1 - 1e-6))
    }
}
