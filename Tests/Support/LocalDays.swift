import Foundation

/// Days as tenants' calendars name them, for requests that take a day ("2026-11-30").
package enum LocalDays {
    /// The calendar of the test and demo tenants.
    private static var shanghai: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        return calendar
    }

    /// The day `offset` days from today in Asia/Shanghai, the zone of the test and demo tenants.
    package static func fromToday(_ offset: Int) -> String {
        let parts = shanghai.dateComponents([.year, .month, .day], from: shanghai.date(byAdding: .day, value: offset, to: Date())!)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    /// The month `offset` months from this one in Asia/Shanghai ("2026-09"); its first day is `month(offset) + "-01"`.
    package static func month(_ offset: Int) -> String {
        let parts = shanghai.dateComponents([.year, .month], from: shanghai.date(byAdding: .month, value: offset, to: Date())!)
        return String(format: "%04d-%02d", parts.year!, parts.month!)
    }
}
