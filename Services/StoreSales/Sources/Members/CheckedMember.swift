import Foundation
import SalesModel
import SalesProto
import ServiceKit

/// A member file's row, checked: the mobile normalised and hashed, consent with its time.
struct CheckedMember: Sendable {
    var phone: PhoneNumber
    var phoneHash: String
    var name: String
    var birthYear: Int?
    var consent: Consent

    enum Consent: Sendable, Equatable {
        /// The row does not say: what is on file stays.
        case unstated
        case given(Date)
        case withdrawn
    }

    init(_ row: Sales_Storesales_V1_MemberRow, hasher: PhoneHasher, zone: TimeZone, now: Date) throws(ServiceError) {
        phone = try Self.mobile(row.mobile)
        phoneHash = hasher.hash(phone)
        name = try Require.optionalText(row.name, field: "name", maxLength: 50)
        if row.birthYear != 0 {
            let thisYear = Calendar(identifier: .gregorian).component(.year, from: now)
            guard (1900...thisYear).contains(Int(row.birthYear)) else {
                throw .invalidArgument(field: "birth_year", rule: "must be a year from 1900 to \(thisYear), or 0 when unknown")
            }
            birthYear = Int(row.birthYear)
        }
        switch (row.hasConsent, row.consent) {
        case (true, true): consent = .given(try Self.consentTime(row.consentAt, zone: zone, now: now))
        case (true, false) where row.consentAt.isEmpty: consent = .withdrawn
        case (false, _) where row.consentAt.isEmpty: consent = .unstated
        default: throw .invalidArgument(field: "consent_at", rule: "is set but consent is not; set consent, or clear consent_at")
        }
    }

    static func mobile(_ text: String, field: String = "mobile") throws(ServiceError) -> PhoneNumber {
        guard !text.isEmpty else { throw .invalidArgument(field: field, rule: "is required") }
        guard let phone = PhoneNumber(text) else {
            throw .invalidArgument(field: field, rule: "must be a mainland mobile number, 11 digits from 13 to 19 (got \(quoted: text))")
        }
        return phone
    }

    /// "2026-03-01" (midnight in the tenant's zone) or RFC 3339; empty is now; never in the future.
    private static func consentTime(_ text: String, zone: TimeZone, now: Date) throws(ServiceError) -> Date {
        let text = text.trimmedBlanks
        guard !text.isEmpty else { return now }
        let date = (try? Date(text, strategy: .iso8601)) ?? Self.day(text, zone: zone)
        guard let date else {
            throw .invalidArgument(field: "consent_at", rule: "must be a date like 2026-03-01 or an RFC 3339 time (got \(quoted: text))")
        }
        guard date <= now else { throw .invalidArgument(field: "consent_at", rule: "is in the future (\(quoted: text))") }
        return date
    }

    private static func day(_ text: String, zone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
            calendar.component(.day, from: date) == parts[2]
        else { return nil }
        return date
    }
}
