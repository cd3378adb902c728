import Foundation
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Month-start forecasts over past months, each from a model trained on what was known at that
/// month's start, against what was won in the month; the reps' own figures beside them, and the
/// model without the reps' disputes, to tell whether disputing helped.
struct Backtester: Sendable {
    static let mostMonths = 36
    /// Simulated outcomes per month for the attainable accuracy: enough for two decimals, fewer
    /// when the month has many open deals (a draw is a coin per deal).
    static let draws = 2_000
    static let coinsPerMonth = 4_000_000

    let trainer: ModelTrainer
    let labels: [String: String]

    private struct Month {
        var forecast = 0.0
        var repForecast = 0.0
        var brier = 0.0
        var repBrier = 0.0
        var open = 0
        var spread = WinSpread()
        /// The open deals' amounts and chances, and the new deals: what the month's outcome is drawn from.
        var coins: [(amount: Double, probability: Double)] = []
        var newDeals = NewDealWins(periods: 1, ahead: 0)

        /// `WinSpread.attainableAccuracy` of the forecast, seeded by the month so a rerun agrees.
        func attainableAccuracy(_ month: Period) -> Double {
            WinSpread.attainableAccuracy(
                of: forecast, open: coins, newDeals: newDeals, draws: min(Backtester.draws, max(100, Backtester.coinsPerMonth / max(coins.count, 1))),
                seed: UInt64(bitPattern: Int64(month.start.timeIntervalSince1970)))
        }
    }

    /// `deals` as known now; each month cuts them at its start. `records`, the tenant's month
    /// records: each month's model learns its range's dispersion from those ended by its start,
    /// this run's earlier months among them. Returns the months' records beside the response.
    func run(
        _ months: [Period], deals: [DealRecord], records: [MonthRecord] = []
    ) throws(ServiceError) -> (response: Sales_Forecasting_V1_BacktestResponse, records: [MonthRecord]) {
        var response = Sales_Forecasting_V1_BacktestResponse()
        var replayed: [MonthRecord] = []
        let truths = Dictionary(deals.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let undisputed = deals.map { $0.withoutDisputes() }
        for month in months {
            let known = deals.compactMap { $0.cut(at: month.start) }
            let disputes = known.reduce(0) { $0 + $1.disputes }
            let before = MonthRecord.merged(records, replayed)
            let figures = try evaluate(month, known: known, truths: truths, records: before)
            let plain =
                disputes > 0
                ? try evaluate(month, known: undisputed.compactMap { $0.cut(at: month.start) }, truths: truths, records: before) : figures
            let record = MonthRecord(
                month: month.name, from: month.start, end: month.end, forecast: figures.forecast, coinVariance: figures.spread.coins,
                newDealVariance: figures.spread.newDeals, source: .backtest)
            replayed.append(record)
            let actual = record.actual(deals)
            response.disputes += Int32(disputes)
            response.months.append(
                .with {
                    $0.month = month.name
                    $0.forecast = .init(minorUnits: Int64(figures.forecast.rounded()), currency: "CNY")
                    $0.actual = .init(minorUnits: Int64(actual), currency: "CNY")
                    $0.accuracy = Self.accuracy(figures.forecast, actual)
                    $0.brier = figures.open > 0 ? figures.brier / Double(figures.open) : 0
                    $0.repForecast = .init(minorUnits: Int64(figures.repForecast.rounded()), currency: "CNY")
                    $0.repAccuracy = Self.accuracy(figures.repForecast, actual)
                    $0.repBrier = figures.open > 0 ? figures.repBrier / Double(figures.open) : 0
                    $0.openDeals = Int32(figures.open)
                    $0.undisputedAccuracy = Self.accuracy(plain.forecast, actual)
                    let range = figures.spread.range(expected: figures.forecast, won: 0)
                    $0.expectedLow = .init(minorUnits: Int64(range.low.rounded()), currency: "CNY")
                    $0.expectedHigh = .init(minorUnits: Int64(range.high.rounded()), currency: "CNY")
                    $0.attainableAccuracy = figures.attainableAccuracy(month)
                    if (range.low...range.high).contains(actual) { response.monthsWithinRange += 1 }
                })
        }
        let count = Double(max(response.months.count, 1))
        response.meanAccuracy = response.months.reduce(0) { $0 + $1.accuracy } / count
        response.meanBrier = response.months.reduce(0) { $0 + $1.brier } / count
        response.repMeanAccuracy = response.months.reduce(0) { $0 + $1.repAccuracy } / count
        response.repMeanBrier = response.months.reduce(0) { $0 + $1.repBrier } / count
        response.undisputedMeanAccuracy = response.months.reduce(0) { $0 + $1.undisputedAccuracy } / count
        response.meanAttainableAccuracy = response.months.reduce(0) { $0 + $1.attainableAccuracy } / count
        return (response, replayed)
    }

    /// The model's and the reps' month-start forecasts over the deals open then, and their Brier
    /// sums against what became of each (`truths`, as known now).
    private func evaluate(
        _ month: Period, known: [DealRecord], truths: [String: DealRecord], records: [MonthRecord]
    ) throws(ServiceError) -> Month {
        let model: WinModel
        do { model = try trainer.train(known, asOf: month.start, records: records) } catch {
            throw .failedPrecondition("\(month.name) cannot be backtested: \(error.rpcErrorMessage); start the backtest at a later month")
        }
        let forecaster = Forecaster(model: model, deals: known, asOf: month.start, calendar: trainer.calendar, labels: labels)
        let newDeals = forecaster.runRates(month, key: { _ in "" }, includes: { _ in true })[""] ?? NewDealWins(periods: 1, ahead: 0)
        // The reps' figure gets the same allowance for deals not yet created: only the open deals differ.
        var figures = Month(forecast: newDeals.expected, repForecast: newDeals.expected, newDeals: newDeals)
        figures.spread.add(newDeals)
        for deal in known {
            guard let state = DealState(deal, at: month.start), let truth = truths[deal.id] else { continue }
            let won = truth.won(before: month.end) ? 1.0 : 0.0
            let p = forecaster.probability(state, in: month)
            let q = state.repClose.map { $0 >= month.start && $0 < month.end } == true ? Double(state.repPercent ?? 0) / 100 : 0
            figures.forecast += p * Double(deal.amount)
            figures.repForecast += q * Double(deal.amount)
            figures.brier += (p - won) * (p - won)
            figures.repBrier += (q - won) * (q - won)
            figures.open += 1
            figures.spread.addOpen(amount: Double(deal.amount), probability: p, factor: model.spreadFactor)
            figures.coins.append((Double(deal.amount), p))
        }
        return figures
    }

    /// 1 − |F − A| / A, floored at 0 (a forecast three times the actual is not "−200%" useful);
    /// a month with nothing won scores 1 only for a forecast of nothing.
    static func accuracy(_ forecast: Double, _ actual: Double) -> Double {
        guard actual > 0 else { return forecast < 1 ? 1 : 0 }
        return max(0, 1 - abs(forecast - actual) / actual)
    }
}
