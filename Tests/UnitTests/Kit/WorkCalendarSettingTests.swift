import Foundation
import RulesEngine
import ServiceKit
import Testing

/// SALES_WORK_CALENDAR: the year's holidays and make-up days as data, refused clearly when wrong.
@Suite struct WorkCalendarSettingTests {
    func file(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "calendar-\(UUID().uuidString).json"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func readsHolidaysAndMakeUpDays() throws {
        let path = try file(#"{"holidays": ["2026-10-01", "2026-10-02"], "make_up_workdays": ["2026-09-27"]}"#)
        let calendar = try Environment(["SALES_WORK_CALENDAR": path]).workCalendar()
        #expect(!calendar.isWorkday(LocalDate("2026-10-01")!))
        #expect(calendar.isWorkday(LocalDate("2026-09-27")!), "a Sunday worked instead (调休)")
        #expect(calendar.isWorkday(LocalDate("2026-10-05")!))
        #expect(try Environment([:]).workCalendar() == .standard)
    }

    @Test func aBadCalendarStopsTheStartWithTheReason() throws {
        let wrong = try file(#"{"holidays": ["2026-13-01"]}"#)
        let error = #expect(throws: ConfigurationError.self) { try Environment(["SALES_WORK_CALENDAR": wrong]).workCalendar() }
        #expect(error?.variable == "SALES_WORK_CALENDAR" && error?.problem.contains("2026-13-01") == true, "\(String(describing: error))")
        let missing = #expect(throws: ConfigurationError.self) { try Environment(["SALES_WORK_CALENDAR": "/nope.json"]).workCalendar() }
        #expect(missing?.problem.contains("/nope.json") == true)
    }
}
