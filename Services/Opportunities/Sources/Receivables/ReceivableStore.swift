import Foundation
import Logging
import PostgresNIO
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The `instalments`, `payments`, `payment_allocations` and `refunds` tables: a signed contract's
/// receivables and the money against them. Every read is scoped by tenant; board reads also by
/// the caller's visibility over the deal's owner and team.
struct ReceivableStore: Sendable {
    let database: Database

    /// Which receivables a board lists.
    struct Filter: Sendable {
        var contractID: UUID?
        var customerID: String?
        var ownerID: String?
        var openOnly = false
        var minDaysOverdue = 0
    }

    /// A payment as stored, with what it paid of each instalment.
    struct StoredPayment: Sendable {
        var message: Sales_Opportunities_V1_Payment
        let seq: Int64
        var credit: Int64 { message.credit.minorUnits }
        var paid: [PaymentAllocation.Part] {
            message.allocations.map { .init(instalmentID: UUID(uuidString: $0.instalmentID)!, number: Int($0.number), amount: $0.amount.minorUnits) }
        }
    }

    /// The signed contract's instalments become receivables of the deal's owner and team.
    func open(
        _ contract: Sales_Opportunities_V1_Contract, deal: Opportunity, tenant: TenantID, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let count = contract.instalments.count
        try await connection.query(
            """
            INSERT INTO instalments (id, tenant_id, contract_id, opportunity_id, customer_id, customer_name, owner_id, org_path,
                                     number, due_date, amount_minor, currency)
            SELECT gen_random_uuid(), \(tenant.rawValue), \(UUID(uuidString: contract.id)!), \(deal.id), \(deal.customerID?.apiString ?? ""),
                   \(deal.customerName), \(deal.ownerID), \(deal.orgPath), n, d::date, a, \(contract.total.currency)
            FROM unnest(\((0..<count).map { Int16($0 + 1) }), \(contract.instalments.map(\.dueDate)),
                        \(contract.instalments.map(\.amount.minorUnits))) AS t(n, d, a)
            """, logger: logger)
    }

    /// The contract's instalments, locked until the transaction ends (one payment or refund of a
    /// contract at a time), lowest number first.
    func lockedInstalments(of contract: UUID, tenant: TenantID, on connection: PostgresConnection) async throws -> [PaymentAllocation.Instalment] {
        let rows = try await connection.query(
            """
            SELECT id, number, amount_minor, paid_minor FROM instalments
            WHERE contract_id = \(contract) AND tenant_id = \(tenant.rawValue) ORDER BY number FOR UPDATE
            """, logger: database.logger)
        var instalments: [PaymentAllocation.Instalment] = []
        for try await (id, number, amount, paid) in rows.decode((UUID, Int16, Int64, Int64).self) {
            instalments.append(.init(id: id, number: Int(number), amount: amount, paid: paid))
        }
        return instalments
    }

    /// Adds a payment and what it paid, in the caller's transaction (the instalments locked).
    func insert(
        _ payment: Sales_Opportunities_V1_Payment, tenant: TenantID, on connection: PostgresConnection, logger: Logger
    ) async throws {
        let id = UUID(uuidString: payment.id)!
        try await Self.once(payment.reference) {
            try await connection.query(
                """
                INSERT INTO payments (id, tenant_id, contract_id, reference, amount_minor, credit_minor, currency, received_on, source,
                                      recorded_by, recorded_at)
                VALUES (\(id), \(tenant.rawValue), \(UUID(uuidString: payment.contractID)!), \(payment.reference), \(payment.amount.minorUnits),
                        \(payment.credit.minorUnits), \(payment.amount.currency), \(payment.receivedOn)::date, \(payment.source),
                        \(payment.recordedBy), \(payment.recordedAt.date))
                """, logger: logger)
        }
        try await move(payment.allocations.map { (UUID(uuidString: $0.instalmentID)!, $0.amount.minorUnits) }, of: id, on: connection, logger: logger)
    }

    /// A refund of `parts` (and `fromCredit`) of a payment, in the caller's transaction.
    func refund(
        _ amount: Int64, fromCredit: Int64, parts: [PaymentAllocation.Part], of payment: UUID, reference: String, reason: String,
        by caller: Caller, on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await Self.once(reference) {
            try await connection.query(
                """
                INSERT INTO refunds (id, tenant_id, payment_id, reference, amount_minor, reason, recorded_by)
                VALUES (\(UUID.random()), \(caller.tenant.rawValue), \(payment), \(reference), \(amount), \(reason), \(caller.userID))
                """, logger: logger)
        }
        try await connection.query(
            """
            UPDATE payments SET refunded_minor = refunded_minor + \(amount), credit_minor = credit_minor - \(fromCredit)
            WHERE id = \(payment)
            """, logger: logger)
        try await move(parts.map { ($0.instalmentID, -$0.amount) }, of: payment, on: connection, logger: logger)
    }

    /// Runs an insert keyed by `reference`, turning a reference recorded by a concurrent call
    /// between the caller's check and this insert (the unique index refused it) into a retry.
    private static func once(_ reference: String, _ insert: () async throws -> PostgresRowSequence) async throws {
        do {
            _ = try await insert()
        } catch let error as PSQLError where error.isUniqueViolation {
            throw ServiceError.unavailable("reference \(quoted: reference) was being recorded by another call at the same moment; send yours again")
        }
    }

    /// Adds `changes` (fen, negative for a refund) to the instalments' paid sums, and records them
    /// as the payment's allocations: new rows for a payment, lowered ones for a refund.
    private func move(_ changes: [(UUID, Int64)], of payment: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        guard !changes.isEmpty else { return }
        let ids = changes.map(\.0), fen = changes.map(\.1)
        if fen.allSatisfy({ $0 > 0 }) {
            try await connection.query(
                """
                WITH c AS (SELECT * FROM unnest(\(ids), \(fen)) AS c(instalment_id, fen)),
                allocated AS (INSERT INTO payment_allocations (payment_id, instalment_id, amount_minor) SELECT \(payment), instalment_id, fen FROM c)
                UPDATE instalments i SET paid_minor = i.paid_minor + c.fen FROM c WHERE i.id = c.instalment_id
                """, logger: logger)
        } else {
            try await connection.query(
                """
                WITH c AS (SELECT * FROM unnest(\(ids), \(fen)) AS c(instalment_id, fen)),
                allocated AS (
                    UPDATE payment_allocations a SET amount_minor = a.amount_minor + c.fen FROM c
                    WHERE a.payment_id = \(payment) AND a.instalment_id = c.instalment_id
                )
                UPDATE instalments i SET paid_minor = i.paid_minor + c.fen FROM c WHERE i.id = c.instalment_id
                """, logger: logger)
        }
    }

    /// The payment recorded under `reference` in the tenant, or by id. Changes to a payment are
    /// made under its contract's instalment locks, so a read after taking them is current.
    func payment(reference: String? = nil, id: UUID? = nil, tenant: TenantID, on connection: PostgresConnection? = nil) async throws
        -> StoredPayment?
    {
        try await payments(tenant: tenant, reference: reference, id: id, on: connection).first
    }

    /// The contract's payments, oldest first.
    func payments(of contract: UUID, tenant: TenantID) async throws -> [StoredPayment] {
        try await payments(tenant: tenant, contract: contract, on: nil)
    }

    /// Payments matching any of the given reference, id or contract, oldest first.
    private func payments(
        tenant: TenantID, reference: String? = nil, id: UUID? = nil, contract: UUID? = nil, on connection: PostgresConnection?
    ) async throws -> [StoredPayment] {
        let rows = try await database.query(
            """
            SELECT p.id, p.seq, p.contract_id, p.reference, p.amount_minor, p.credit_minor, p.refunded_minor, p.currency,
                   to_char(p.received_on, 'YYYY-MM-DD') AS received_on, p.source, p.recorded_by, p.recorded_at,
                   coalesce(array_agg(i.id ORDER BY i.number) FILTER (WHERE i.id IS NOT NULL), '{}') AS instalment_ids,
                   coalesce(array_agg(i.number ORDER BY i.number) FILTER (WHERE i.id IS NOT NULL), '{}') AS numbers,
                   coalesce(array_agg(a.amount_minor ORDER BY i.number) FILTER (WHERE i.id IS NOT NULL), '{}') AS parts
            FROM payments p
            LEFT JOIN payment_allocations a ON a.payment_id = p.id AND a.amount_minor > 0
            LEFT JOIN instalments i ON i.id = a.instalment_id
            WHERE p.tenant_id = \(tenant.rawValue) AND (p.reference = \(reference) OR p.id = \(id) OR p.contract_id = \(contract))
            GROUP BY p.id ORDER BY p.seq
            """, on: connection)
        var payments: [StoredPayment] = []
        for try await row in rows {
            let row = row.makeRandomAccess()
            let currency: String = try row.decode("currency")
            let money = { (fen: Int64) in Sales_Common_V1_Money(minorUnits: fen, currency: currency) }
            let ids: [UUID] = try row.decode("instalment_ids"), numbers: [Int16] = try row.decode("numbers")
            let parts: [Int64] = try row.decode("parts")
            let message = try Sales_Opportunities_V1_Payment.with {
                $0.id = try row.decode("id", as: UUID.self).apiString
                $0.contractID = try row.decode("contract_id", as: UUID.self).apiString
                $0.reference = try row.decode("reference")
                $0.amount = money(try row.decode("amount_minor"))
                $0.credit = money(try row.decode("credit_minor"))
                $0.refunded = money(try row.decode("refunded_minor"))
                $0.receivedOn = try row.decode("received_on")
                $0.source = try row.decode("source")
                $0.recordedBy = try row.decode("recorded_by")
                $0.recordedAt = .init(date: try row.decode("recorded_at", as: Date.self))
                $0.allocations = zip(ids, zip(numbers, parts)).map { id, rest in
                    .with {
                        $0.instalmentID = id.apiString
                        $0.number = Int32(rest.0)
                        $0.amount = money(rest.1)
                    }
                }
            }
            payments.append(StoredPayment(message: message, seq: try row.decode("seq")))
        }
        return payments
    }
}

extension ReceivableStore {
    /// Whether the contract has had any payment.
    func hasPayments(_ contract: UUID, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query("SELECT 1 FROM payments WHERE contract_id = \(contract) LIMIT 1", logger: database.logger)
        for try await _ in rows { return true }
        return false
    }

    /// The refund recorded under `reference` in the tenant.
    func refund(reference: String, tenant: TenantID, on connection: PostgresConnection) async throws -> (paymentID: UUID, amount: Int64)? {
        let rows = try await connection.query(
            "SELECT payment_id, amount_minor FROM refunds WHERE tenant_id = \(tenant.rawValue) AND reference = \(reference)",
            logger: database.logger)
        for try await (payment, amount) in rows.decode((UUID, Int64).self) { return (payment, amount) }
        return nil
    }
}
