import Foundation

/// `{"business_hours_between": [start, end]}` or `[start, end, "calendar"]`: working hours
/// elapsed between two ISO-8601 timestamps under a work calendar (weekends, statutory holidays
/// and 调休 make-up days included), e.g. for "first call within 4 working hours". Null when
/// either end is missing, so a lead not yet called has no elapsed time rather than an error.
public struct BusinessHoursOperator: RuleOperator {
    public let name = "business_hours_between"
    public let signature = OperatorSignature(
        [.init("start", .text), .init("end", .text), .init("calendar", .text)], required: 2, result: .number)
    public let calendar: WorkCalendar
    public let namedCalendars: [String: WorkCalendar]

    /// `calendar` applies unless a rule names one of `namedCalendars` (e.g. per region).
    public init(calendar: WorkCalendar = .standard, namedCalendars: [String: WorkCalendar] = [:]) {
        self.calendar = calendar
        self.namedCalendars = namedCalendars
    }

    public func problems(withConstantArguments arguments: [RuleValue?]) -> [String] {
        var problems: [String] = []
        for (index, argument) in arguments.prefix(2).enumerated() {
            if case .string(let text)? = argument, Timestamp.parse(text, in: calendar.timeZone) == nil {
                problems.append("the \(index == 0 ? "start" : "end") \"\(text)\" is not an ISO-8601 timestamp")
            }
        }
        if arguments.count > 2 {
            guard let named = arguments[2] else {
                problems.append("name the calendar in the rule; it cannot be computed")
                return problems
            }
            if namedCalendars[named.stringValue ?? ""] == nil {
                let known = namedCalendars.keys.sorted()
                problems.append("there is no work calendar \(named.json)" + (known.isEmpty ? "" : "; calendars: \(known.joined(separator: ", "))"))
            }
        }
        return problems
    }

    public func evaluate(_ arguments: [RuleValue]) throws(RuleEvaluationError) -> RuleValue {
        var calendar = self.calendar
        if arguments.count > 2 {
            guard let named = namedCalendars[arguments[2].stringValue ?? ""] else {
                throw RuleEvaluationError("there is no work calendar \(arguments[2].json)")
            }
            calendar = named
        }
        guard !arguments[0].isNull, !arguments[1].isNull else { return .null }
        let start = try instant(arguments[0], "start", calendar)
        let end = try instant(arguments[1], "end", calendar)
        do {
            return .number(try calendar.workingSeconds(from: start, to: end) / 3600)
        } catch {
            throw RuleEvaluationError(error.message)
        }
    }

    private func instant(_ value: RuleValue, _ role: String, _ calendar: WorkCalendar) throws(RuleEvaluationError) -> Date {
        guard case .string(let text) = value, let date = Timestamp.parse(text, in: calendar.timeZone) else {
            throw RuleEvaluationError("the \(role) must be an ISO-8601 timestamp such as \"2025-10-09T09:30:00+08:00\"; got \(value.json)")
        }
        return date
    }
}
