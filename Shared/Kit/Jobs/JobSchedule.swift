import Foundation

/// When a periodic job runs: on an interval, or at a wall-clock time in a time zone (daily, or
/// weekly for a Friday brief). Wall-clock schedules follow the zone's calendar, so 09:00 in
/// Shanghai stays 09:00 there.
public enum JobSchedule: Sendable, Equatable {
    case every(Duration)
    case daily(hour: Int, minute: Int, timeZone: TimeZone)
    /// `weekday` as Foundation counts it: 1 is Sunday, 6 Friday.
    case weekly(weekday: Int, hour: Int, minute: Int, timeZone: TimeZone)

    /// The wait from `now` until the next run; an interval's whole length.
    public func delay(after now: Date) -> Duration {
        switch self {
        case .every(let interval):
            return interval
        case .daily(let hour, let minute, let zone):
            return Self.until(DateComponents(hour: hour, minute: minute), in: zone, after: now)
        case .weekly(let weekday, let hour, let minute, let zone):
            return Self.until(DateComponents(hour: hour, minute: minute, weekday: weekday), in: zone, after: now)
        }
    }

    private static func until(_ components: DateComponents, in zone: TimeZone, after now: Date) -> Duration {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        // A time skipped by a clock change runs at the next valid moment rather than never.
        let next = calendar.nextDate(after: now, matching: components, matchingPolicy: .nextTime) ?? now.addingTimeInterval(86_400)
        return .milliseconds(Int64((next.timeIntervalSince(now) * 1000).rounded(.up)))
    }
}
