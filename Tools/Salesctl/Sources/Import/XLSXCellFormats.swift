import Foundation

/// Which cell styles show a number as a date (xl/styles.xml), and the text of numbers and dates as
/// an import wants it. Excel stores a date as a number of days; only the style says it is a date.
struct XLSXCellFormats: Sendable {
    /// Per `cellXfs` index (a cell's `s`): whether its number format is a date or a time.
    private let dateStyles: [Bool]
    /// The Mac-era 1904 date system (`<workbookPr date1904="1"/>`): day 0 is 1904-01-01.
    let date1904: Bool

    init(dateStyles: [Bool] = [], date1904: Bool = false) {
        self.dateStyles = dateStyles
        self.date1904 = date1904
    }

    static func read(_ data: Data, part: String, name: String, date1904: Bool) throws -> XLSXCellFormats {
        var codes: [Int: String] = [:]
        var styleFormats: [Int] = []
        var inCellXfs = false
        try XMLEvents.parse(
            data, part: part, name: name,
            start: { element, attributes in
                switch element {
                case "numFmt":
                    if let id = attributes["numFmtId"].flatMap({ Int($0) }) { codes[id] = attributes["formatCode"] ?? "" }
                case "cellXfs": inCellXfs = true
                case "xf" where inCellXfs:  // cellStyleXfs has xf elements too: those are named styles, not cells'
                    styleFormats.append(attributes["numFmtId"].flatMap { Int($0) } ?? 0)
                default: break
                }
            },
            end: { element in
                if element == "cellXfs" { inCellXfs = false }
            })
        return XLSXCellFormats(dateStyles: styleFormats.map { isDateFormat(id: $0, code: codes[$0]) }, date1904: date1904)
    }

    func isDate(style: Int) -> Bool { style >= 0 && style < dateStyles.count && dateStyles[style] }

    /// Built-in formats have no code in the file: 14–22 and 45–47 are dates and times everywhere;
    /// 27–36 and 50–58 are the East Asian date formats (yyyy"年"m"月"d"日" and the like) that
    /// Chinese Excel and WPS use. A code in the file, custom or redefining a built-in id, decides.
    static func isDateFormat(id: Int, code: String?) -> Bool {
        if let code { return isDateCode(code) }
        return (14...22).contains(id) || (27...36).contains(id) || (45...47).contains(id) || (50...58).contains(id)
    }

    /// A format code is a date or time when it has y, m, d, h or s outside quoted text ("年"),
    /// brackets ([Red], [$-804]) and escaped characters (\d, _d width, *d fill).
    static func isDateCode(_ code: String) -> Bool {
        var quoted = false, bracketed = false, escaped = false
        for character in code {
            if escaped { escaped = false; continue }
            if quoted { quoted = character != "\""; continue }
            if bracketed { bracketed = character != "]"; continue }
            switch character {
            case "\"": quoted = true
            case "[": bracketed = true
            case "\\", "_", "*": escaped = true
            case "y", "Y", "m", "M", "d", "D", "h", "H", "s", "S": return true
            default: break
            }
        }
        return false
    }

    /// A stored number as typed: integers without a fraction or exponent, so that a phone kept as a
    /// number (13800138000, maybe written 1.38001380E10) imports as 13800138000; other numbers at
    /// Excel's 15 significant digits (0.30000000000000004 → 0.3).
    static func numberText(_ raw: String) -> String {
        guard let value = Double(raw), value.isFinite else { return raw }
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 { return String(Int64(value)) }  // 2^53: exact
        return String(format: "%.15g", value)
    }

    /// A date serial as yyyy-MM-dd (whole days), yyyy-MM-dd HH:mm:ss, or HH:mm:ss below one day
    /// (a time of day with no date); nil when out of Excel's range, for the number to show instead.
    func dateText(serial: Double) -> String? {
        guard serial >= 0, serial < 2_958_466 else { return nil }  // 9999-12-31 is Excel's last day
        let seconds = Int((serial * 86_400).rounded())
        var days = seconds / 86_400
        let time = seconds % 86_400
        let clock = "\(Self.digits(time / 3600, 2)):\(Self.digits(time / 60 % 60, 2)):\(Self.digits(time % 60, 2))"
        if days == 0 { return clock }
        // The 1900 system counts a 29 February 1900 that never was (day 60, kept from Lotus 1-2-3):
        // from day 61 on, day n is n days after 1899-12-30; before it, one day later (day 60 itself
        // comes out as the 28th).
        if !date1904, days < 60 { days += 1 }
        let epoch = date1904 ? -24_107 : -25_569  // 1904-01-01 and 1899-12-30, in days from 1970-01-01
        let date = Date(timeIntervalSince1970: Double((epoch + days) * 86_400))
        let parts = Self.utc.dateComponents([.year, .month, .day], from: date)
        let day = "\(Self.digits(parts.year ?? 0, 4))-\(Self.digits(parts.month ?? 0, 2))-\(Self.digits(parts.day ?? 0, 2))"
        return time == 0 ? day : day + " " + clock
    }

    /// A `t="d"` cell (ISO 8601, as strict OOXML and openpyxl's iso_dates write it) in the same forms.
    static func isoDateText(_ raw: String) -> String {
        let parts = raw.split(separator: "T", maxSplits: 1).map(String.init)
        guard let first = parts.first else { return raw }
        let hasDate = first.contains("-")
        var clock = hasDate ? (parts.count > 1 ? parts[1] : "") : first
        clock = String(clock.prefix(8))  // drops fractions of seconds, "Z" and offsets
        if clock.count == 5 { clock += ":00" }
        guard hasDate else { return clock }
        return clock.isEmpty || clock == "00:00:00" ? first : first + " " + clock
    }

    private static func digits(_ number: Int, _ width: Int) -> String {
        let text = String(number)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
