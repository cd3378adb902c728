import Foundation
import PostgresNIO
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Posts payments, one or a file's batch, in the caller's transaction: the contracts' instalments
/// locked, each payment paying the oldest first with any excess kept as credit, a reference
/// recorded once (the same payment again answers as already recorded; other money under it is
/// refused), written in one statement per table with one PaymentReceived event each.
struct PaymentPosting: Sendable {
    let receivables: ReceivableStore

    /// A payment as asked, its fields checked.
    struct Line: Sendable {
        let contractID: UUID
        let reference: String
        let amount: Money
        let receivedOn: LocalDate

        /// `field` prefixes each field's name in a refusal (`rows[3].`); `today` is the tenant's.
        init(
            contractID: String, reference: String, amount: Sales_Common_V1_Money?, receivedOn: String, today: LocalDate, field: String = ""
        ) throws(ServiceError) {
            self.contractID = try Require.uuid(contractID, field: field + "contract_id")
            self.reference = try Require.text(reference, field: field + "reference", maxLength: 80)
            guard let amount else { throw .invalidArgument(field: field + "amount", rule: "is required") }
            self.amount = try amount.validated(field: field + "amount")
            guard let day = ContractTerms.date(receivedOn) else {
                throw .invalidArgument(field: field + "received_on", rule: "must be a date written YYYY-MM-DD; got \(quoted: receivedOn)")
            }
            guard day <= today else {
                throw .invalidArgument(field: field + "received_on", rule: "\(day) is after today (\(today)) in the tenant's calendar")
            }
            self.receivedOn = day
        }
    }

    enum Outcome: Sendable {
        case recorded(Sales_Opportunities_V1_Payment)
        case alreadyRecorded(Sales_Opportunities_V1_Payment)
        case refused(ServiceError, field: String)
    }

    /// Each line's outcome, in order. `source` says how they came ("api", "file").
    func post(_ lines: [Line], source: String, by caller: Caller, on connection: PostgresConnection) async throws -> [Outcome] {
        let logger = receivables.database.logger
        let contracts = Array(Set(lines.map(\.contractID)))
        var accounts = try await receivables.lockedAccounts(contracts, tenant: caller.tenant, on: connection)
        let unsigned = Set(contracts).subtracting(accounts.keys)
        let existing = unsigned.isEmpty ? [] : try await receivables.existing(Array(unsigned), tenant: caller.tenant, on: connection)
        var recorded = try await receivables.payments(references: lines.map(\.reference), tenant: caller.tenant, on: connection)
            .mapValues(\.message)
        var outcomes: [Outcome] = []
        var payments: [Sales_Opportunities_V1_Payment] = []
        var events: [Sales_Opportunities_V1_PaymentReceived] = []
        let now = Date()
        for line in lines {
            guard var account = accounts[line.contractID] else {
                outcomes.append(
                    existing.contains(line.contractID)
                        ? .refused(
                            .failedPrecondition(
                                "contract \(line.contractID.apiString) is not signed; payments are recorded against signed contracts"),
                            field: "contract_id")
                        : .refused(.notFound(kind: "contract", id: line.contractID.apiString), field: "contract_id"))
                continue
            }
            guard line.amount.currency.code == account.currency else {
                outcomes.append(
                    .refused(
                        .invalidArgument(
                            field: "amount.currency",
                            rule: "contract \(line.contractID.apiString) is in \(account.currency), not \(line.amount.currency.code)"),
                        field: "amount.currency"))
                continue
            }
            if let earlier = recorded[line.reference] {
                let same =
                    earlier.contractID == line.contractID.apiString && earlier.amount.minorUnits == line.amount.minorUnits
                    && earlier.receivedOn == line.receivedOn.description
                outcomes.append(
                    same
                        ? .alreadyRecorded(earlier)
                        : .refused(
                            .alreadyExists(
                                "reference \(quoted: line.reference) was recorded as \(Money(minorUnits: earlier.amount.minorUnits, currency: line.amount.currency)) "
                                    + "on \(earlier.receivedOn) for contract \(earlier.contractID); a different payment needs its own reference"),
                            field: "reference"))
                continue
            }
            let outstanding = account.instalments.reduce(0) { $0 + $1.outstanding }
            let (parts, credit) = PaymentAllocation.allocate(line.amount.minorUnits, over: account.instalments)
            account.instalments = account.instalments.map { instalment in
                let part = parts.first { $0.instalmentID == instalment.id }?.amount ?? 0
                return .init(id: instalment.id, number: instalment.number, amount: instalment.amount, paid: instalment.paid + part)
            }
            let currency = line.amount.currency.code
            let payment = Sales_Opportunities_V1_Payment.with {
                $0.id = UUID.random().apiString
                $0.contractID = line.contractID.apiString
                $0.reference = line.reference
                $0.amount = .init(line.amount)
                $0.receivedOn = line.receivedOn.description
                $0.source = source
                $0.allocations = parts.map { part in
                    .with {
                        $0.instalmentID = part.instalmentID.apiString
                        $0.number = Int32(part.number)
                        $0.amount = .init(minorUnits: part.amount, currency: currency)
                    }
                }
                $0.credit = .init(minorUnits: credit, currency: currency)
                $0.refunded = .init(minorUnits: 0, currency: currency)
                $0.recordedBy = caller.userID
                // Whole seconds, which the row keeps exactly: a repeat of the reference answers the same.
                $0.recordedAt = Google_Protobuf_Timestamp(seconds: Int64(now.timeIntervalSince1970), nanos: 0)
            }
            events.append(
                .with {
                    $0.payment = payment
                    $0.opportunityID = account.opportunityID.apiString
                    $0.ownerID = account.ownerID
                    $0.firstPayment = !account.hadPayments
                    $0.fullyPaid = outstanding > 0 && line.amount.minorUnits >= outstanding
                })
            account.hadPayments = true
            accounts[line.contractID] = account
            recorded[line.reference] = payment
            payments.append(payment)
            outcomes.append(.recorded(payment))
        }
        try await receivables.insert(payments, tenant: caller.tenant, on: connection, logger: logger)
        for event in events {
            try await Outbox.append(
                event, tenant: caller.tenant, aggregateType: "contract", aggregateID: event.payment.contractID, on: connection, logger: logger)
        }
        return outcomes
    }
}
