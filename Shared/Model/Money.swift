/// An amount in integer minor units (fen for CNY) with its ISO 4217 currency. Never floating point.
public struct Money: Hashable, Sendable, CustomStringConvertible {
    public var minorUnits: Int64
    public var currency: Currency

    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    public static func zero(_ currency: Currency) -> Money { Money(minorUnits: 0, currency: currency) }

    /// Adds two amounts of the same currency; nil on a currency mismatch or overflow.
    public func adding(_ other: Money) -> Money? {
        guard currency == other.currency else { return nil }
        let (sum, overflow) = minorUnits.addingReportingOverflow(other.minorUnits)
        return overflow ? nil : Money(minorUnits: sum, currency: currency)
    }

    /// `self` scaled by `percent`/100, rounded half away from zero; nil on overflow.
    public func scaled(byPercent percent: Int64) -> Money? {
        let (exact, overflow) = minorUnits.multipliedReportingOverflow(by: percent)
        guard !overflow else { return nil }
        let rounded = exact >= 0 ? (exact + 50) / 100 : (exact - 50) / 100
        return Money(minorUnits: rounded, currency: currency)
    }

    /// The amount in major units (yuan), as rules compare it (`budget >= 100000`). Rules only:
    /// arithmetic on money stays in minor units.
    public var majorUnitsForRules: Double { Self.majorUnitsForRules(minorUnits) }

    public static func majorUnitsForRules(_ minorUnits: Int64) -> Double { Double(minorUnits) / 100 }

    public var description: String {
        let sign = minorUnits < 0 ? "-" : ""
        let magnitude = minorUnits.magnitude
        let fraction = magnitude % 100
        return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction) \(currency.code)"
    }
}

/// An ISO 4217 currency code: three uppercase letters.
public struct Currency: Hashable, Sendable {
    public let code: String

    public init?(_ code: String) {
        guard code.count == 3, code.allSatisfy({ $0.isASCII && $0.isUppercase }) else { return nil }
        self.code = code
    }

    public static let cny = Currency("CNY")!
}
