import Foundation
import SalesModel
import SalesProto
import SwiftProtobuf

extension Sales_Common_V1_Money {
    public init(_ money: Money) {
        self.init()
        minorUnits = money.minorUnits
        currency = money.currency.code
    }

    /// An amount as a row keeps it: minor units and the currency's code.
    public init(minorUnits: Int64, currency: String) {
        self.init()
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// The validated amount; `field` names it in the error. Positive unless `allowZero`.
    public func validated(field: String, allowZero: Bool = false) throws(ServiceError) -> Money {
        guard let code = Currency(currency) else {
            throw .invalidArgument(field: "\(field).currency", rule: "must be an ISO 4217 code such as CNY")
        }
        guard minorUnits > 0 || (allowZero && minorUnits == 0) else {
            throw .invalidArgument(field: "\(field).minor_units", rule: allowZero ? "must not be negative" : "must be positive (in fen)")
        }
        return Money(minorUnits: minorUnits, currency: code)
    }
}

extension Sales_Common_V1_Phone {
    /// Masked unless the caller may unmask.
    public init(_ phone: PhoneNumber, for caller: Caller) {
        self.init()
        masked = phone.masked
        if caller.mayUnmaskPII { e164 = phone.e164 }
    }
}

/// Parsing of ids and required fields with errors that name the field.
public enum Require {
    public static func uuid(_ text: String, field: String) throws(ServiceError) -> UUID {
        guard !text.isEmpty else { throw .invalidArgument(field: field, rule: "is required") }
        guard let id = UUID(uuidString: text) else { throw .invalidArgument(field: field, rule: "must be a UUID") }
        return id
    }

    public static func text(_ text: String, field: String, maxLength: Int = 200) throws(ServiceError) -> String {
        let trimmed = text.trimmedBlanks
        guard !trimmed.isEmpty else { throw .invalidArgument(field: field, rule: "is required") }
        guard fits(trimmed, maxLength) else { throw .invalidArgument(field: field, rule: "must be at most \(maxLength) characters") }
        return trimmed
    }

    public static func optionalText(_ text: String, field: String, maxLength: Int = 2000) throws(ServiceError) -> String {
        let trimmed = text.trimmedBlanks
        guard fits(trimmed, maxLength) else { throw .invalidArgument(field: field, rule: "must be at most \(maxLength) characters") }
        return trimmed
    }

    /// At most `limit` characters; counting characters walks the text, so only when its bytes could exceed it.
    private static func fits(_ text: String, _ limit: Int) -> Bool {
        text.utf8.count <= limit || text.count <= limit
    }

    public static func timestamp(_ value: Google_Protobuf_Timestamp, isSet: Bool, field: String) throws(ServiceError) -> Date {
        guard isSet else { throw .invalidArgument(field: field, rule: "is required") }
        // Timestamp's own range: 0001-01-01 to 9999-12-31, nanos within a second.
        guard (-62_135_596_800...253_402_300_799).contains(value.seconds), (0..<1_000_000_000).contains(value.nanos) else {
            throw .invalidArgument(field: field, rule: "is not a valid timestamp")
        }
        return value.date
    }
}

extension StringProtocol where UnicodeScalarView: BidirectionalCollection {
    /// Without leading and trailing whitespace: Unicode White_Space plus the zero-width space, the
    /// set Foundation's whitespacesAndNewlines holds, by the standard library. CharacterSet costs
    /// a microsecond or more a call on Linux (it goes through NSString), and this runs on every
    /// text field of every request and every cell of an import file.
    public var trimmedBlanks: String {
        func isBlank(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isWhitespace || scalar.value == 0x200B }
        let scalars = unicodeScalars
        guard let first = scalars.first, let last = scalars.last, isBlank(first) || isBlank(last) else { return String(self) }
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, isBlank(scalars[start]) { start = scalars.index(after: start) }
        while end > start, isBlank(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        return String(String.UnicodeScalarView(scalars[start..<end]))
    }
}

extension UUID {
    /// Lowercase, as ids appear in the API.
    public var apiString: String { uuidString.lowercased() }
}
