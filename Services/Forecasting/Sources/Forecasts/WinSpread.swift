import Foundation
import SalesModel

/// The wins of deals not yet created, as the last periods of the kind show them: each such win's
/// amount, over how many periods, and the share of the period still ahead. Taken as a compound
/// Poisson sum: new wins arrive at the past rate, each of an amount like a past one's.
struct NewDealWins: Sendable {
    var amounts: [Double] = []
    let periods: Int
    let ahead: Double

    /// The past periods' average won, times the share ahead.
    var expected: Double { amounts.reduce(0, +) / Double(periods) * ahead }
    var variance: Double { amounts.reduce(0) { $0 + $1 * $1 } / Double(periods) * ahead }

    /// One draw of what they bring.
    func draw(using rng: inout SplitMix64) -> Double {
        guard !amounts.isEmpty else { return 0 }
        var sum = 0.0
        for _ in 0..<rng.poisson(Double(amounts.count) / Double(periods) * ahead) { sum += amounts[rng.below(amounts.count)] }
        return sum
    }
}

/// How far a period's amount won may fall from its expected value. Each open deal is a coin of its
/// amount that lands with the model's chance, so the amount won varies by Σ amount² · p · (1 − p),
/// widened by how much more the model's holdout strayed, plus the new deals' variance; the 80%
/// range takes the sum as normal.
struct WinSpread: Sendable {
    /// The normal distribution's 90th percentile: 10% either side falls outside the range.
    static let z = 1.2816

    var variance = 0.0
    /// The parts of it, as the month record keeps them: the open deals' coins before the model's
    /// factor, and the new deals.
    private(set) var coins = 0.0
    private(set) var newDeals = 0.0

    /// An open deal's coin, its variance times the model's `WinModel.spreadFactor`.
    mutating func addOpen(amount: Double, probability p: Double, factor: Double) {
        let coin = amount * amount * p * (1 - p)
        coins += coin
        variance += coin * factor
    }

    mutating func add(_ newDeals: NewDealWins) {
        variance += newDeals.variance
        self.newDeals += newDeals.variance
    }

    static func + (lhs: WinSpread, rhs: WinSpread) -> WinSpread {
        var sum = lhs
        sum.variance += rhs.variance
        sum.coins += rhs.coins
        sum.newDeals += rhs.newDeals
        return sum
    }

    /// The 80% range around `expected`, never below what is already `won`.
    func range(expected: Double, won: Double) -> (low: Double, high: Double) {
        let half = Self.z * variance.squareRoot()
        return (max(won, expected - half), expected + half)
    }

    /// The accuracy (`Backtester.accuracy`) `forecast` is expected to reach if every chance in
    /// `open` is exact: its mean over `draws` simulated outcomes of the deals and the new deals.
    /// Seeded, so the same question gets the same answer.
    static func attainableAccuracy(
        of forecast: Double, open: [(amount: Double, probability: Double)], newDeals: NewDealWins, draws: Int, seed: UInt64
    ) -> Double {
        guard draws > 0 else { return 0 }
        var rng = SplitMix64(seed: seed)
        var total = 0.0
        for _ in 0..<draws {
            var actual = newDeals.draw(using: &rng)
            for deal in open where rng.chance(deal.probability) { actual += deal.amount }
            total += Backtester.accuracy(forecast, actual)
        }
        return total / Double(draws)
    }
}
