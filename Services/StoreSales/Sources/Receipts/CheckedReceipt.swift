import Crypto
import Foundation
import SalesModel
import SalesProto
import ServiceKit

/// A till's receipt, checked: every line priced in one currency, discounts within their lines,
/// sums that cannot overflow, and a fingerprint of what was sent.
struct CheckedReceipt: Sendable {
    struct Item: Sendable {
        var sku: String
        var quantity: Int64
        var unitPrice: Int64
        var discount: Int64
        var amount: Int64
    }

    static let paymentMethods: Set<String> = ["wechat", "alipay", "card", "cash", "unionpay", "voucher", "other"]
    static let mostItems = 500

    var storeCode: String
    var number: String
    var soldAt: Date
    var items: [Item]
    var currency: Currency
    var paymentMethod: String
    var clerkUserID: String
    var memberPhone: PhoneNumber?
    var total: Int64
    var discount: Int64

    init(_ input: Sales_Storesales_V1_ReceiptInput, now: Date) throws(ServiceError) {
        storeCode = try Require.text(input.storeCode, field: "store_code", maxLength: 32).uppercased()
        number = try Require.text(input.receiptNumber, field: "receipt_number", maxLength: 64)
        soldAt = try Require.timestamp(input.soldAt, isSet: input.hasSoldAt, field: "sold_at")
        guard soldAt <= now.addingTimeInterval(300) else {
            throw .invalidArgument(field: "sold_at", rule: "is in the future (\(soldAt.formatted(.iso8601))); check the till's clock")
        }
        guard (1...Self.mostItems).contains(input.items.count) else {
            throw .invalidArgument(field: "items", rule: "a receipt has 1 to \(Self.mostItems) items (got \(input.items.count))")
        }
        var items: [Item] = []
        var currency: Currency?
        var total: Int64 = 0
        var discount: Int64 = 0
        for (index, item) in input.items.enumerated() {
            let field = "items[\(index)]"
            let sku = try Require.text(item.sku, field: "\(field).sku", maxLength: 64)
            guard (1...1_000_000).contains(item.quantity) else {
                throw .invalidArgument(field: "\(field).quantity", rule: "must be 1 to 1000000 (got \(item.quantity))")
            }
            let unit = try item.unitPrice.validated(field: "\(field).unit_price", allowZero: true)
            let off = item.hasDiscount ? try item.discount.validated(field: "\(field).discount", allowZero: true) : Money.zero(unit.currency)
            guard off.currency == unit.currency, currency == nil || currency == unit.currency else {
                throw .invalidArgument(
                    field: "\(field).unit_price.currency", rule: "a receipt is in one currency (\(currency?.code ?? unit.currency.code))")
            }
            currency = unit.currency
            let (gross, overflow) = unit.minorUnits.multipliedReportingOverflow(by: item.quantity)
            guard !overflow, gross < Int64.max / 1_000 else {
                throw .invalidArgument(field: "\(field).unit_price", rule: "quantity × unit price is too large for a receipt")
            }
            guard off.minorUnits <= gross else {
                throw .invalidArgument(
                    field: "\(field).discount", rule: "is more than the line (\(off) off \(Money(minorUnits: gross, currency: unit.currency)))")
            }
            let amount = gross - off.minorUnits
            let (sum, sumOverflow) = total.addingReportingOverflow(amount)
            guard !sumOverflow, sum < Int64.max / 1_000 else { throw .invalidArgument(field: "items", rule: "the receipt's total is too large") }
            total = sum
            discount += off.minorUnits
            items.append(Item(sku: sku, quantity: item.quantity, unitPrice: unit.minorUnits, discount: off.minorUnits, amount: amount))
        }
        self.items = items
        self.currency = currency ?? .cny
        self.total = total
        self.discount = discount
        guard Self.paymentMethods.contains(input.paymentMethod) else {
            throw .invalidArgument(
                field: "payment_method",
                rule: "must be one of \(Self.paymentMethods.sorted().joined(separator: ", ")) (got \(quoted: input.paymentMethod))")
        }
        paymentMethod = input.paymentMethod
        clerkUserID = try Require.optionalText(input.clerkUserID, field: "clerk_user_id", maxLength: 100)
        if !input.memberMobile.isEmpty { memberPhone = try CheckedMember.mobile(input.memberMobile, field: "member_mobile") }
    }

    /// What the till sent, hashed: the same receipt sent again has the same fingerprint.
    var fingerprint: String {
        var text = "\(storeCode)\n\(number)\n\(Int64(soldAt.timeIntervalSince1970))\n\(currency.code)\n\(paymentMethod)\n\(clerkUserID)\n"
        text += memberPhone?.e164 ?? ""
        for item in items { text += "\n\(item.sku)\t\(item.quantity)\t\(item.unitPrice)\t\(item.discount)" }
        return SHA256.hash(data: Data(text.utf8)).hexEncoded
    }
}
