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

    /// A signed contract's receivable side, as a batch of payments needs it.
    struct Account: Sendable {
        let opportunityID: UUID
        let ownerID: String
        let currency: String
        var instalments: [PaymentAllocation.Instalment]
        var hadPayments: Bool
    }

    /// The accounts of the signed contracts among `contracts`, their instalments locked in
    /// contract and number order (one batch of payments or refunds of a contract at a time).
    func lockedAccounts(_ contracts: [UUID], tenant: TenantID, on connection: PostgresConnection) async throws -> [UUID: Account] {
        let rows = try await connection.query(Self.lockedAccountsQuery(contracts, tenant: tenant), logger: database.logger)
        var accounts: [UUID: Account] = [:]
        for try await row in rows {
            let row = row.makeRandomAccess()
            let contract: UUID = try row.decode("contract_id")
            let instalment = PaymentAllocation.Instalment(
                id: try row.decode("id"), number: Int(try row.decode("number", as: Int16.self)), amount: try row.decode("amount_minor"),
                paid: try row.decode("paid_minor"))
            if accounts[contract] == nil {
                accounts[contract] = Account(
                    opportunityID: try row.decode("opportunity_id"), ownerID: try row.decode("owner_id"), currency: try row.decode("currency"),
                    instalments: [], hadPayments: try row.decode("had_payments"))
            }
            accounts[contract]!.instalments.append(instalment)
        }
        return accounts
    }

    static func lockedAccountsQuery(_ contracts: [UUID], tenant: TenantID) -> PostgresQuery {
        """
        SELECT i.contract_id, i.opportunity_id, i.owner_id, i.currency, i.id, i.number, i.amount_minor, i.paid_minor,
               h.had IS NOT NULL AS had_payments
        FROM unnest(\(contracts)) AS c(id)
        -- A probe per contract: an EXISTS here was planned as one read of every payment.
        LEFT JOIN LATERAL (SELECT true AS had FROM payments p WHERE p.contract_id = c.id LIMIT 1) h ON true
        JOIN instalments i ON i.contract_id = c.id
        WHERE i.tenant_id = \(tenant.rawValue)
        ORDER BY i.contract_id, i.number FOR UPDATE OF i
        """
    }

    /// Which of `contracts` exist in the tenant (to tell an unsigned contract from a missing one).
    func existing(_ contracts: [UUID], tenant: TenantID, on connection: PostgresConnection) async throws -> Set<UUID> {
        let rows = try await connection.query(
            "SELECT id FROM contracts WHERE tenant_id = \(tenant.rawValue) AND id = ANY(\(contracts))", logger: database.logger)
        var found: Set<UUID> = []
        for try await id in rows.decode(UUID.self) { found.insert(id) }
        return found
    }

    /// Adds payments and what each paid, in one statement per table, in the caller's transaction
    /// (the instalments locked).
    func insert(
        _ payments: [Sales_Opportunities_V1_Payment], tenant: TenantID, on connection: PostgresConnection, logger: Logger
    ) async throws {
        guard !payments.isEmpty else { return }
        let ids = payments.map { UUID(uuidString: $0.id)! }
        try await Self.once(payments.count == 1 ? "reference \(quoted: payments[0].reference)" : "a reference of this batch") {
            try await connection.query(
                """
                INSERT INTO payments (id, tenant_id, contract_id, reference, amount_minor, credit_minor, currency, received_on, source,
                                      recorded_by, recorded_at)
                SELECT id, \(tenant.rawValue), contract_id, reference, amount, credit, currency, received_on::date, source, recorded_by, recorded_at
                FROM unnest(\(ids), \(payments.map { UUID(uuidString: $0.contractID)! }), \(payments.map(\.reference)),
                            \(payments.map(\.amount.minorUnits)), \(payments.map(\.credit.minorUnits)), \(payments.map(\.amount.currency)),
                            \(payments.map(\.receivedOn)), \(payments.map(\.source)), \(payments.map(\.recordedBy)),
                            \(payments.map(\.recordedAt.date)))
                     AS t(id, contract_id, reference, amount, credit, currency, received_on, source, recorded_by, recorded_at)
                """, logger: logger)
        }
        var allocations: [(payment: UUID, instalment: UUID, fen: Int64)] = []
        for (id, payment) in zip(ids, payments) {
            allocations += payment.allocations.map { (id, UUID(uuidString: $0.instalmentID)!, $0.amount.minorUnits) }
        }
        guard !allocations.isEmpty else { return }
        // Summed here, so the update joins a list of known length to the primary key.
        let totals = Array(allocations.reduce(into: [UUID: Int64]()) { $0[$1.instalment, default: 0] += $1.fen })
        try await connection.query(Self.allocationQuery(allocations, totals: totals), logger: logger)
    }

    static func allocationQuery(_ allocations: [(payment: UUID, instalment: UUID, fen: Int64)], totals: [(key: UUID, value: Int64)]) -> PostgresQuery
    {
        """
        WITH c AS (SELECT * FROM unnest(\(allocations.map(\.payment)), \(allocations.map(\.instalment)), \(allocations.map(\.fen)))
                   AS c(payment_id, instalment_id, fen)),
        allocated AS (INSERT INTO payment_allocations (payment_id, instalment_id, amount_minor) SELECT payment_id, instalment_id, fen FROM c)
        UPDATE instalments i SET paid_minor = i.paid_minor + s.fen
        FROM unnest(\(totals.map(\.key)), \(totals.map(\.value))) AS s(instalment_id, fen) WHERE i.id = s.instalment_id
        """
    }

    /// A refund of `parts` (and `fromCredit`) of a payment, in the caller's transaction.
    func refund(
        _ amount: Int64, fromCredit: Int64, parts: [PaymentAllocation.Part], of payment: UUID, reference: String, reason: String,
        by caller: Caller, on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await Self.once("refund reference \(quoted: reference)") {
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
        guard !parts.isEmpty else { return }
        // What came back off each instalment: off the payment's allocations and the instalments' paid sums.
        try await connection.query(
            """
            WITH c AS (SELECT * FROM unnest(\(parts.map(\.instalmentID)), \(parts.map(\.amount))) AS c(instalment_id, fen)),
            allocated AS (
                UPDATE payment_allocations a SET amount_minor = a.amount_minor - c.fen FROM c
                WHERE a.payment_id = \(payment) AND a.instalment_id = c.instalment_id
            )
            UPDATE instalments i SET paid_minor = i.paid_minor - c.fen FROM c WHERE i.id = c.instalment_id
            """, logger: logger)
    }

    /// Runs an insert keyed by a reference, turning one recorded by a concurrent call between the
    /// caller's check and this insert (the unique index refused it) into a retry.
    private static func once(_ what: String, _ insert: () async throws -> PostgresRowSequence) async throws {
        do {
            _ = try await insert()
        } catch let error as PSQLError where error.isUniqueViolation {
            throw ServiceError.unavailable("\(what) was being recorded by another call at the same moment; send it again")
        }
    }

    /// The payment by id in the tenant. Changes to a payment are made under its contract's
    /// instalment locks, so a read after taking them is current.
    func payment(id: UUID, tenant: TenantID, on connection: PostgresConnection? = nil) async throws -> StoredPayment? {
        try await payments(tenant: tenant, id: id, on: connection).first
    }

    /// The payments recorded under any of `references`, by reference.
    func payments(references: [String], tenant: TenantID, on connection: PostgresConnection) async throws -> [String: StoredPayment] {
        let found = try await payments(tenant: tenant, references: references, on: connection)
        return Dictionary(found.map { ($0.message.reference, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The contract's payments, oldest first.
    func payments(of contract: UUID, tenant: TenantID) async throws -> [StoredPayment] {
        try await payments(tenant: tenant, contract: contract, on: nil)
    }

    /// Payments with the given references, id or contract, oldest first. One statement for each
    /// kind of look-up (an OR over them would read the table whole).
    private func payments(
        tenant: TenantID, references: [String] = [], id: UUID? = nil, contract: UUID? = nil, on connection: PostgresConnection?
    ) async throws -> [StoredPayment] {
        let query = Self.paymentsQuery(tenant: tenant, references: references, id: id, contract: contract)
        let rows = try await database.query(query, on: connection)
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
            payments.append(StoredPayment(message: message))
        }
        return payments
    }

    /// The statement of `payments(tenant:references:id:contract:)`. Each payment's allocations
    /// are a probe of its own, and references are looked up one by one in the unique index: during
    /// a large import the statistics lag the table, and a batch's `reference = ANY(…)` was then
    /// planned as a read of all the tenant's payments (16,000 rows for 1,000 references).
    static func paymentsQuery(tenant: TenantID, references: [String], id: UUID?, contract: UUID?) -> PostgresQuery {
        var sql = PostgresQuery.StringInterpolation(literalCapacity: 1_024, interpolationCount: 3)
        sql.appendLiteral("SELECT p.id, p.contract_id, p.reference, p.amount_minor, p.credit_minor, p.refunded_minor, p.currency, ")
        sql.appendLiteral("to_char(p.received_on, 'YYYY-MM-DD') AS received_on, p.source, p.recorded_by, p.recorded_at, ")
        sql.appendLiteral("paid.instalment_ids, paid.numbers, paid.parts FROM ")
        if id == nil, contract == nil {
            sql.appendLiteral("unnest(")
            sql.appendInterpolation(Array(Set(references)))
            sql.appendLiteral(") AS r (reference) CROSS JOIN LATERAL (SELECT * FROM payments WHERE tenant_id = ")
            sql.appendInterpolation(tenant.rawValue)
            sql.appendLiteral(" AND reference = r.reference LIMIT 1) p")
        } else {
            sql.appendLiteral("payments p")
        }
        sql.appendLiteral(
            """
             CROSS JOIN LATERAL (
                SELECT coalesce(array_agg(i.id ORDER BY i.number), '{}') AS instalment_ids,
                       coalesce(array_agg(i.number ORDER BY i.number), '{}') AS numbers,
                       coalesce(array_agg(a.amount_minor ORDER BY i.number), '{}') AS parts
                FROM payment_allocations a JOIN instalments i ON i.id = a.instalment_id
                WHERE a.payment_id = p.id AND a.amount_minor > 0) paid
            """)
        if id != nil || contract != nil {
            sql.appendLiteral(" WHERE p.tenant_id = ")
            sql.appendInterpolation(tenant.rawValue)
        }
        if let id {
            sql.appendLiteral(" AND p.id = ")
            sql.appendInterpolation(id)
        } else if let contract {
            sql.appendLiteral(" AND p.contract_id = ")
            sql.appendInterpolation(contract)
        }
        sql.appendLiteral(" ORDER BY p.seq")
        return PostgresQuery(stringInterpolation: sql)
    }
}

extension ReceivableStore {
    /// The refund recorded under `reference` in the tenant.
    func refund(reference: String, tenant: TenantID, on connection: PostgresConnection) async throws -> (paymentID: UUID, amount: Int64)? {
        let rows = try await connection.query(
            "SELECT payment_id, amount_minor FROM refunds WHERE tenant_id = \(tenant.rawValue) AND reference = \(reference)",
            logger: database.logger)
        for try await (payment, amount) in rows.decode((UUID, Int64).self) { return (payment, amount) }
        return nil
    }
}
