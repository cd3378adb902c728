import Foundation

/// Days as tenants' calendars name them, for requests that take a day ("2026-11-30").
package enum LocalDays {
    /// The day `offset` days from today in Asia/Shanghai, the zone of the test and demo tenants.
    package static func fromToday(_ offset: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let parts = calendar.dateComponents([.year, .month, .day], from: calendar.date(byAdding: .day, value: offset, to: Date())!)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }
}
