import Foundation
import GRPCCore
import PostgresNIO
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Money in and out: a payment pays the oldest instalments first and keeps any excess as credit;
/// a refund gives back credit first, then the newest instalments the payment paid. Each is
/// recorded once per reference, under its contract's instalment locks, with its event.
extension ReceivableServiceHandler {
    func recordPayment(
        request: Sales_Opportunities_V1_RecordPaymentRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_RecordPaymentResponse {
        let caller = try RequestContext.caller(allowedTo: .keepAccounts, "recording a payment")
        let line = try PaymentPosting.Line(
            contractID: request.contractID, reference: request.reference, amount: request.hasAmount ? request.amount : nil,
            receivedOn: request.receivedOn, today: await sweeper.calendars.today(for: caller.tenant))
        return try await Idempotency.run("RecordPayment", request: request, database: receivables.database) { connection in
            switch try await PaymentPosting(receivables: receivables).post([line], source: "api", by: caller, on: connection)[0] {
            case .recorded(let payment): return .with { $0.payment = payment }
            case .alreadyRecorded(let payment):
                return .with {
                    $0.payment = payment
                    $0.alreadyRecorded = true
                }
            case .refused(let error, _): throw error
            }
        }
    }

    /// A file's rows: each checked alone (a bad one refused with its field), the rest posted together.
    func importPayments(
        request: Sales_Opportunities_V1_ImportPaymentsRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_ImportPaymentsResponse {
        let caller = try RequestContext.caller(allowedTo: .keepAccounts, "importing payments")
        try ImportRows.checkCount(request.rows.count, most: Sales_Opportunities_V1_ImportPaymentsRequest.mostRows)
        let today = await sweeper.calendars.today(for: caller.tenant)
        var outcomes = request.rows.map { row in Sales_Opportunities_V1_ImportPaymentOutcome.with { $0.line = row.line } }
        var lines: [(index: Int, line: PaymentPosting.Line)] = []
        for (index, row) in request.rows.enumerated() {
            do {
                try TextCheck.validate(row)
                lines.append(
                    (
                        index,
                        try PaymentPosting.Line(
                            contractID: row.contractID, reference: row.reference, amount: row.hasAmount ? row.amount : nil,
                            receivedOn: row.receivedOn, today: today)
                    ))
            } catch {
                guard case .invalidArgument(let field, _) = error else { throw error }
                Self.refuse(&outcomes[index], error, field: field)
            }
        }
        let posted = lines
        let results = try await Idempotency.run("ImportPayments", request: request, database: receivables.database) { connection in
            let results = try await PaymentPosting(receivables: receivables).post(posted.map(\.line), source: "file", by: caller, on: connection)
            return Sales_Opportunities_V1_ImportPaymentsResponse.with { response in
                response.outcomes = zip(posted, results).map { entry, result in
                    var outcome = Sales_Opportunities_V1_ImportPaymentOutcome.with { $0.line = Int32(entry.index) }
                    switch result {
                    case .recorded(let payment): outcome.paymentID = payment.id
                    case .alreadyRecorded(let payment):
                        outcome.paymentID = payment.id
                        outcome.alreadyRecorded = true
                    case .refused(let error, let field): Self.refuse(&outcome, error, field: field)
                    }
                    return outcome
                }
            }
        }
        // Posted outcomes carry their row's index in `line` until put back in place.
        for result in results.outcomes {
            let index = Int(result.line)
            let line = outcomes[index].line
            outcomes[index] = result
            outcomes[index].line = line
        }
        return .with { $0.outcomes = outcomes }
    }

    private static func refuse(_ outcome: inout Sales_Opportunities_V1_ImportPaymentOutcome, _ error: ServiceError, field: String) {
        outcome.errorCode = error.statusName
        outcome.field = field
        outcome.reason = error.rpcErrorMessage
    }

    func refundPayment(
        request: Sales_Opportunities_V1_RefundPaymentRequest, context: ServerContext
    ) async throws -> Sales_Opportunities_V1_RefundPaymentResponse {
        let caller = try RequestContext.caller(allowedTo: .keepAccounts, "recording a refund")
        let paymentID = try Require.uuid(request.paymentID, field: "payment_id")
        let reference = try Require.text(request.reference, field: "reference", maxLength: 80)
        guard request.hasAmount else { throw ServiceError.invalidArgument(field: "amount", rule: "is required") }
        let amount = try request.amount.validated(field: "amount")
        let reason = try Require.text(request.reason, field: "reason", maxLength: 500)
        let logger = RequestContext.logger
        return try await Idempotency.run("RefundPayment", request: request, database: receivables.database) { connection in
            guard let found = try await receivables.payment(id: paymentID, tenant: caller.tenant, on: connection),
                let contractID = UUID(uuidString: found.message.contractID)
            else { throw ServiceError.notFound(kind: "payment", id: paymentID.apiString) }
            let (contract, deal) = try await contracts.visible(contractID, for: caller, deals: deals, on: connection)
            guard amount.currency.code == found.message.amount.currency else {
                throw ServiceError.invalidArgument(
                    field: "amount.currency", rule: "payment \(found.message.id) is in \(found.message.amount.currency), not \(amount.currency.code)")
            }
            _ = try await receivables.lockedAccounts([contractID], tenant: caller.tenant, on: connection)
            // Read again under the locks: a refund a moment ago may have changed it.
            let payment = try await receivables.payment(id: paymentID, tenant: caller.tenant, on: connection) ?? found
            if let earlier = try await receivables.refund(reference: reference, tenant: caller.tenant, on: connection) {
                guard earlier.paymentID == paymentID, earlier.amount == amount.minorUnits else {
                    throw ServiceError.alreadyExists(
                        "refund reference \(quoted: reference) was recorded as \(Money(minorUnits: earlier.amount, currency: amount.currency)) "
                            + "of payment \(earlier.paymentID.apiString); a different refund needs its own reference")
                }
                return .with {
                    $0.payment = payment.message
                    $0.alreadyRecorded = true
                }
            }
            guard let (fromCredit, parts) = PaymentAllocation.unwind(amount.minorUnits, credit: payment.credit, paid: payment.paid) else {
                let left = payment.message.amount.minorUnits - payment.message.refunded.minorUnits
                throw ServiceError.failedPrecondition(
                    "payment \(payment.message.id) has \(Money(minorUnits: left, currency: amount.currency)) left to refund, "
                        + "less than \(amount)")
            }
            try await receivables.refund(
                amount.minorUnits, fromCredit: fromCredit, parts: parts, of: paymentID, reference: reference, reason: reason,
                by: caller, on: connection, logger: logger)
            let refunded = try await receivables.payment(id: paymentID, tenant: caller.tenant, on: connection) ?? payment
            try await Outbox.append(
                Sales_Opportunities_V1_PaymentRefunded.with {
                    $0.payment = refunded.message
                    $0.opportunityID = contract.opportunityID
                    $0.ownerID = deal.ownerID
                    $0.refund = .init(amount)
                    $0.reference = reference
                    $0.reason = reason
                },
                tenant: caller.tenant, aggregateType: "contract", aggregateID: contract.id, on: connection, logger: logger)
            return .with { $0.payment = refunded.message }
        }
    }
}

/// Rows are checked one by one in `importPayments` (a NUL in one cell refuses its row, not the file).
extension Sales_Opportunities_V1_ImportPaymentsRequest: TextCheckedByItem {}
