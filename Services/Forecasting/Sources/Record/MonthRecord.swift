import Foundation

/// A forecast of a tenant's amount won in a month, as it was made: by the scheduled retraining in
/// the month's first days, or replayed by a backtest from the month's start. It keeps what it said
/// from its moment on and how far the open deals' coins alone would let that stray; set beside
/// what was then won, the months tell how much wider than coins the ranges must be.
struct MonthRecord: Sendable, Equatable {
    enum Source: String, Sendable {
        /// Made live, near the month's start, by the scheduled retraining.
        case live
        /// Replayed by a backtest, from a model trained on what was known at the month's start.
        case backtest
    }

    /// The scheduled retraining records a month's forecast in its first days only: later, the
    /// month is partly gone and its forecast no longer a month-start one.
    static let liveWithinDays = 3.0

    /// Whether `moment` falls in its month's first `liveWithinDays`, when a live record is made.
    static func isLiveWindow(_ moment: Date, in calendar: Calendar) -> Bool {
        moment < Period.month(containing: moment, in: calendar).start.addingTimeInterval(liveWithinDays * 86_400)
    }

    /// The month's name (2026-03).
    let month: String
    /// The forecast counts wins from `from` (the month's start in a backtest, the moment it was
    /// made live) to `end`, the month's end.
    let from: Date
    let end: Date
    let forecast: Double
    /// Σ amount² · p · (1 − p) over the open deals, before any factor; and the new deals' variance.
    let coinVariance: Double
    let newDealVariance: Double
    let source: Source

    /// `kept` with `fresh` over them, one a month, as `MonthRecordStore.keep` keeps them: a live
    /// record stays, anything replaces a replay.
    static func merged(_ kept: [MonthRecord], _ fresh: [MonthRecord]) -> [MonthRecord] {
        var byMonth = Dictionary(kept.map { ($0.month, $0) }, uniquingKeysWith: { first, _ in first })
        for record in fresh where byMonth[record.month]?.source != .live { byMonth[record.month] = record }
        return byMonth.values.sorted { $0.end < $1.end }
    }

    /// What `deals` (as known after the month) won from `from` to `end`.
    func actual(_ deals: [DealRecord]) -> Double {
        deals.reduce(0) { sum, deal in
            guard deal.outcome == .won, let closed = deal.closedAt, closed >= from, closed < end else { return sum }
            return sum + Double(deal.amount)
        }
    }
}

extension Forecaster {
    /// The tenant's forecast of its month as a live record, when `asOf` falls in the month's
    /// first `MonthRecord.liveWithinDays` (nil after): what the open and the new deals should
    /// still bring by the month's end, and their variances.
    func liveMonthRecord() -> MonthRecord? {
        guard MonthRecord.isLiveWindow(asOf, in: calendar) else { return nil }
        let month = Period.month(containing: asOf, in: calendar)
        let total = lines(month, key: { _ in "" }, includes: { _ in true }, cashDelayDays: 0)[""] ?? ForecastTotals()
        return MonthRecord(
            month: month.name, from: asOf, end: month.end, forecast: total.expectedOpen + total.runRate, coinVariance: total.spread.coins,
            newDealVariance: total.spread.newDeals, source: .live)
    }
}

/// The range's dispersion from a tenant's own record: over the recorded months, how much more the
/// amounts won strayed from their forecasts than the new deals and the coins would, as a multiple
/// of the coins' variance (the open deals' chances are what the factor widens). Months are few
/// and each says little, so it takes at least `leastMonths`; never below 1.
enum RecordedDispersion {
    static let leastMonths = 6

    /// The factor and how many months it came from, from the months of `records` ended by `asOf`
    /// with what `deals` won in them; nil when fewer than `leastMonths` have ended.
    static func estimate(_ records: [MonthRecord], deals: [DealRecord], asOf: Date) -> (factor: Double, months: Int)? {
        let ended = records.filter { $0.end <= asOf }
        let coins = ended.reduce(0) { $0 + $1.coinVariance }
        guard ended.count >= leastMonths, coins > 0 else { return nil }
        let beyond = ended.reduce(0.0) { sum, record in
            let miss = record.actual(deals) - record.forecast
            return sum + miss * miss - record.newDealVariance
        }
        return (max(1, beyond / coins), ended.count)
    }
}
