import Foundation
import RulesEngine

/// An appointment said in a chat (明天下午3点, 周五上午10点半, 下周二, 12月3日晚上7点), turned into
/// a time in Asia/Shanghai relative to when the message was sent.
struct Appointment: Sendable, Equatable {
    /// The words as they were written.
    let text: String
    let at: Date

    static let pattern =
        "(今天|明天|后天|下周[一二三四五六日天]|周[一二三四五六日天]|星期[一二三四五六日天]|[0-9]{1,2}月[0-9]{1,2}[日号])(上午|中午|下午|晚上)?(([0-9]{1,2})[点:：]([0-9]{1,2}|半)?)?"

    /// Compiled once: a chat sync reads every message with it.
    private static let expression = try! NSRegularExpression(pattern: pattern)

    /// The first appointment in `text`, sent at `sent`; nil when there is none or the date is impossible.
    static func find(in text: String, sent: Date) -> Appointment? {
        guard let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
        func group(_ index: Int) -> String? {
            Range(match.range(at: index), in: text).map { String(text[$0]) }
        }
        guard let whole = group(0), let dayWords = group(1) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = WorkCalendar.shanghai
        let today = calendar.startOfDay(for: sent)
        guard let day = Self.day(dayWords, today: today, calendar: calendar) else { return nil }
        let period = group(2)
        var hour = group(4).flatMap { Int($0) } ?? (period == "下午" ? 15 : period == "晚上" ? 19 : period == "中午" ? 12 : 10)
        if (period == "下午" || period == "晚上") && hour < 12 { hour += 12 }
        let minute = group(5).map { $0 == "半" ? 30 : Int($0) ?? 0 } ?? 0
        guard (0...23).contains(hour), (0...59).contains(minute),
            let at = calendar.date(bySettingHour: hour, minute: minute, second: 0, of: day)
        else { return nil }
        return Appointment(text: whole, at: at)
    }

    private static let weekdays: [Character: Int] = ["一": 2, "二": 3, "三": 4, "四": 5, "五": 6, "六": 7, "日": 1, "天": 1]

    /// The day the words name, counted from `today`: 周五 is the coming Friday (a week on when
    /// said on a Friday), 下周五 the Friday of next week (weeks start on Monday), 3月2日 the
    /// coming 2 March.
    private static func day(_ words: String, today: Date, calendar: Calendar) -> Date? {
        switch words {
        case "今天": return today
        case "明天": return calendar.date(byAdding: .day, value: 1, to: today)
        case "后天": return calendar.date(byAdding: .day, value: 2, to: today)
        default: break
        }
        if !words.contains("月"), let last = words.last, let weekday = weekdays[last] {
            let current = calendar.component(.weekday, from: today)
            if words.hasPrefix("下周") {
                let sinceMonday = (current + 5) % 7
                let targetSinceMonday = (weekday + 5) % 7
                return calendar.date(byAdding: .day, value: 7 - sinceMonday + targetSinceMonday, to: today)
            }
            let ahead = (weekday - current + 7) % 7
            return calendar.date(byAdding: .day, value: ahead == 0 ? 7 : ahead, to: today)
        }
        let numbers = words.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard numbers.count == 2 else { return nil }
        let year = calendar.component(.year, from: today)
        for candidate in [year, year + 1] {
            guard let date = calendar.date(from: DateComponents(year: candidate, month: numbers[0], day: numbers[1])),
                calendar.component(.day, from: date) == numbers[1]
            else { return nil }
            if date >= today { return date }
        }
        return nil
    }
}
