import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Keeps signed contracts and their payments and refunds from the opportunities feed, for the
/// cash forecast. Runs inside the consumer's transaction, so each event takes effect once.
struct CashRecorder: Sendable {
    static let eventTypes = [
        Sales_Opportunities_V1_ContractSigned.protoMessageName, Sales_Opportunities_V1_PaymentReceived.protoMessageName,
        Sales_Opportunities_V1_PaymentRefunded.protoMessageName,
    ]

    let cash: CashStore
    let logger: Logger

    /// Applies `events` in order. Consecutive payments go in one statement; a contract signed or a
    /// refund first writes the payments before it, so a refund always finds its payment.
    func apply(_ events: [Sales_Common_V1_EventEnvelope], on connection: PostgresConnection) async throws {
        var payments: [(tenant: TenantID, payment: Sales_Opportunities_V1_Payment)] = []
        func writePayments() async throws {
            try await cash.received(payments, on: connection, logger: logger)
            payments = []
        }
        for event in events {
            guard let tenant = TenantID(event.tenantID) else { continue }
            switch event.eventType {
            case Sales_Opportunities_V1_PaymentReceived.protoMessageName:
                let received = try event.payload(as: Sales_Opportunities_V1_PaymentReceived.self)
                // Forecasts are in CNY, as deals are.
                if received.payment.amount.currency == "CNY" { payments.append((tenant, received.payment)) }
            case Sales_Opportunities_V1_ContractSigned.protoMessageName:
                let signed = try event.payload(as: Sales_Opportunities_V1_ContractSigned.self)
                guard signed.total.currency == "CNY" else { continue }
                try await writePayments()
                try await cash.signed(signed, tenant: tenant, on: connection, logger: logger)
            case Sales_Opportunities_V1_PaymentRefunded.protoMessageName:
                let refunded = try event.payload(as: Sales_Opportunities_V1_PaymentRefunded.self)
                guard refunded.refund.currency == "CNY" else { continue }
                try await writePayments()
                try await cash.refunded(
                    refunded.payment, amount: refunded.refund.minorUnits, at: event.occurredAt.date, tenant: tenant, on: connection,
                    logger: logger)
            default: continue
            }
        }
        try await writePayments()
    }
}
