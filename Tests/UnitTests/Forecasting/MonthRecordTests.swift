import Foundation
import SalesControl
import Testing

@testable import ForecastingService

/// The range's dispersion learnt from a tenant's own month forecasts set beside what was won.
@Suite struct MonthRecordTests {
    private static let day = 86_400.0
    private static let origin = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01 UTC

    /// Month `index` (30-day months from the origin), with its forecast and variances.
    private static func month(
        _ index: Int, forecast: Double, coins: Double, newDeals: Double = 0, source: MonthRecord.Source = .backtest
    ) -> MonthRecord {
        let from = origin.addingTimeInterval(Double(index) * 30 * day)
        return MonthRecord(
            month: "m\(index)", from: from, end: from.addingTimeInterval(30 * day), forecast: forecast, coinVariance: coins,
            newDealVariance: newDeals, source: source)
    }

    /// A deal won mid-month `index` for `amount`.
    private static func win(_ index: Int, _ amount: Int64) -> DealRecord {
        let closed = origin.addingTimeInterval((Double(index) * 30 + 15) * day)
        return DealRecord(
            id: "d\(index)-\(amount)", ownerID: "rep01", team: "/east", region: "east", segment: "smb", industry: "", amount: amount,
            createdAt: closed.addingTimeInterval(-40 * day), outcome: .won, closedAt: closed, events: [])
    }

    @Test func fewerThanSixEndedMonthsTellNothing() {
        let records = (0..<8).map { Self.month($0, forecast: 100, coins: 100) }
        let deals = (0..<8).map { Self.win($0, 130) }
        // Five months have ended by the start of the sixth: too few.
        #expect(RecordedDispersion.estimate(records, deals: deals, asOf: records[5].from) == nil)
        let six = RecordedDispersion.estimate(records, deals: deals, asOf: records[6].from)
        #expect(six?.months == 6)
        // Every month missed by 30 against a coins' variance of 100: 900 / 100.
        #expect(abs((six?.factor ?? 0) - 9) < 1e-9)
    }

    @Test func missesWithinTheCoinsNeverNarrowTheRange() {
        let records = (0..<6).map { Self.month($0, forecast: 100, coins: 400) }
        let deals = (0..<6).map { Self.win($0, 101) }
        #expect(RecordedDispersion.estimate(records, deals: deals, asOf: records[5].end)?.factor == 1)
    }

    @Test func theNewDealsShareOfTheMissIsNotPutOnTheOpenDeals() {
        // Misses of 20 (400 each) with the new deals' variance 300 of it: the coins' 100 strayed 100.
        let records = (0..<6).map { Self.month($0, forecast: 100, coins: 50, newDeals: 300) }
        let deals = (0..<6).map { Self.win($0, 120) }
        #expect(abs((RecordedDispersion.estimate(records, deals: deals, asOf: records[5].end)?.factor ?? 0) - 2) < 1e-9)
    }

    @Test func onlyWhatWasWonWithinTheRecordedStretchCounts() {
        // A live record made on the 3rd counts wins from then on, not those of the 1st and 2nd.
        let start = Self.origin
        let record = MonthRecord(
            month: "2026-01", from: start.addingTimeInterval(2 * Self.day), end: start.addingTimeInterval(31 * Self.day), forecast: 0,
            coinVariance: 1, newDealVariance: 0, source: .live)
        let early = DealRecord(
            id: "early", ownerID: "rep01", team: "/east", region: "east", segment: "smb", industry: "", amount: 500,
            createdAt: start.addingTimeInterval(-9 * Self.day), outcome: .won, closedAt: start.addingTimeInterval(Self.day), events: [])
        let lost = DealRecord(
            id: "lost", ownerID: "rep01", team: "/east", region: "east", segment: "smb", industry: "", amount: 900,
            createdAt: start.addingTimeInterval(-9 * Self.day), outcome: .lost, closedAt: start.addingTimeInterval(5 * Self.day), events: [])
        #expect(record.actual([early, lost, Self.win(0, 70)]) == 70)
    }

    @Test func aLiveRecordIsMadeInTheMonthsFirstDaysOnlyAndCountsWhatIsStillToCome() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let second = calendar.date(from: DateComponents(year: 2026, month: 3, day: 2, hour: 10))!
        let start = calendar.date(byAdding: .month, value: -14, to: second)!
        let history = PipelineGenerator(.init(seed: 5, start: start, months: 15, dealsPerMonth: 30)).deals(now: second)
            .map { DealRecord($0) }
        let model = try ModelTrainer(calendar: calendar).train(history, asOf: second)
        let forecaster = Forecaster(model: model, deals: history, asOf: second, calendar: calendar, labels: [:])
        let record = try #require(forecaster.liveMonthRecord())
        #expect(record.month == "2026-03" && record.from == second && record.source == .live)
        #expect(record.end == calendar.date(from: DateComponents(year: 2026, month: 4, day: 1))!)
        let month = try Period.parse("2026-03", field: "period", in: calendar)
        let total = forecaster.lines(month, key: { _ in "" }, includes: { _ in true }, cashDelayDays: 0)[""]!
        // What was won on the 1st is behind the record's moment: it forecasts the rest.
        #expect(abs(record.forecast - (total.expected - total.won)) < 1)
        #expect(record.coinVariance > 0 && record.coinVariance == total.spread.coins && record.newDealVariance == total.spread.newDeals)

        let tenth = calendar.date(byAdding: .day, value: 8, to: second)!
        #expect(Forecaster(model: model, deals: history, asOf: tenth, calendar: calendar, labels: [:]).liveMonthRecord() == nil)
    }

    @Test func aLiveRecordStaysAndAReplayReplacesAReplay() {
        let live = Self.month(0, forecast: 10, coins: 1, source: .live)
        let replayed = Self.month(1, forecast: 20, coins: 1)
        let merged = MonthRecord.merged(
            [live, replayed], [Self.month(0, forecast: 11, coins: 1), Self.month(1, forecast: 21, coins: 1), Self.month(2, forecast: 30, coins: 1)])
        #expect(merged.map(\.forecast) == [10, 21, 30])
        #expect(merged.map(\.source) == [.live, .backtest, .backtest])
    }
}
