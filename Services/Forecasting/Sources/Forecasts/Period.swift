import Foundation
import SalesModel
import ServiceKit

/// A forecast period in the tenant's zone: a month ("2026-12") or a quarter ("2026-Q4"),
/// from its first moment to the first moment of the next.
struct Period: Sendable, Hashable {
    enum Kind: Sendable {
        case month, quarter
    }

    let kind: Kind
    let start: Date
    let end: Date
    let name: String

    static func month(containing moment: Date, in calendar: Calendar) -> Period {
        let parts = calendar.dateComponents([.year, .month], from: moment)
        return make(.month, year: parts.year ?? 1970, month: parts.month ?? 1, calendar: calendar)
    }

    static func quarter(containing moment: Date, in calendar: Calendar) -> Period {
        let parts = calendar.dateComponents([.year, .month], from: moment)
        return make(.quarter, year: parts.year ?? 1970, month: ((parts.month ?? 1) - 1) / 3 * 3 + 1, calendar: calendar)
    }

    /// "2026-12" or "2026-Q4".
    static func parse(_ text: String, field: String, in calendar: Calendar) throws(ServiceError) -> Period {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 2, let year = Int(parts[0]), (2000...2100).contains(year) {
            if let month = Int(parts[1]), parts[1].count == 2, (1...12).contains(month) {
                return make(.month, year: year, month: month, calendar: calendar)
            }
            if parts[1].count == 2, parts[1].first == "Q", let quarter = Int(parts[1].dropFirst()), (1...4).contains(quarter) {
                return make(.quarter, year: year, month: (quarter - 1) * 3 + 1, calendar: calendar)
            }
        }
        throw .invalidArgument(field: field, rule: "must be a month like 2026-12 or a quarter like 2026-Q4 (got \(quoted: text))")
    }

    var next: Period {
        kind == .month ? Self.month(containing: end, in: zoneCalendar) : Self.quarter(containing: end, in: zoneCalendar)
    }

    /// The same kind of period just before this one.
    var previous: Period {
        let moment = start.addingTimeInterval(-1)
        return kind == .month ? Self.month(containing: moment, in: zoneCalendar) : Self.quarter(containing: moment, in: zoneCalendar)
    }

    private let zoneCalendar: Calendar

    private static func make(_ kind: Kind, year: Int, month: Int, calendar: Calendar) -> Period {
        let start = calendar.date(from: DateComponents(year: year, month: month, day: 1)) ?? Date(timeIntervalSince1970: 0)
        let end = calendar.date(byAdding: .month, value: kind == .month ? 1 : 3, to: start) ?? start
        let name = kind == .month ? String(format: "%04d-%02d", year, month) : "\(year)-Q\((month - 1) / 3 + 1)"
        return Period(kind: kind, start: start, end: end, name: name, zoneCalendar: calendar)
    }

    static func == (lhs: Period, rhs: Period) -> Bool { lhs.start == rhs.start && lhs.end == rhs.end }
    func hash(into hasher: inout Hasher) {
        hasher.combine(start)
        hasher.combine(end)
    }
}

extension Calendar {
    /// Gregorian in `zone`: how the tenant's months and quarters are cut.
    static func forecasting(in zone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }
}
