import Foundation

/// ISO-8601 timestamps as rules carry them: "2025-10-09T09:30:00+08:00", "…Z", with optional
/// fractional seconds, a space instead of "T", or a bare date. Without an offset the time is
/// local to the calendar's zone.
enum Timestamp {
    static func parse(_ text: String, in timeZone: TimeZone) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 10, let date = LocalDate(String(decoding: bytes[0..<10], as: UTF8.self)) else { return nil }
        var index = 10
        var seconds = 0.0
        var offset: Int?
        if index < bytes.count {
            guard bytes[index] == UInt8(ascii: "T") || bytes[index] == UInt8(ascii: " ") else { return nil }
            index += 1
            guard let hour = number(bytes, &index, digits: 2), skip(":", bytes, &index),
                let minute = number(bytes, &index, digits: 2), hour < 24, minute < 60
            else { return nil }
            seconds = Double(hour * 3600 + minute * 60)
            if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
                index += 1
                guard let second = number(bytes, &index, digits: 2), second < 61 else { return nil }
                seconds += Double(min(second, 59))
                if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    var scale = 0.1
                    let start = index
                    while index < bytes.count, (48...57).contains(bytes[index]) {
                        seconds += Double(bytes[index] - 48) * scale
                        scale /= 10
                        index += 1
                    }
                    guard index > start else { return nil }
                }
            }
            if index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                    offset = 0
                    index += 1
                case UInt8(ascii: "+"), UInt8(ascii: "-"):
                    let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
                    index += 1
                    guard let hours = number(bytes, &index, digits: 2) else { return nil }
                    if index < bytes.count, bytes[index] == UInt8(ascii: ":") { index += 1 }
                    guard let minutes = number(bytes, &index, digits: 2), hours < 24, minutes < 60 else { return nil }
                    offset = sign * (hours * 3600 + minutes * 60)
                default:
                    return nil
                }
            }
            guard index == bytes.count else { return nil }
        }
        if let offset {
            return Date(timeIntervalSince1970: Double(date.daysSinceEpoch) * 86_400 + seconds - Double(offset))
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        guard let midnight = calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day)) else { return nil }
        return midnight.addingTimeInterval(seconds)
    }

    private static func skip(_ separator: Unicode.Scalar, _ bytes: [UInt8], _ index: inout Int) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: separator) else { return false }
        index += 1
        return true
    }

    private static func number(_ bytes: [UInt8], _ index: inout Int, digits: Int) -> Int? {
        guard index + digits <= bytes.count else { return nil }
        var value = 0
        for offset in 0..<digits {
            let byte = bytes[index + offset]
            guard (48...57).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        index += digits
        return value
    }
}
