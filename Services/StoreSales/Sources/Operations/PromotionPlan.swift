import Foundation
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// A promotion's discount rule, in fen of one currency.
enum DiscountRule: Sendable, Equatable {
    /// 满减: `off` off an order of `threshold` or more.
    case threshold(threshold: Int64, off: Int64)
    /// `basisPoints` off the order, rounded down to the fen.
    case percentOff(basisPoints: Int32)
    /// The order costs `price`; the discount is the rest.
    case fixedPrice(Int64)

    /// What the rule takes off an order of `amount` fen.
    func discount(on amount: Int64) -> Int64 {
        switch self {
        case .threshold(let threshold, let off): amount >= threshold ? min(off, amount) : 0
        // Orders are under 10^15 fen, so the product stays far inside Int64.
        case .percentOff(let basisPoints): amount * Int64(basisPoints) / 10_000
        case .fixedPrice(let price): max(amount - price, 0)
        }
    }

    func describe(_ currency: Currency) -> String {
        func money(_ fen: Int64) -> String { "\(Money(minorUnits: fen, currency: currency))" }
        return switch self {
        case .threshold(let threshold, let off): "\(money(off)) off \(money(threshold)) or more"
        case .percentOff(let basisPoints): "\(basisPoints / 100).\(String(format: "%02d", basisPoints % 100))% off"
        case .fixedPrice(let price): "the order at \(money(price))"
        }
    }
}

/// A chain's promotion, checked: its days, rule, stores and execution items.
struct PromotionPlan: Sendable {
    static let mostItems = 20
    static let mostStores = 1_000

    var code: String
    var name: String
    var firstDay: LocalDate
    var lastDay: LocalDate
    var rule: DiscountRule
    /// The rule's amounts' currency; nil for a percentage, which fits any.
    var currency: Currency?
    /// Empty: every store.
    var storeCodes: [String]
    var items: [String]

    init(_ input: Sales_Storesales_V1_Promotion) throws(ServiceError) {
        code = try Self.code(input.code, field: "code")
        name = try Require.text(input.name, field: "name", maxLength: 100)
        firstDay = try Require.day(input.firstDay, field: "first_day")
        lastDay = try Require.day(input.lastDay, field: "last_day")
        guard firstDay <= lastDay, lastDay.daysSinceEpoch - firstDay.daysSinceEpoch < 366 else {
            throw .invalidArgument(field: "last_day", rule: "must be on or after first_day, at most 366 days later")
        }
        switch input.discountKind {
        case .threshold:
            let threshold = try input.threshold.validated(field: "threshold")
            let off = try input.amountOff.validated(field: "amount_off")
            guard off.currency == threshold.currency else {
                throw .invalidArgument(field: "amount_off.currency", rule: "must be the threshold's currency (\(threshold.currency.code))")
            }
            guard off.minorUnits <= threshold.minorUnits else {
                throw .invalidArgument(field: "amount_off", rule: "is more than the threshold (\(off) off \(threshold))")
            }
            rule = .threshold(threshold: threshold.minorUnits, off: off.minorUnits)
            currency = threshold.currency
        case .percentOff:
            guard (1...9_999).contains(input.percentOffBp) else {
                throw .invalidArgument(field: "percent_off_bp", rule: "must be 1 to 9999 basis points (got \(input.percentOffBp))")
            }
            rule = .percentOff(basisPoints: input.percentOffBp)
            currency = nil
        case .fixedPrice:
            let price = try input.fixedPrice.validated(field: "fixed_price")
            rule = .fixedPrice(price.minorUnits)
            currency = price.currency
        case .unspecified, .UNRECOGNIZED:
            throw .invalidArgument(field: "discount_kind", rule: "is required: THRESHOLD, PERCENT_OFF or FIXED_PRICE")
        }
        storeCodes = try Self.storeCodes(input.storeCodes)
        guard (1...Self.mostItems).contains(input.items.count) else {
            throw .invalidArgument(field: "items", rule: "a promotion has 1 to \(Self.mostItems) execution items (got \(input.items.count))")
        }
        var items: [String] = []
        for (index, item) in input.items.enumerated() {
            let text = try Require.text(item, field: "items[\(index)]", maxLength: 50)
            guard !items.contains(text) else { throw .invalidArgument(field: "items[\(index)]", rule: "repeats \(quoted: text)") }
            items.append(text)
        }
        self.items = items
    }

    init(
        code: String, name: String, firstDay: LocalDate, lastDay: LocalDate, rule: DiscountRule, currency: Currency?, storeCodes: [String],
        items: [String]
    ) {
        (self.code, self.name, self.firstDay, self.lastDay) = (code, name, firstDay, lastDay)
        (self.rule, self.currency, self.storeCodes, self.items) = (rule, currency, storeCodes, items)
    }

    /// A store code or promotion code: 2 to 32 letters, digits or '-', upper-cased as stores keep them.
    static func code(_ text: String, field: String) throws(ServiceError) -> String {
        let code = try Require.text(text, field: field, maxLength: 32).uppercased()
        guard code.count >= 2, code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw .invalidArgument(field: field, rule: "must be 2 to 32 letters, digits or '-' (got \(quoted: text))")
        }
        return code
    }

    /// A plan's stores by code (empty: every store), each once.
    static func storeCodes(_ codes: [String]) throws(ServiceError) -> [String] {
        guard codes.count <= mostStores else {
            throw .invalidArgument(field: "store_codes", rule: "at most \(mostStores) stores (got \(codes.count))")
        }
        var stores: [String] = []
        for (index, store) in codes.enumerated() {
            let code = try code(store, field: "store_codes[\(index)]")
            if !stores.contains(code) { stores.append(code) }
        }
        return stores
    }

    func includes(store code: String) -> Bool { storeCodes.isEmpty || storeCodes.contains(code) }

    /// Whether an order took what the rule gives, on a day and at a store the promotion covers.
    func check(orderAmount: Money, discount: Money, day: LocalDate, store: String) -> Sales_Storesales_V1_DiscountCheck {
        let inCurrency = currency.map { $0 == orderAmount.currency } ?? true
        let expected = inCurrency ? rule.discount(on: orderAmount.minorUnits) : 0
        var check = Sales_Storesales_V1_DiscountCheck.with {
            $0.expectedDiscount = .init(minorUnits: expected, currency: orderAmount.currency.code)
        }
        if let currency, !inCurrency {
            check.reason = "the order is in \(orderAmount.currency.code); \(name) is in \(currency.code)"
        } else if !(firstDay...lastDay).contains(day) {
            check.reason = "\(day) is outside \(name) (\(firstDay) to \(lastDay))"
        } else if !includes(store: store) {
            check.reason = "\(store) is not in \(name)"
        } else if discount.minorUnits != expected {
            check.reason =
                "took \(discount) off; \(name) gives \(rule.describe(orderAmount.currency)), \(Money(minorUnits: expected, currency: orderAmount.currency)) here"
        } else {
            check.matches = true
        }
        return check
    }

    var message: Sales_Storesales_V1_Promotion {
        .with {
            $0.code = code
            $0.name = name
            $0.firstDay = firstDay.description
            $0.lastDay = lastDay.description
            switch rule {
            case .threshold(let threshold, let off):
                $0.discountKind = .threshold
                $0.threshold = .init(minorUnits: threshold, currency: currency?.code ?? "")
                $0.amountOff = .init(minorUnits: off, currency: currency?.code ?? "")
            case .percentOff(let basisPoints):
                $0.discountKind = .percentOff
                $0.percentOffBp = basisPoints
            case .fixedPrice(let price):
                $0.discountKind = .fixedPrice
                $0.fixedPrice = .init(minorUnits: price, currency: currency?.code ?? "")
            }
            $0.storeCodes = storeCodes
            $0.items = items
        }
    }
}
