import Foundation
import Testing

@testable import ForecastingService

/// The seasons a segment's history shows, read stage by stage and from ended months only.
@Suite struct SeasonsTests {
    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    private static func day(_ year: Int, _ month: Int, _ day: Int) -> Date {
        calendar.date(from: DateComponents(year: year, month: month, day: day))!
    }

    /// Deals open at the start of `month` of 2025: `early` still in the first stage, `late` in the
    /// second; the first `earlyWins` and `lateWins` of them won in the month, the rest lost in it
    /// (or still open, when `rest` says so).
    private static func month(
        _ month: Int, early: Int, earlyWins: Int, late: Int = 0, lateWins: Int = 0, rest: DealRecord.Outcome = .lost
    ) -> [DealRecord] {
        let created = calendar.date(byAdding: .day, value: -20, to: day(2025, month, 1))!
        let moved = calendar.date(byAdding: .day, value: -10, to: day(2025, month, 1))!
        func deal(_ n: Int, late: Bool, won: Bool) -> DealRecord {
            var events = [DealRecord.Timed(at: created, event: .stage("qualify"))]
            if late { events.append(.init(at: moved, event: .stage("negotiate"))) }
            return DealRecord(
                id: "m\(month)-\(late)-\(n)", ownerID: "rep01", team: "/east", region: "east", segment: "smb", industry: "", amount: 1000,
                createdAt: created, outcome: won ? .won : rest, closedAt: won ? day(2025, month, 10) : rest == .open ? nil : day(2025, month, 20),
                events: events)
        }
        return (0..<early).map { deal($0, late: false, won: $0 < earlyWins) } + (0..<late).map { deal($0, late: true, won: $0 < lateWins) }
    }

    @Test func aYoungPipelinesFirstMonthDoesNotReadAsASlackSeason() {
        // January: the pipeline has just started, every deal is in the first stage, and each stage
        // wins as often as in an ordinary month. July: both stages win far more often.
        var deals = Self.month(1, early: 40, earlyWins: 2, late: 0, lateWins: 0)
        for month in 2...12 where month != 7 { deals += Self.month(month, early: 20, earlyWins: 1, late: 20, lateWins: 10) }
        deals += Self.month(7, early: 20, earlyWins: 2, late: 20, lateWins: 18)
        let seasons = Seasons(deals, asOf: Self.day(2026, 1, 1), calendar: Self.calendar)

        let january = seasons.logOdds("smb", from: Self.day(2026, 1, 1), to: Self.day(2026, 2, 1), calendar: Self.calendar)
        let july = seasons.logOdds("smb", from: Self.day(2026, 7, 1), to: Self.day(2026, 8, 1), calendar: Self.calendar)
        let march = seasons.logOdds("smb", from: Self.day(2026, 3, 1), to: Self.day(2026, 4, 1), calendar: Self.calendar)
        // Counted without the stages, January's 2 wins of 40 would read as a season a third as good as average.
        #expect(abs(january) < 0.2, "january \(january)")
        #expect(abs(march) < 0.2, "march \(march)")
        #expect(july > 0.4, "july \(july)")
        #expect(seasons.logOdds("other", from: Self.day(2026, 7, 1), to: Self.day(2026, 8, 1), calendar: Self.calendar) == 0)
    }

    @Test func aRecentMonthsDealsStillOpenCountAsNotWonInIt() {
        // Every month 1 of 20 deals is won. November's other 19 are still open on 15 December: a
        // month like any other, not one where every deal open at its start was won.
        var deals: [DealRecord] = []
        for month in 1...10 { deals += Self.month(month, early: 20, earlyWins: 1) }
        deals += Self.month(11, early: 20, earlyWins: 1, rest: .open)
        // December is still running: its five wins so far say nothing of it yet.
        deals += Self.month(12, early: 5, earlyWins: 5)
        let seasons = Seasons(deals, asOf: Self.day(2025, 12, 15), calendar: Self.calendar)
        let november = seasons.logOdds("smb", from: Self.day(2026, 11, 1), to: Self.day(2026, 12, 1), calendar: Self.calendar)
        #expect(abs(november) < 0.2, "november \(november)")
        let december = seasons.logOdds("smb", from: Self.day(2026, 12, 1), to: Self.day(2027, 1, 1), calendar: Self.calendar)
        #expect(december == 0, "december \(december)")
    }
}
