import Foundation
import Testing

@testable import LeadsService

/// Appointments said in a chat become the draft follow-up's next contact time (Asia/Shanghai).
@Suite struct AppointmentTests {
    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    static func time(_ text: String) -> Date {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = shanghai
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.date(from: text)!
    }

    /// Sent on Wednesday 25 November 2026 at 10:00 in Shanghai.
    static let sent = time("2026-11-25 10:00")

    @Test(arguments: [
        ("明天下午3点来公司", "明天下午3点", "2026-11-26 15:00"),
        ("那就周五上午10点半见", "周五上午10点半", "2026-11-27 10:30"),
        ("周三再说", "周三", "2026-12-02 10:00"),
        ("下周二晚上7点电话", "下周二晚上7点", "2026-12-01 19:00"),
        ("12月3日14:30到", "12月3日14:30", "2026-12-03 14:30"),
        ("1月5号给答复", "1月5号", "2027-01-05 10:00"),
        ("今天中午吃饭聊", "今天中午", "2026-11-25 12:00"),
        ("星期日下午", "星期日下午", "2026-11-29 15:00"),
    ])
    func readsTheDayAndTime(text: String, words: String, expected: String) throws {
        let appointment = try #require(Appointment.find(in: text, sent: Self.sent))
        #expect(appointment.text == words)
        #expect(appointment.at == Self.time(expected))
    }

    @Test func impossibleOrMissingDatesGiveNothing() {
        #expect(Appointment.find(in: "2月30日见", sent: Self.sent) == nil)
        #expect(Appointment.find(in: "好的，收到报价", sent: Self.sent) == nil)
        #expect(Appointment.find(in: "明天25点", sent: Self.sent) == nil)
    }
}
