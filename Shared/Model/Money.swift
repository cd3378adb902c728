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

extension Money {
    /// `self` divided in proportion to `weights` by the largest-remainder method: the parts sum to
    /// exactly `self`, none is off by more than one minor unit from its exact share, and equal
    /// remainders go to the earlier weight. Nil when there is no positive weight or one is negative.
    public func split(proportionalTo weights: [Int64]) -> [Money]? {
        guard weights.allSatisfy({ $0 >= 0 }), minorUnits != .min else { return nil }
        var total: Int64 = 0
        for weight in weights {
            let (sum, overflow) = total.addingReportingOverflow(weight)
            guard !overflow else { return nil }
            total = sum
        }
        guard total > 0 else { return nil }
        let negative = minorUnits < 0
        let whole = minorUnits.magnitude
        var parts: [UInt64] = []
        var remainders: [(index: Int, remainder: UInt64)] = []
        for (index, weight) in weights.enumerated() {
            // whole × weight can exceed 64 bits; divide the 128-bit product.
            let product = whole.multipliedFullWidth(by: UInt64(weight))
            let (quotient, remainder) = UInt64(total).dividingFullWidth(product)
            parts.append(quotient)
            remainders.append((index, remainder))
        }
        var left = whole - parts.reduce(0, +)
        for entry in remainders.sorted(by: { $0.remainder != $1.remainder ? $0.remainder > $1.remainder : $0.index < $1.index }) {
            guard left > 0 else { break }
            guard entry.remainder > 0 else { break }
            parts[entry.index] += 1
            left -= 1
        }
        return parts.map { Money(minorUnits: negative ? -Int64($0) : Int64($0), currency: currency) }
    }
}
