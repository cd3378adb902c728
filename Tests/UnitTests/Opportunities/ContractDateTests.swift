import Foundation
import RulesEngine
import Testing

@testable import OpportunitiesService

/// Contract dates (the rules engine's LocalDate, 1900 to 2999) counted in days, checked against
/// Foundation's Gregorian calendar.
@Suite struct ContractDateTests {
    @Test func countsDaysAsTheGregorianCalendarDoes() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let formatter = DateFormatter()
        formatter.calendar = calendar
        formatter.timeZone = calendar.timeZone
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd"
        var date = try #require(formatter.date(from: "1900-01-01"))
        while date < formatter.date(from: "2101-01-01")! {
            let text = formatter.string(from: date)
            let day = try #require(ContractTerms.date(text), "\(text)")
            #expect(day.daysSinceEpoch == Int((date.timeIntervalSince1970 / 86_400).rounded()), "\(text)")
            #expect(day.description == text)
            // Every 11th day: over two centuries each day of each month, leap days included, in a fraction of a second.
            date = calendar.date(byAdding: .day, value: 11, to: date)!
        }
    }

    @Test func refusesWhatIsNotADate() {
        for text in [
            "2027-02-29", "2100-02-29", "2027-13-01", "2027-00-10", "2027-04-31", "2027-1-01", "27-01-01", "2027/01/01", "", "2027-01-01x",
            "1899-12-31", "3000-01-01",
        ] {
            #expect(ContractTerms.date(text) == nil, "\(text)")
        }
        #expect(ContractTerms.date("2028-02-29") != nil && ContractTerms.date("2000-02-29") != nil)
        #expect(ContractTerms.date("2027-01-31")!.adding(days: 30).description == "2027-03-02")
    }
}
