import Foundation
import ServiceKit
import Testing

/// When a periodic job runs next: an interval's whole length, or the next wall-clock time in the
/// schedule's own zone.
@Suite struct JobScheduleTests {
    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!
    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func anIntervalWaitsItsLength() {
        #expect(JobSchedule.every(.seconds(60)).delay(after: Date()) == .seconds(60))
    }

    @Test func aDailyTimeIsTheNextOneInTheZone() {
        let nine = JobSchedule.daily(hour: 9, minute: 0, timeZone: Self.shanghai)
        // 00:30 UTC is 08:30 in Shanghai: half an hour to go.
        #expect(nine.delay(after: Self.utc("2026-12-01T00:30:00Z")) == .seconds(1_800))
        // 01:00 UTC is 09:00 there: the next is tomorrow's.
        #expect(nine.delay(after: Self.utc("2026-12-01T01:00:00Z")) == .seconds(86_400))
    }

    @Test func aWeeklyTimeSkipsToItsWeekday() {
        // Friday 17:00 in Shanghai; 2026-12-01 is a Tuesday.
        let brief = JobSchedule.weekly(weekday: 6, hour: 17, minute: 0, timeZone: Self.shanghai)
        #expect(brief.delay(after: Self.utc("2026-12-01T09:00:00Z")) == .seconds(3 * 86_400))
    }
}
