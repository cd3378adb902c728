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

    func apply(_ event: Sales_Common_V1_EventEnvelope, on connection: PostgresConnection) async throws {
        guard let tenant = TenantID(event.tenantID) else { return }
        switch event.eventType {
        case Sales_Opportunities_V1_ContractSigned.protoMessageName:
            let signed = try event.payload(as: Sales_Opportunities_V1_ContractSigned.self)
            // Forecasts are in CNY, as deals are.
            guard signed.total.currency == "CNY" else { return }
            try await cash.signed(signed, tenant: tenant, on: connection, logger: logger)
        case Sales_Opportunities_V1_PaymentReceived.protoMessageName:
            let received = try event.payload(as: Sales_Opportunities_V1_PaymentReceived.self)
            guard received.payment.amount.currency == "CNY" else { return }
            try await cash.received(received.payment, tenant: tenant, on: connection, logger: logger)
        case Sales_Opportunities_V1_PaymentRefunded.protoMessageName:
            let refunded = try event.payload(as: Sales_Opportunities_V1_PaymentRefunded.self)
            guard refunded.refund.currency == "CNY" else { return }
            try await cash.refunded(
                refunded.payment, amount: refunded.refund.minorUnits, at: event.occurredAt.date, tenant: tenant, on: connection, logger: logger)
        default: return
        }
    }
}
