import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// A contract's signing date and instalments checked, and how they differ from what its quote
/// promised.
struct ContractTerms: Sendable, Equatable {
    struct Instalment: Sendable, Equatable {
        let due: LocalDate
        let amount: Money
    }

    /// How far a due date may be from the promised one.
    static let toleranceDays = 3

    /// A contract's date, written YYYY-MM-DD, from 1900 to 2999 (a calendar day without a zone, as
    /// the work calendar's holidays are).
    static func date(_ text: String) -> LocalDate? {
        guard let date = LocalDate(text), (1900...2999).contains(date.year) else { return nil }
        return date
    }

    let signing: LocalDate
    let instalments: [Instalment]

    var total: Money? {
        instalments.dropFirst().reduce(instalments.first?.amount) { sum, next in sum?.adding(next.amount) }
    }

    /// The terms of the request; without instalments, the quote's plan from the signing date.
    init(
        signingDate: String, instalments requested: [Sales_Opportunities_V1_ContractInstalment], quote: Sales_Opportunities_V1_Quote
    ) throws(ServiceError) {
        guard let signing = Self.date(signingDate) else {
            throw .invalidArgument(field: "signing_date", rule: "must be a date written YYYY-MM-DD; got \(quoted: signingDate)")
        }
        self.signing = signing
        guard !requested.isEmpty else {
            instalments = Self.promised(by: quote, signing: signing)
            return
        }
        guard requested.count <= QuoteDraft.maximumInstalments else {
            throw .invalidArgument(field: "instalments", rule: "at most \(QuoteDraft.maximumInstalments) instalments; got \(requested.count)")
        }
        var instalments: [Instalment] = []
        for (index, instalment) in requested.enumerated() {
            guard let due = Self.date(instalment.dueDate) else {
                throw .invalidArgument(
                    field: "instalments[\(index)].due_date", rule: "must be a date written YYYY-MM-DD; got \(quoted: instalment.dueDate)")
            }
            guard instalment.hasAmount else { throw .invalidArgument(field: "instalments[\(index)].amount", rule: "is required") }
            instalments.append(Instalment(due: due, amount: try instalment.amount.validated(field: "instalments[\(index)].amount")))
        }
        self.instalments = instalments
    }

    init(signing: LocalDate, instalments: [Instalment]) {
        self.signing = signing
        self.instalments = instalments
    }

    /// What the quote promised: each instalment its days after signing.
    static func promised(by quote: Sales_Opportunities_V1_Quote, signing: LocalDate) -> [Instalment] {
        quote.paymentPlan.map { planned in
            Instalment(
                due: signing.adding(days: Int(planned.dueDays)),
                amount: Money(minorUnits: planned.amount.minorUnits, currency: Currency(planned.amount.currency) ?? .cny))
        }
    }

    /// Every way these terms differ from the quote's promise; empty when they match.
    func differences(from quote: Sales_Opportunities_V1_Quote) -> [String] {
        let promised = Self.promised(by: quote, signing: signing)
        var differences: [String] = []
        if promised.count != instalments.count {
            differences.append("\(instalments.count) instalments where the quote promised \(promised.count)")
        }
        for (index, (actual, promise)) in zip(instalments, promised).enumerated() {
            let number = "instalment \(index + 1)"
            if actual.amount != promise.amount {
                differences.append("\(number): \(actual.amount) where the quote promised \(promise.amount)")
            }
            let gap = actual.due.daysSinceEpoch - promise.due.daysSinceEpoch
            if abs(gap) > Self.toleranceDays {
                differences.append(
                    "\(number): due \(actual.due), \(abs(gap)) days \(gap > 0 ? "after" : "before") the \(promise.due) the quote promised (at most \(Self.toleranceDays))"
                )
            }
        }
        for (index, extra) in instalments.enumerated().dropFirst(promised.count) {
            differences.append("instalment \(index + 1): \(extra.amount) due \(extra.due) is not in the quote")
        }
        for (index, missing) in promised.enumerated().dropFirst(instalments.count) {
            differences.append("instalment \(index + 1): the quote's \(missing.amount) due \(missing.due) is missing")
        }
        return differences
    }

    var messages: [Sales_Opportunities_V1_ContractInstalment] {
        instalments.map { instalment in
            .with {
                $0.dueDate = instalment.due.description
                $0.amount = .init(instalment.amount)
            }
        }
    }
}
