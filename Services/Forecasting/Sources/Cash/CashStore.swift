import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The `cash_contracts`, `cash_payments` and `cash_moves` tables: signed contracts' instalments
/// and the money moved on them, as the opportunities feed told them.
struct CashStore: Sendable {
    let database: Database

    func signed(_ event: Sales_Opportunities_V1_ContractSigned, tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO cash_contracts (tenant_id, contract_id, deal_id, customer_id, signed_at, due_days, amounts)
            SELECT \(tenant.rawValue), \(event.contractID), \(event.opportunityID), \(event.customerID), \(event.signedAt.date),
                   \(event.instalments.map(\.dueDate))::date[], \(event.instalments.map(\.amount.minorUnits))
            ON CONFLICT (tenant_id, contract_id) DO NOTHING
            """, logger: logger)
    }

    /// Payments' money on the days they came, known from when each was recorded; once per
    /// payment (a payment already kept, or twice in `payments`, moves nothing again). One
    /// statement for the lot: the feed brings a bank file's payments by the thousand.
    func received(_ payments: [(tenant: TenantID, payment: Sales_Opportunities_V1_Payment)], on connection: PostgresConnection, logger: Logger)
        async throws
    {
        guard !payments.isEmpty else { return }
        // Each payment's allocations, flattened: part k belongs to payment owner[k] (1-based, as ORDINALITY counts).
        var owner: [Int] = [], numbers: [Int] = [], parts: [Int64] = []
        for (index, entry) in payments.enumerated() {
            for allocation in entry.payment.allocations {
                owner.append(index + 1)
                numbers.append(Int(allocation.number))
                parts.append(allocation.amount.minorUnits)
            }
        }
        let list = payments.map(\.payment)
        try await connection.query(
            """
            WITH p AS (
                SELECT DISTINCT ON (tenant_id, payment_id) *
                FROM unnest(\(payments.map(\.tenant.rawValue)), \(list.map(\.id)), \(list.map(\.contractID)), \(list.map(\.recordedAt.date)),
                            \(list.map(\.receivedOn))::date[], \(list.map(\.amount.minorUnits)))
                     WITH ORDINALITY AS p (tenant_id, payment_id, contract_id, known_at, day, amount, n)
                ORDER BY tenant_id, payment_id, n
            ), a AS (
                SELECT owner AS n, array_agg(number ORDER BY k) AS numbers, array_agg(part ORDER BY k) AS parts
                FROM unnest(\(owner), \(numbers), \(parts)) WITH ORDINALITY AS a (owner, number, part, k)
                GROUP BY owner
            ), kept AS (
                INSERT INTO cash_payments (tenant_id, payment_id, contract_id, numbers, parts)
                SELECT p.tenant_id, p.payment_id, p.contract_id, coalesce(a.numbers, '{}'), coalesce(a.parts, '{}')
                FROM p LEFT JOIN a USING (n)
                ON CONFLICT (tenant_id, payment_id) DO NOTHING
                RETURNING tenant_id, payment_id
            )
            INSERT INTO cash_moves (tenant_id, contract_id, known_at, day, amount, numbers, parts)
            SELECT p.tenant_id, p.contract_id, p.known_at, p.day, p.amount, coalesce(a.numbers, '{}'), coalesce(a.parts, '{}')
            FROM p JOIN kept USING (tenant_id, payment_id) LEFT JOIN a USING (n)
            ORDER BY p.n
            """, logger: logger)
    }

    /// A refund: what it took back of each instalment is the payment's allocations before less after.
    func refunded(
        _ payment: Sales_Opportunities_V1_Payment, amount: Int64, at moment: Date, tenant: TenantID, on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        let rows = try await connection.query(
            "SELECT numbers, parts FROM cash_payments WHERE tenant_id = \(tenant.rawValue) AND payment_id = \(payment.id) FOR UPDATE",
            logger: logger)
        var before: [Int: Int64] = [:]
        for try await (numbers, parts) in rows.decode(([Int], [Int64]).self) { before = Dictionary(zip(numbers, parts), uniquingKeysWith: +) }
        let after = Dictionary(payment.allocations.map { (Int($0.number), $0.amount.minorUnits) }, uniquingKeysWith: +)
        var taken: [Int: Int64] = [:]
        for number in Set(before.keys).union(after.keys) where after[number, default: 0] != before[number, default: 0] {
            taken[number] = after[number, default: 0] - before[number, default: 0]
        }
        try await connection.query(
            """
            UPDATE cash_payments SET numbers = \(Array(after.keys)), parts = \(Array(after.values))
            WHERE tenant_id = \(tenant.rawValue) AND payment_id = \(payment.id)
            """, logger: logger)
        try await move(
            contract: payment.contractID, knownAt: moment, day: nil, amount: -amount, parts: taken, tenant: tenant, on: connection,
            logger: logger)
    }

    /// `day` YYYY-MM-DD; nil takes the day it became known, in the tenant's zone when read.
    private func move(
        contract: String, knownAt: Date, day: String?, amount: Int64, parts: [Int: Int64], tenant: TenantID,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await connection.query(
            """
            INSERT INTO cash_moves (tenant_id, contract_id, known_at, day, amount, numbers, parts)
            VALUES (\(tenant.rawValue), \(contract), \(knownAt), \(day)::date, \(amount), \(Array(parts.keys)), \(Array(parts.values)))
            """, logger: logger)
    }

    /// The tenant's contracts signed before `moment`, with the moves known by then; days in `calendar`'s zone.
    func contracts(tenant: TenantID, knownAt moment: Date, calendar: Calendar) async throws -> [ContractCash] {
        var contracts: [String: ContractCash] = [:]
        let signed = try await database.query(
            """
            SELECT contract_id, deal_id, signed_at, array(SELECT to_char(d, 'YYYY-MM-DD') FROM unnest(due_days) d), amounts
            FROM cash_contracts WHERE tenant_id = \(tenant.rawValue) AND signed_at <= \(moment)
            """)
        for try await (id, deal, signedAt, dues, amounts) in signed.decode((String, String, Date, [String], [Int64]).self) {
            let instalments = zip(dues, amounts).compactMap { due, amount in
                Self.day(due, in: calendar).map { ContractCash.Instalment(due: $0, amount: amount) }
            }
            contracts[id] = ContractCash(dealID: deal, signedAt: signedAt, instalments: instalments, moves: [])
        }
        let moves = try await database.query(
            """
            SELECT contract_id, known_at, coalesce(to_char(day, 'YYYY-MM-DD'), ''), amount, numbers, parts
            FROM cash_moves WHERE tenant_id = \(tenant.rawValue) AND known_at <= \(moment)
            """)
        for try await (id, knownAt, day, amount, numbers, parts) in moves.decode((String, Date, String, Int64, [Int], [Int64]).self) {
            contracts[id]?.moves.append(
                .init(
                    knownAt: knownAt, day: Self.day(day, in: calendar) ?? calendar.startOfDay(for: knownAt), amount: amount,
                    parts: Dictionary(zip(numbers, parts), uniquingKeysWith: +)))
        }
        return Array(contracts.values)
    }

    /// The first moment of a YYYY-MM-DD day in the calendar's zone.
    static func day(_ text: String, in calendar: Calendar) -> Date? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))
    }
}
