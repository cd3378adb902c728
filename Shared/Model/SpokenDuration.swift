/// A span of hours said as a person would: "45 minutes", "2 hours 30 minutes", "3 days 4 hours",
/// "不到 1 分钟", "2 小时 30 分钟" — never "0.0003 hours".
public struct SpokenDuration: Sendable, CustomStringConvertible {
    public let minutes: Int
    /// Counted on the work calendar: said as working hours, never folded into days.
    public let business: Bool

    public init(hours: Double, business: Bool = false) {
        minutes = hours.isFinite ? max(0, Int((hours * 60).rounded())) : 0
        self.business = business
    }

    private var parts: (days: Int, hours: Int, minutes: Int) {
        // Clock time of two days or more reads in days; business time stays in working hours.
        let days = !business && minutes >= 48 * 60 ? minutes / (24 * 60) : 0
        let rest = minutes - days * 24 * 60
        return (days, rest / 60, rest % 60)
    }

    public var english: String {
        guard minutes > 0 else { return "under a minute" }
        let (days, hours, minutes) = parts
        var words: [String] = []
        if days > 0 { words.append(days == 1 ? "1 day" : "\(days) days") }
        if hours > 0 { words.append("\(hours) \(business ? "working " : "")hour\(hours == 1 ? "" : "s")") }
        if minutes > 0, days == 0 { words.append("\(minutes) minute\(minutes == 1 ? "" : "s")") }
        return words.joined(separator: " ")
    }

    public var chinese: String {
        guard minutes > 0 else { return "不到 1 分钟" }
        let (days, hours, minutes) = parts
        var words: [String] = []
        if days > 0 { words.append("\(days) 天") }
        if hours > 0 { words.append("\(hours) \(business ? "个工作小时" : "小时")") }
        if minutes > 0, days == 0 { words.append("\(minutes) 分钟") }
        return words.joined(separator: " ")
    }

    public var description: String { english }
}
