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
        let contractID = try Require.uuid(request.contractID, field: "contract_id")
        let reference = try Require.text(request.reference, field: "reference", maxLength: 80)
        guard request.hasAmount else { throw ServiceError.invalidArgument(field: "amount", rule: "is required") }
        let amount = try request.amount.validated(field: "amount")
        let today = await today(caller.tenant)
        guard let receivedOn = ContractTerms.date(request.receivedOn) else {
            throw ServiceError.invalidArgument(field: "received_on", rule: "must be a date written YYYY-MM-DD; got \(quoted: request.receivedOn)")
        }
        guard receivedOn <= today else {
            throw ServiceError.invalidArgument(field: "received_on", rule: "\(receivedOn) is after today (\(today)) in the tenant's calendar")
        }
        let logger = RequestContext.logger
        return try await Idempotency.run("RecordPayment", request: request, database: receivables.database) { connection in
            let (contract, deal) = try await contracts.visible(contractID, for: caller, deals: deals, on: connection)
            guard contract.state == .signed else {
                throw ServiceError.failedPrecondition("contract \(contract.id) is not signed; payments are recorded against signed contracts")
            }
            guard amount.currency.code == contract.total.currency else {
                throw ServiceError.invalidArgument(
                    field: "amount.currency", rule: "contract \(contract.id) is in \(contract.total.currency), not \(amount.currency.code)")
            }
            let instalments = try await receivables.lockedInstalments(of: contractID, tenant: caller.tenant, on: connection)
            if let earlier = try await receivables.payment(reference: reference, tenant: caller.tenant, on: connection) {
                let same =
                    earlier.message.contractID == contract.id && earlier.message.amount.minorUnits == amount.minorUnits
                    && earlier.message.receivedOn == receivedOn.description
                guard same else {
                    throw ServiceError.alreadyExists(
                        "reference \(quoted: reference) was recorded as \(Money(minorUnits: earlier.message.amount.minorUnits, currency: amount.currency)) "
                            + "on \(earlier.message.receivedOn) for contract \(earlier.message.contractID); a different payment needs its own reference"
                    )
                }
                return .with {
                    $0.payment = earlier.message
                    $0.alreadyRecorded = true
                }
            }
            let outstandingBefore = instalments.reduce(0) { $0 + $1.outstanding }
            let firstPayment = try await !receivables.hasPayments(contractID, on: connection)
            let (parts, credit) = PaymentAllocation.allocate(amount.minorUnits, over: instalments)
            let payment = Sales_Opportunities_V1_Payment.with {
                $0.id = UUID.random().apiString
                $0.contractID = contract.id
                $0.reference = reference
                $0.amount = .init(amount)
                $0.receivedOn = receivedOn.description
                $0.source = "api"
                $0.allocations = parts.map { part in
                    .with {
                        $0.instalmentID = part.instalmentID.apiString
                        $0.number = Int32(part.number)
                        $0.amount = .init(minorUnits: part.amount, currency: amount.currency.code)
                    }
                }
                $0.credit = .init(minorUnits: credit, currency: amount.currency.code)
                $0.refunded = .init(minorUnits: 0, currency: amount.currency.code)
                $0.recordedBy = caller.userID
                $0.recordedAt = Google_Protobuf_Timestamp(date: Date())
            }
            try await receivables.insert(payment, tenant: caller.tenant, on: connection, logger: logger)
            // As stored (its time to the microsecond), so a repeat of the reference answers the same.
            let stored = try await receivables.payment(id: UUID(uuidString: payment.id)!, tenant: caller.tenant, on: connection)?.message ?? payment
            try await Outbox.append(
                Sales_Opportunities_V1_PaymentReceived.with {
                    $0.payment = stored
                    $0.opportunityID = contract.opportunityID
                    $0.ownerID = deal.ownerID
                    $0.firstPayment = firstPayment
                    $0.fullyPaid = outstandingBefore > 0 && amount.minorUnits >= outstandingBefore
                },
                tenant: caller.tenant, aggregateType: "contract", aggregateID: contract.id, on: connection, logger: logger)
            return .with { $0.payment = stored }
        }
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
            _ = try await receivables.lockedInstalments(of: contractID, tenant: caller.tenant, on: connection)
            if let earlier = try await receivables.refund(reference: reference, tenant: caller.tenant, on: connection) {
                guard earlier.paymentID == paymentID, earlier.amount == amount.minorUnits else {
                    throw ServiceError.alreadyExists(
                        "refund reference \(quoted: reference) was recorded as \(Money(minorUnits: earlier.amount, currency: amount.currency)) "
                            + "of payment \(earlier.paymentID.apiString); a different refund needs its own reference")
                }
                return .with {
                    $0.payment = found.message
                    $0.alreadyRecorded = true
                }
            }
            // Read again under the locks: a refund a moment ago may have changed it.
            let payment = try await receivables.payment(id: paymentID, tenant: caller.tenant, on: connection) ?? found
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
