import SalesModel
import SalesProto
import ServiceKit

/// A quote's lines and payment plan checked and priced: every amount in integer fen of one
/// currency, the instalments summing to the total exactly.
struct QuoteDraft: Sendable, Equatable {
    struct Line: Sendable, Equatable {
        let product: String
        let quantity: Int64
        let unitListPrice: Money
        let discountBasisPoints: Int32
        let unitCost: Money
        let price: Money
        let cost: Money
    }

    struct Instalment: Sendable, Equatable {
        let shareBasisPoints: Int32
        let dueDays: Int32
        let amount: Money
    }

    static let maximumLines = 200
    static let maximumInstalments = 24
    static let longestTermDays: Int32 = 1_095

    let lines: [Line]
    let plan: [Instalment]
    let total: Money
    let cost: Money

    /// (total − cost) / total in basis points, rounded toward zero; 0 for a zero total.
    var marginBasisPoints: Int32 {
        guard total.minorUnits > 0 else { return 0 }
        let margin = (Int128(total.minorUnits) - Int128(cost.minorUnits)) * 10_000 / Int128(total.minorUnits)
        return Int32(clamping: margin)
    }

    /// The longest term of the plan, in days after signing.
    var termDays: Int32 { plan.map(\.dueDays).max() ?? 0 }

    init(lines requested: [Sales_Opportunities_V1_QuoteLine], plan requestedPlan: [Sales_Opportunities_V1_PlannedInstalment]) throws(ServiceError) {
        guard (1...Self.maximumLines).contains(requested.count) else {
            throw .invalidArgument(field: "lines", rule: "a quote has 1 to \(Self.maximumLines) lines; got \(requested.count)")
        }
        var lines: [Line] = []
        var currency: Currency?
        for (index, line) in requested.enumerated() {
            let field = "lines[\(index)]"
            let parsed = try Self.line(line, field: field)
            if let currency, parsed.unitListPrice.currency != currency {
                throw .invalidArgument(
                    field: "\(field).unit_list_price.currency",
                    rule: "every amount of a quote is in one currency: \(currency.code), not \(parsed.unitListPrice.currency.code)")
            }
            currency = parsed.unitListPrice.currency
            lines.append(parsed)
        }
        let currencyOfQuote = currency!
        var total = Money.zero(currencyOfQuote)
        var cost = Money.zero(currencyOfQuote)
        for line in lines {
            guard let sum = total.adding(line.price), let costs = cost.adding(line.cost) else {
                throw .invalidArgument(field: "lines", rule: "the quote's total is too large to hold in fen")
            }
            total = sum
            cost = costs
        }
        self.lines = lines
        self.total = total
        self.cost = cost
        self.plan = try Self.plan(requestedPlan, total: total)
    }

    private static func line(_ line: Sales_Opportunities_V1_QuoteLine, field: String) throws(ServiceError) -> Line {
        let product = try Require.text(line.product, field: "\(field).product", maxLength: 100)
        guard (1...1_000_000).contains(line.quantity) else {
            throw .invalidArgument(field: "\(field).quantity", rule: "must be 1 to 1,000,000; got \(line.quantity)")
        }
        guard line.hasUnitListPrice else { throw .invalidArgument(field: "\(field).unit_list_price", rule: "is required") }
        let list = try line.unitListPrice.validated(field: "\(field).unit_list_price", allowZero: true)
        guard (0...10_000).contains(line.discountBasisPoints) else {
            throw .invalidArgument(
                field: "\(field).discount_basis_points", rule: "must be 0 to 10,000 (1,250 is 12.5% off); got \(line.discountBasisPoints)")
        }
        let unitCost =
            line.hasUnitCost ? try line.unitCost.validated(field: "\(field).unit_cost", allowZero: true) : Money.zero(list.currency)
        guard unitCost.currency == list.currency else {
            throw .invalidArgument(
                field: "\(field).unit_cost.currency", rule: "every amount of a quote is in one currency: \(list.currency.code)")
        }
        // list × quantity × (10,000 − discount) / 10,000 in 128 bits, rounded half away from zero.
        let gross = Int128(list.minorUnits) * Int128(line.quantity)
        let net = (gross * Int128(10_000 - line.discountBasisPoints) + 5_000) / 10_000
        let costs = Int128(unitCost.minorUnits) * Int128(line.quantity)
        guard let price = Int64(exactly: net), let cost = Int64(exactly: costs) else {
            throw .invalidArgument(field: "\(field).quantity", rule: "the line's amount is too large to hold in fen")
        }
        return Line(
            product: product, quantity: line.quantity, unitListPrice: list, discountBasisPoints: line.discountBasisPoints,
            unitCost: unitCost, price: Money(minorUnits: price, currency: list.currency), cost: Money(minorUnits: cost, currency: list.currency))
    }

    private static func plan(_ requested: [Sales_Opportunities_V1_PlannedInstalment], total: Money) throws(ServiceError) -> [Instalment] {
        guard !requested.isEmpty else { return [Instalment(shareBasisPoints: 10_000, dueDays: 0, amount: total)] }
        guard requested.count <= maximumInstalments else {
            throw .invalidArgument(field: "payment_plan", rule: "at most \(maximumInstalments) instalments; got \(requested.count)")
        }
        var previousDue: Int32 = 0
        for (index, instalment) in requested.enumerated() {
            guard (1...10_000).contains(instalment.shareBasisPoints) else {
                throw .invalidArgument(
                    field: "payment_plan[\(index)].share_basis_points", rule: "must be 1 to 10,000; got \(instalment.shareBasisPoints)")
            }
            guard (0...longestTermDays).contains(instalment.dueDays) else {
                throw .invalidArgument(
                    field: "payment_plan[\(index)].due_days", rule: "must be 0 to \(longestTermDays) days after signing; got \(instalment.dueDays)")
            }
            guard instalment.dueDays >= previousDue else {
                throw .invalidArgument(
                    field: "payment_plan[\(index)].due_days",
                    rule: "must not be earlier than the instalment before (\(previousDue) days); got \(instalment.dueDays)")
            }
            previousDue = instalment.dueDays
        }
        let shares = requested.map { Int64($0.shareBasisPoints) }
        guard shares.reduce(0, +) == 10_000 else {
            throw .invalidArgument(
                field: "payment_plan", rule: "the shares must sum to 10,000 basis points (100%); they sum to \(shares.reduce(0, +))")
        }
        let amounts = total.split(proportionalTo: shares)!
        return zip(requested, amounts).map { Instalment(shareBasisPoints: $0.shareBasisPoints, dueDays: $0.dueDays, amount: $1) }
    }
}
