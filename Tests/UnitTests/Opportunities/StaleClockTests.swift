import Foundation
import RulesEngine
import Testing

@testable import OpportunitiesService

/// The stale-deal clocks count the tenant's working time only: a weekend is neither business
/// hours nor a working day.
@Suite struct StaleClockTests {
    static func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func aWeekendIsNoWorkingTime() throws {
        let stage = try #require(BuiltInPipeline.definition.stage("需求确认"))  // 48 business hours, 3 idle working days
        let calendar = WorkCalendar.standard  // Shanghai, 09:00–12:00 and 13:00–18:00, Monday to Friday
        let fridayEvening = Self.at("2026-11-27T10:00:00Z")  // 18:00 in Shanghai
        #expect(
            StaleDealSweeper.reasons(
                stage: stage, enteredAt: fridayEvening, lastActivity: fridayEvening, now: Self.at("2026-11-30T01:00:00Z"), calendar: calendar
            ).isEmpty)
        // Five working days (40 hours): idle too long, not yet too long in the stage.
        let nextMonday = StaleDealSweeper.reasons(
            stage: stage, enteredAt: fridayEvening, lastActivity: fridayEvening, now: Self.at("2026-12-07T01:00:00Z"), calendar: calendar)
        #expect(nextMonday.map(\.english) == ["no activity for 6 working days (limit 3)"])
        // Seven working days (56 hours): both.
        let wednesday = StaleDealSweeper.reasons(
            stage: stage, enteredAt: fridayEvening, lastActivity: fridayEvening, now: Self.at("2026-12-09T01:00:00Z"), calendar: calendar)
        #expect(
            wednesday.map(\.english) == ["no stage progress for 56 business hours in 需求确认 (limit 48)", "no activity for 8 working days (limit 3)"])
        #expect(wednesday[0].chinese == "在「需求确认」56 个工作小时没有推进（上限 48）")
    }
}
