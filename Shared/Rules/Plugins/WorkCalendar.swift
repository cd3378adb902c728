import Foundation

/// When a tenant works: daily working periods, weekend days, statutory holidays and the make-up
/// working days (调休) that come with them, in the tenant's time zone. Holidays are data: the State
/// Council publishes each year's, and operators load them.
public struct WorkCalendar: Sendable, Hashable {
    /// A daily working period in minutes from midnight, e.g. 09:00–12:00 is 540..<720.
    public struct Period: Sendable, Hashable {
        public let start: Int
        public let end: Int

        public init?(start: Int, end: Int) {
            guard 0 <= start, start < end, end <= 24 * 60 else { return nil }
            self.start = start
            self.end = end
        }
    }

    public var timeZone: TimeZone
    public var periods: [Period]
    /// ISO weekdays off: 6 Saturday, 7 Sunday.
    public var weekend: Set<Int>
    public var holidays: Set<LocalDate>
    /// Weekend days worked instead of a holiday (调休上班).
    public var makeUpWorkdays: Set<LocalDate>

    public init(
        timeZone: TimeZone, periods: [Period], weekend: Set<Int> = [6, 7], holidays: Set<LocalDate> = [], makeUpWorkdays: Set<LocalDate> = []
    ) {
        self.timeZone = timeZone
        self.periods = periods.sorted { $0.start < $1.start }
        self.weekend = weekend
        self.holidays = holidays
        self.makeUpWorkdays = makeUpWorkdays
    }

    public static let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    /// Monday to Friday, 09:00–12:00 and 13:00–18:00 in Asia/Shanghai, no holidays loaded.
    public static let standard = WorkCalendar(
        timeZone: shanghai, periods: [Period(start: 9 * 60, end: 12 * 60)!, Period(start: 13 * 60, end: 18 * 60)!])

    /// The calendar as data:
    /// `{"time_zone": "Asia/Shanghai", "working_hours": [["09:00", "12:00"], ["13:00", "18:00"]],
    ///   "weekend": [6, 7], "holidays": ["2025-10-01", …], "make_up_workdays": ["2025-09-28", …]}`.
    /// Every member is optional and defaults to `standard`'s.
    public init(json value: RuleValue) throws(WorkCalendarError) {
        guard case .object(let members) = value else { throw WorkCalendarError("a work calendar is an object; got \(value.json)") }
        let known: Set<String> = ["time_zone", "working_hours", "weekend", "holidays", "make_up_workdays"]
        if let unknown = members.keys.sorted().first(where: { !known.contains($0) }) {
            throw WorkCalendarError("`\(unknown)` is not a work calendar member; use \(known.sorted().joined(separator: ", "))")
        }
        var calendar = WorkCalendar.standard
        if let zone = members["time_zone"] {
            guard let name = zone.stringValue, let timeZone = TimeZone(identifier: name) else {
                throw WorkCalendarError("time_zone must be an IANA zone such as Asia/Shanghai; got \(zone.json)")
            }
            calendar.timeZone = timeZone
        }
        if let hours = members["working_hours"] {
            guard let list = hours.arrayValue, !list.isEmpty else {
                throw WorkCalendarError("working_hours must be a list of [\"HH:MM\", \"HH:MM\"] periods")
            }
            var periods: [Period] = []
            for item in list {
                guard let pair = item.arrayValue, pair.count == 2, let start = Self.minutes(pair[0]), let end = Self.minutes(pair[1]),
                    let period = Period(start: start, end: end)
                else {
                    throw WorkCalendarError("working period \(item.json) must be [\"HH:MM\", \"HH:MM\"] with the start before the end")
                }
                periods.append(period)
            }
            calendar.periods = periods.sorted { $0.start < $1.start }
            for (a, b) in zip(calendar.periods, calendar.periods.dropFirst()) where b.start < a.end {
                throw WorkCalendarError("working periods overlap: \(Self.text(a)) and \(Self.text(b))")
            }
        }
        if let weekend = members["weekend"] {
            guard let days = weekend.arrayValue?.compactMap(\.numberValue), days.count == weekend.arrayValue?.count,
                days.allSatisfy({ (1...7).contains($0) && $0.rounded() == $0 })
            else {
                throw WorkCalendarError("weekend must list ISO weekdays 1 (Monday) to 7 (Sunday); got \(weekend.json)")
            }
            calendar.weekend = Set(days.map { Int($0) })
        }
        calendar.holidays = try Self.dates(members["holidays"], "holidays")
        calendar.makeUpWorkdays = try Self.dates(members["make_up_workdays"], "make_up_workdays")
        if let both = calendar.holidays.intersection(calendar.makeUpWorkdays).min() {
            throw WorkCalendarError("\(both) is both a holiday and a make-up working day")
        }
        self = calendar
    }

    public func isWorkday(_ date: LocalDate) -> Bool {
        if makeUpWorkdays.contains(date) { return true }
        if holidays.contains(date) { return false }
        return !weekend.contains(date.weekday)
    }

    /// Workdays after the local date of `start`, up to and including that of `end` (0 when `end`
    /// is not on a later day): how business-day clocks (pool return, idle deals) count.
    public func workdays(from start: Date, to end: Date) -> Int {
        let first = localDate(of: start), last = localDate(of: end)
        guard first < last else { return 0 }
        var count = 0
        var day = first.adding(days: 1)
        while day <= last {
            if isWorkday(day) { count += 1 }
            day = day.adding(days: 1)
        }
        return count
    }

    /// Working seconds between two instants (negative when `end` is before `start`).
    public func workingSeconds(from start: Date, to end: Date) throws(WorkCalendarError) -> Double {
        if end < start { return -(try workingSeconds(from: end, to: start)) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let first = localDate(start, calendar)
        let last = localDate(end, calendar)
        guard last.daysSinceEpoch - first.daysSinceEpoch <= 3_700 else {
            throw WorkCalendarError("the span from \(first) to \(last) is longer than ten years")
        }
        var total = 0.0
        var day = first
        while day <= last {
            if isWorkday(day) {
                for period in periods {
                    guard let from = instant(day, minutes: period.start, calendar), let to = instant(day, minutes: period.end, calendar) else {
                        continue
                    }
                    let overlap = min(to, end).timeIntervalSince(max(from, start))
                    if overlap > 0 { total += overlap }
                }
            }
            day = day.adding(days: 1)
        }
        return total
    }

    /// Why nobody is at work at a moment.
    public enum OffWork: Sendable, Hashable, CustomStringConvertible {
        case holiday(LocalDate)
        case restDay(LocalDate)
        /// Minutes past midnight, outside every working period.
        case outsideHours(Int)

        /// "2025-10-01 is a holiday", "2025-10-04 is not a workday", "19:30 is outside working hours".
        public var description: String {
            switch self {
            case .holiday(let day): "\(day) is a holiday"
            case .restDay(let day): "\(day) is not a workday"
            case .outsideHours(let minute): "\(WorkCalendar.clock(minute)) is outside working hours"
            }
        }

        /// The same as a notice in Chinese says it.
        public var chinese: String {
            switch self {
            case .holiday(let day): "\(day) 是节假日"
            case .restDay(let day): "\(day) 是休息日"
            case .outsideHours(let minute): "\(WorkCalendar.clock(minute)) 不在工作时间"
            }
        }
    }

    /// Why nobody is at work at `instant`, or nil when it is working time.
    public func notWorking(at instant: Date) -> OffWork? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let day = localDate(instant, calendar)
        guard isWorkday(day) else { return holidays.contains(day) ? .holiday(day) : .restDay(day) }
        let parts = calendar.dateComponents([.hour, .minute], from: instant)
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        guard periods.contains(where: { $0.start <= minute && minute < $0.end }) else { return .outsideHours(minute) }
        return nil
    }

    /// The day `instant` falls on in the calendar's time zone.
    public func localDate(of instant: Date) -> LocalDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return localDate(instant, calendar)
    }

    func localDate(_ instant: Date, _ calendar: Calendar) -> LocalDate {
        let parts = calendar.dateComponents([.year, .month, .day], from: instant)
        return LocalDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)
            ?? LocalDate(daysSinceEpoch: Int((instant.timeIntervalSince1970 / 86_400).rounded(.down)))
    }

    /// The instant at `minutes` past local midnight of `day` (24:00 is the next midnight).
    func instant(_ day: LocalDate, minutes: Int, _ calendar: Calendar) -> Date? {
        let date = minutes == 24 * 60 ? day.adding(days: 1) : day
        let minute = minutes == 24 * 60 ? 0 : minutes
        return calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day, hour: minute / 60, minute: minute % 60))
    }

    private static func minutes(_ value: RuleValue) -> Int? {
        guard let text = value.stringValue else { return nil }
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]),
            (0...24).contains(hours), (0..<60).contains(minutes), hours * 60 + minutes <= 24 * 60
        else { return nil }
        return hours * 60 + minutes
    }

    private static func dates(_ value: RuleValue?, _ member: String) throws(WorkCalendarError) -> Set<LocalDate> {
        guard let value else { return [] }
        guard let list = value.arrayValue else { throw WorkCalendarError("\(member) must be a list of \"YYYY-MM-DD\" dates") }
        var dates: Set<LocalDate> = []
        for item in list {
            guard let text = item.stringValue, let date = LocalDate(text) else {
                throw WorkCalendarError("\(member): \(item.json) is not a \"YYYY-MM-DD\" date")
            }
            dates.insert(date)
        }
        return dates
    }

    private static func text(_ period: Period) -> String {
        "\(clock(period.start))–\(clock(period.end))"
    }

    static func clock(_ minutes: Int) -> String {
        let h = minutes / 60
        let m = minutes % 60
        return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
    }

    /// The calendar as the document `init(json:)` reads, every member written out, lists sorted.
    public var jsonValue: RuleValue {
        .object([
            "time_zone": .string(timeZone.identifier),
            "working_hours": .array(periods.map { .array([.string(Self.clock($0.start)), .string(Self.clock($0.end))]) }),
            "weekend": .array(weekend.sorted().map { .number(Double($0)) }),
            "holidays": .array(holidays.sorted().map { .string($0.description) }),
            "make_up_workdays": .array(makeUpWorkdays.sorted().map { .string($0.description) }),
        ])
    }
}

public struct WorkCalendarError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
