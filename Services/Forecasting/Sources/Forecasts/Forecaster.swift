import Foundation
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Scores and period forecasts at one as-of moment, from the deals as they were known then.
struct Forecaster: Sendable {
    /// How many past periods the run rate of deals not yet created averages over.
    static let runRatePeriods = 6

    let model: WinModel
    let asOf: Date
    let calendar: Calendar
    let labels: [String: String]
    let records: TrackRecords
    /// Cut at `asOf`.
    let deals: [DealRecord]

    init(model: WinModel, deals: [DealRecord], asOf: Date, calendar: Calendar, labels: [String: String]) {
        self.model = model
        self.asOf = asOf
        self.calendar = calendar
        self.labels = labels
        self.deals = deals
        records = TrackRecords(deals, asOf: asOf, calendar: calendar)
    }

    func probability(_ state: DealState, before horizon: Date) -> Double {
        model.probability(state, before: horizon, records: records, calendar: calendar)
    }

    func score(_ state: DealState) -> Sales_Forecasting_V1_DealScore {
        let month = Period.month(containing: asOf, in: calendar).end
        let quarter = Period.quarter(containing: asOf, in: calendar).end
        return .with {
            $0.dealID = state.deal.id
            $0.ownerID = state.deal.ownerID
            $0.team = state.deal.team
            $0.amount = .init(minorUnits: state.deal.amount, currency: "CNY")
            $0.stage = state.stage
            $0.winThisMonth = probability(state, before: month)
            $0.winThisQuarter = probability(state, before: quarter)
            $0.expectedClose = Google_Protobuf_Timestamp(date: model.expectedClose(state))
            $0.credibility = state.credibility
            $0.behaviourPoints = Int32(state.behaviourPoints)
            $0.externalSignals = Int32(state.externalSignals)
            if let percent = state.repPercent { $0.repProbabilityPercent = Int32(percent) }
            if let close = state.repClose { $0.repExpectedClose = Google_Protobuf_Timestamp(date: close) }
            $0.factors = model.factors(state, before: month, records: records, calendar: calendar, labels: labels)
        }
    }

    /// The chance an open deal is won inside `period`, as seen at `asOf`.
    func probability(_ state: DealState, in period: Period) -> Double {
        let from = period.start > asOf ? probability(state, before: period.start) : 0
        return max(0, probability(state, before: period.end) - from)
    }

    /// The period's lines, keyed by `key` of each deal (owner, team, region or the tenant), over
    /// the deals `includes` lets through. Amounts in fen, still unrounded. A won deal's cash comes
    /// from its signed contracts' payments and instalments when `contracts` has them, else after
    /// `cashDelayDays`, as an expected win's does.
    func lines(
        _ period: Period, key: (DealRecord) -> String, includes: (DealRecord) -> Bool, cashDelayDays: Int, contracts: [ContractCash] = []
    ) -> [String: ForecastTotals] {
        var lines: [String: ForecastTotals] = [:]
        let delay = TimeInterval(cashDelayDays) * 86_400
        let contracted = Set(contracts.map(\.dealID))
        for deal in deals where includes(deal) {
            let amount = Double(deal.amount)
            var line = lines[key(deal), default: ForecastTotals()]
            defer { lines[key(deal)] = line }
            if deal.outcome == .won, let closed = deal.closedAt {
                if closed >= period.start && closed < period.end { line.addWon(amount) }
                if !contracted.contains(deal.id) && closed + delay >= period.start && closed + delay < period.end { line.cash += amount }
                continue
            }
            guard let state = DealState(deal, at: asOf) else { continue }
            let p = probability(state, in: period)
            let cashFrom = max(asOf, period.start - delay)
            let cash =
                period.end - delay > cashFrom ? max(0, probability(state, before: period.end - delay) - probability(state, before: cashFrom)) : 0
            let expectedClose = model.expectedClose(state)
            let rep = state.repClose.map { $0 >= period.start && $0 < period.end } ?? false
            line.addOpen(
                amount: amount, probability: p, spreadFactor: model.spreadFactor, credibility: state.credibility, cash: cash * amount,
                inPipeline: rep || expectedClose < period.end, repWeighted: rep ? Double(state.repPercent ?? 0) / 100 * amount : 0)
        }
        let lateness = PaymentLateness(contracts, at: asOf, calendar: calendar)
        let dealsByID = Dictionary(deals.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for contract in contracts {
            // A contract counts where its deal does; one whose deal is not forecast here is not counted.
            guard let deal = dealsByID[contract.dealID], includes(deal) else { continue }
            lines[key(deal), default: ForecastTotals()].addContract(
                ContractCashForecast(contract, period: period, asOf: asOf, lateness: lateness, calendar: calendar))
        }
        for (key, newDeals) in runRates(period, key: key, includes: includes) { lines[key, default: ForecastTotals()].add(newDeals) }
        return lines
    }

    /// What deals created after `asOf` may add to the period by its end: the wins within the same
    /// period of deals created in it, over the last periods of its kind, scaled to the share of
    /// the period still ahead (`NewDealWins.expected` is their average).
    func runRates(_ period: Period, key: (DealRecord) -> String, includes: (DealRecord) -> Bool) -> [String: NewDealWins] {
        var past: [Period] = []
        var earlier = period.previous
        let firstCreated = deals.map(\.createdAt).min() ?? asOf
        while past.count < Self.runRatePeriods, earlier.end > firstCreated {
            if earlier.end <= asOf { past.append(earlier) }
            earlier = earlier.previous
        }
        guard !past.isEmpty else { return [:] }
        let ahead = max(0, period.end.timeIntervalSince(max(asOf, period.start))) / period.end.timeIntervalSince(period.start)
        var rates: [String: NewDealWins] = [:]
        for deal in deals where deal.outcome == .won && includes(deal) {
            guard let closed = deal.closedAt,
                past.contains(where: { $0.start <= deal.createdAt && closed < $0.end && deal.createdAt < $0.end })
            else { continue }
            rates[key(deal), default: NewDealWins(periods: past.count, ahead: ahead)].amounts.append(Double(deal.amount))
        }
        return rates
    }
}

/// One forecast line being added up, in fen.
struct ForecastTotals: Sendable {
    var openDeals = 0
    var won = 0.0
    var expectedOpen = 0.0
    var runRate = 0.0
    var spread = WinSpread()
    var commit = 0.0
    var bestCase = 0.0
    var pipeline = 0.0
    var repEntered = 0.0
    var levels = [0.0, 0.0, 0.0]
    /// All the cash expected; of it, signed contracts' money already in and instalments expected.
    var cash = 0.0
    var cashCollected = 0.0
    var cashInstalments = 0.0

    mutating func addWon(_ amount: Double) {
        won += amount
    }

    mutating func addOpen(
        amount: Double, probability: Double, spreadFactor: Double, credibility: Sales_Forecasting_V1_Credibility, cash: Double, inPipeline: Bool,
        repWeighted: Double
    ) {
        openDeals += 1
        expectedOpen += probability * amount
        if probability >= 0.7 { commit += amount }
        if probability >= 0.4 { bestCase += amount }
        if inPipeline { pipeline += amount }
        repEntered += repWeighted
        levels[max(0, min(2, credibility.rawValue - 1))] += probability * amount
        spread.addOpen(amount: amount, probability: probability, factor: spreadFactor)
        self.cash += cash
    }

    mutating func add(_ newDeals: NewDealWins) {
        runRate += newDeals.expected
        spread.add(newDeals)
    }

    mutating func addContract(_ forecast: ContractCashForecast) {
        cashCollected += forecast.collected
        cashInstalments += forecast.expected
        cash += forecast.collected + forecast.expected
    }

    static func + (lhs: ForecastTotals, rhs: ForecastTotals) -> ForecastTotals {
        var sum = lhs
        sum.openDeals += rhs.openDeals
        sum.won += rhs.won
        sum.expectedOpen += rhs.expectedOpen
        sum.runRate += rhs.runRate
        sum.spread = sum.spread + rhs.spread
        sum.commit += rhs.commit
        sum.bestCase += rhs.bestCase
        sum.pipeline += rhs.pipeline
        sum.repEntered += rhs.repEntered
        for index in sum.levels.indices { sum.levels[index] += rhs.levels[index] }
        sum.cash += rhs.cash
        sum.cashCollected += rhs.cashCollected
        sum.cashInstalments += rhs.cashInstalments
        return sum
    }

    var expected: Double { won + expectedOpen + runRate }

    func line(key: String) -> Sales_Forecasting_V1_ForecastLine {
        func money(_ fen: Double) -> Sales_Common_V1_Money { .init(minorUnits: Int64(fen.rounded()), currency: "CNY") }
        // Rounded before they are added, so the figures on the screen add up.
        let (wonFen, level2, level3) = (money(won), money(levels[1]), money(levels[2]))
        let range = spread.range(expected: expected, won: won)
        return .with {
            $0.key = key
            $0.openDeals = Int32(openDeals)
            $0.won = money(won)
            $0.expected = money(expected)
            $0.runRate = money(runRate)
            $0.commit = money(won + commit)
            $0.bestCase = money(won + bestCase)
            $0.pipeline = money(won + pipeline)
            $0.repEntered = money(won + repEntered)
            $0.level1 = money(levels[0])
            $0.level2 = level2
            $0.level3 = level3
            $0.management = .init(minorUnits: wonFen.minorUnits + level2.minorUnits + level3.minorUnits, currency: "CNY")
            $0.expectedCash = money(cash)
            $0.cashCollected = money(cashCollected)
            $0.cashFromInstalments = money(cashInstalments)
            $0.expectedLow = money(range.low)
            $0.expectedHigh = money(range.high)
        }
    }
}
