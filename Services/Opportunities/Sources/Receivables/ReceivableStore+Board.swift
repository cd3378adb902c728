import Foundation
import Logging
import PostgresNIO
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The countdown board: instalments soonest due first, as the caller sees them.
extension ReceivableStore {
    /// Where a page of the board starts: after this due date and instalment id.
    struct Cursor: Sendable, Equatable {
        let due: LocalDate
        let id: UUID
    }

    /// A page of receivables matching `filter` that `caller` sees, after `cursor`, with their
    /// days overdue as of `today`; `limit` rows at most.
    func board(
        _ filter: Filter, for caller: Caller, today: LocalDate, after cursor: Cursor?, limit: Int
    ) async throws -> [(Sales_Opportunities_V1_Receivable, Cursor)] {
        var page: [(Sales_Opportunities_V1_Receivable, Cursor)] = []
        let query = Self.boardQuery(filter, for: caller, today: today, after: cursor, limit: limit)
        for try await row in try await database.query(query) {
            let receivable = try Self.receivable(row.makeRandomAccess())
            page.append((receivable, Cursor(due: LocalDate(receivable.dueDate)!, id: UUID(uuidString: receivable.instalmentID)!)))
        }
        return page
    }

    /// The board's statement (its plan is checked at 200,000 instalments in a test).
    static func boardQuery(_ filter: Filter, for caller: Caller, today: LocalDate, after cursor: Cursor?, limit: Int) -> PostgresQuery {
        // Built piece by piece so each page's statement names only the filters it uses: the
        // planner then picks the index that serves them (open, by owner, by customer) in due order.
        var sql = PostgresQuery.StringInterpolation(literalCapacity: 1_024, interpolationCount: 12)
        sql.appendLiteral("SELECT \(columns), due_date - ")
        sql.appendInterpolation(today.description)
        sql.appendLiteral("::date AS days_left FROM instalments WHERE tenant_id = ")
        sql.appendInterpolation(caller.tenant.rawValue)
        sql.appendLiteral(" AND ")
        sql.appendInterpolation(visibleTo: Visibility(caller))
        if let contract = filter.contractID {
            sql.appendLiteral(" AND contract_id = ")
            sql.appendInterpolation(contract)
        }
        if let customer = filter.customerID {
            sql.appendLiteral(" AND customer_id = ")
            sql.appendInterpolation(customer)
        }
        if let owner = filter.ownerID {
            sql.appendLiteral(" AND owner_id = ")
            sql.appendInterpolation(owner)
        }
        if filter.openOnly || filter.minDaysOverdue > 0 { sql.appendLiteral(" AND paid_minor < amount_minor") }
        if filter.minDaysOverdue > 0 {
            sql.appendLiteral(" AND due_date <= ")
            sql.appendInterpolation(today.adding(days: -filter.minDaysOverdue).description)
            sql.appendLiteral("::date")
        }
        if let cursor {
            sql.appendLiteral(" AND (due_date, id) > (")
            sql.appendInterpolation(cursor.due.description)
            sql.appendLiteral("::date, ")
            sql.appendInterpolation(cursor.id)
            sql.appendLiteral(")")
        }
        sql.appendLiteral(" ORDER BY due_date, id LIMIT ")
        sql.appendInterpolation(limit)
        return PostgresQuery(stringInterpolation: sql)
    }

    /// The contract's instalments, lowest number first (its account; visibility was checked on its deal).
    func instalments(of contract: UUID, tenant: TenantID, today: LocalDate, on connection: PostgresConnection? = nil) async throws
        -> [Sales_Opportunities_V1_Receivable]
    {
        let rows = try await database.query(
            """
            SELECT \(unescaped: Self.columns), due_date - \(today.description)::date AS days_left FROM instalments
            WHERE contract_id = \(contract) AND tenant_id = \(tenant.rawValue) ORDER BY number
            """, on: connection)
        var instalments: [Sales_Opportunities_V1_Receivable] = []
        for try await row in rows { instalments.append(try Self.receivable(row.makeRandomAccess())) }
        return instalments
    }

    /// One instalment the caller sees, locked for an invoice step; nil when it is not theirs to see.
    func instalment(_ id: UUID, for caller: Caller, today: LocalDate, on connection: PostgresConnection) async throws
        -> Sales_Opportunities_V1_Receivable?
    {
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.columns), due_date - \(today.description)::date AS days_left FROM instalments
            WHERE id = \(id) AND tenant_id = \(caller.tenant.rawValue) AND \(visibleTo: Visibility(caller)) FOR UPDATE
            """, logger: database.logger)
        for try await row in rows { return try Self.receivable(row.makeRandomAccess()) }
        return nil
    }

    func recordInvoice(_ id: UUID, step: Sales_Opportunities_V1_InvoiceStep, number: String, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            UPDATE instalments SET invoice_step = \(Int16(step.rawValue)), invoice_number = \(number),
                                   invoiced_at = coalesce(invoiced_at, now())
            WHERE id = \(id)
            """,
            logger: database.logger)
    }

    static let columns = """
        id, contract_id, opportunity_id, customer_id, customer_name, owner_id, number, to_char(due_date, 'YYYY-MM-DD') AS due,
        amount_minor, paid_minor, currency, invoice_step, invoice_number
        """

    static func receivable(_ row: PostgresRandomAccessRow) throws -> Sales_Opportunities_V1_Receivable {
        let currency: String = try row.decode("currency")
        let amount: Int64 = try row.decode("amount_minor"), paid: Int64 = try row.decode("paid_minor")
        let daysLeft = Int32(try row.decode("days_left", as: Int32.self))
        let step = Sales_Opportunities_V1_InvoiceStep(rawValue: Int(try row.decode("invoice_step", as: Int16.self))) ?? .unspecified
        return try .with {
            $0.instalmentID = try row.decode("id", as: UUID.self).apiString
            $0.contractID = try row.decode("contract_id", as: UUID.self).apiString
            $0.opportunityID = try row.decode("opportunity_id", as: UUID.self).apiString
            $0.customerID = try row.decode("customer_id")
            $0.customerName = try row.decode("customer_name")
            $0.ownerID = try row.decode("owner_id")
            $0.number = Int32(try row.decode("number", as: Int16.self))
            $0.dueDate = try row.decode("due")
            $0.amount = .init(minorUnits: amount, currency: currency)
            $0.paid = .init(minorUnits: paid, currency: currency)
            $0.outstanding = .init(minorUnits: amount - paid, currency: currency)
            $0.invoiceNumber = try row.decode("invoice_number")
            $0.invoiceStep = step
            $0.state = ReceivableState.of(paid: paid >= amount, step: step)
            $0.daysLeft = paid >= amount ? 0 : daysLeft
            $0.daysOverdue = paid >= amount ? 0 : max(0, -daysLeft)
        }
    }
}

/// What the board says of an instalment: paid, else how far its invoice has gone.
enum ReceivableState {
    static func of(paid: Bool, step: Sales_Opportunities_V1_InvoiceStep) -> Sales_Opportunities_V1_ReceivableState {
        if paid { return .paid }
        switch step {
        case .issued: return .invoiced
        case .delivered: return .awaitingAcceptance
        case .inLegalReview: return .inLegalReview
        case .accepted: return .accepted
        case .unspecified, .UNRECOGNIZED: return .notInvoiced
        }
    }
}

extension ReceivableStore {
    /// The customer's payment record over the tenant's signed contracts as of `today`: an
    /// instalment is on time when the payment that completed it arrived by its due date.
    func history(of customer: UUID, tenant: TenantID, today: LocalDate) async throws -> PaymentHistory {
        let rows = try await database.query(
            """
            WITH i AS (
                SELECT i.amount_minor, i.paid_minor, i.currency, \(today.description)::date - i.due_date AS late_now,
                       (SELECT max(p.received_on) FROM payment_allocations a JOIN payments p ON p.id = a.payment_id
                        WHERE a.instalment_id = i.id AND a.amount_minor > 0) - i.due_date AS late_paid
                FROM instalments i
                WHERE i.tenant_id = \(tenant.rawValue) AND i.customer_id = \(customer.apiString)
            )
            SELECT count(*) FILTER (WHERE paid_minor >= amount_minor)::int AS paid,
                   count(*) FILTER (WHERE paid_minor >= amount_minor AND late_paid <= 0)::int AS on_time,
                   coalesce(round(avg(late_paid) FILTER (WHERE paid_minor >= amount_minor AND late_paid > 0)), 0)::int AS days_late,
                   count(*) FILTER (WHERE paid_minor < amount_minor AND late_now > 0)::int AS overdue,
                   coalesce(sum(amount_minor - paid_minor) FILTER (WHERE paid_minor < amount_minor AND late_now > 0), 0)::bigint AS overdue_fen,
                   coalesce(max(late_now) FILTER (WHERE paid_minor < amount_minor AND late_now > 0), 0)::int AS oldest,
                   coalesce(min(currency), 'CNY') AS currency
            FROM i
            """)
        for try await row in rows {
            let row = row.makeRandomAccess()
            return PaymentHistory(
                paid: Int(try row.decode("paid", as: Int32.self)), paidOnTime: Int(try row.decode("on_time", as: Int32.self)),
                averageDaysLate: Int(try row.decode("days_late", as: Int32.self)), overdue: Int(try row.decode("overdue", as: Int32.self)),
                overdueFen: try row.decode("overdue_fen"), oldestOverdueDays: Int(try row.decode("oldest", as: Int32.self)),
                currency: try row.decode("currency", as: String.self).trimmingCharacters(in: .whitespaces))
        }
        return PaymentHistory()
    }
}
