import SalesModel
import Testing

@testable import ForecastingService

/// The 80% range around a period's expected amount won, and the accuracy its coins allow.
@Suite struct WinSpreadTests {
    private static let noNewDeals = NewDealWins(periods: 1, ahead: 0)

    @Test func aRangeNeverFallsBelowWhatIsAlreadyWon() {
        var spread = WinSpread()
        spread.addOpen(amount: 1_000, probability: 0.5, factor: 1)
        let range = spread.range(expected: 1_400, won: 1_000)
        #expect(range.low == 1_000)
        #expect(abs(range.high - (1_400 + WinSpread.z * 500)) < 1e-9)
    }

    @Test func sureDealsLeaveNothingToChance() {
        var spread = WinSpread()
        let open = [(amount: 300.0, probability: 1.0), (amount: 700.0, probability: 0.0), (amount: 200.0, probability: 1.0)]
        for deal in open { spread.addOpen(amount: deal.amount, probability: deal.probability, factor: 3) }
        #expect(spread.range(expected: 500, won: 0) == (500, 500))
        let attainable = WinSpread.attainableAccuracy(of: 450, open: open, newDeals: Self.noNewDeals, draws: 50, seed: 1)
        #expect(abs(attainable - Backtester.accuracy(450, 500)) < 1e-12)
    }

    /// Four times the deals of the same size: half the relative range, and a month nearer its forecast.
    @Test func moreDealsNarrowTheRangeAndRaiseWhatIsAttainable() {
        func month(_ count: Int) -> (halfWidth: Double, attainable: Double) {
            let open = Array(repeating: (amount: 10_000.0, probability: 0.3), count: count)
            var spread = WinSpread()
            for deal in open { spread.addOpen(amount: deal.amount, probability: deal.probability, factor: 1) }
            let expected = 3_000.0 * Double(count)
            let range = spread.range(expected: expected, won: 0)
            let attainable = WinSpread.attainableAccuracy(of: expected, open: open, newDeals: Self.noNewDeals, draws: 2_000, seed: 7)
            return ((range.high - expected) / expected, attainable)
        }
        let few = month(100)
        let many = month(400)
        #expect(abs(few.halfWidth / many.halfWidth - 2) < 1e-9)
        #expect(many.attainable > few.attainable + 0.03)
        #expect(few.attainable > 0.8 && many.attainable < 1)
    }

    /// A widening factor scales the open deals' variance, not the new deals'.
    @Test func theModelsDispersionWidensOnlyTheOpenDeals() {
        let newDeals = NewDealWins(amounts: [100, 300], periods: 2, ahead: 1)
        var plain = WinSpread()
        plain.add(newDeals)
        plain.addOpen(amount: 1_000, probability: 0.5, factor: 1)
        var wide = WinSpread()
        wide.add(newDeals)
        wide.addOpen(amount: 1_000, probability: 0.5, factor: 2)
        #expect(newDeals.expected == 200)
        #expect(newDeals.variance == 50_000)
        #expect(plain.variance == 300_000)
        #expect(wide.variance == 550_000)
    }

    /// New deals' wins arrive at the past rate with past amounts: their draws average the expected.
    @Test func newDealsDrawAroundWhatIsExpected() {
        let newDeals = NewDealWins(amounts: [100, 300, 500, 100], periods: 2, ahead: 0.5)
        var rng = SplitMix64(seed: 3)
        let draws = 40_000
        let mean = (0..<draws).reduce(0.0) { sum, _ in sum + newDeals.draw(using: &rng) } / Double(draws)
        #expect(newDeals.expected == 250)
        #expect(abs(mean - 250) < 10, "\(mean)")
    }
}
