import Foundation
import PostgresNIO
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Collections health: the instalments falling due in a month, grouped by rep or team, and where
/// the overdue ones wait.
extension ReceivableStore {
    /// One row per rep or team (and currency) over the instalments due from `start` up to `end`
    /// that `caller` sees; invoice times are read in `timeZone`.
    func health(
        for caller: Caller, from start: LocalDate, to end: LocalDate, byTeam: Bool, timeZone: String
    ) async throws -> [Sales_Opportunities_V1_CollectionHealthRow] {
        let rows = try await database.query(
            """
            WITH i AS (
                SELECT i.owner_id, i.org_path, i.currency, i.due_date, i.amount_minor, i.paid_minor, i.invoiced_at,
                       (SELECT max(p.received_on) FROM payment_allocations a JOIN payments p ON p.id = a.payment_id
                        WHERE a.instalment_id = i.id AND a.amount_minor > 0) AS completed_on
                FROM instalments i
                WHERE i.tenant_id = \(caller.tenant.rawValue) AND \(visibleTo: Visibility(caller), owner: "i.owner_id", orgPath: "i.org_path")
                  AND i.due_date >= \(start.description)::date AND i.due_date < \(end.description)::date
            )
            SELECT CASE WHEN \(byTeam) THEN org_path ELSE owner_id END AS key, currency,
                   count(*)::int AS due_count, sum(amount_minor)::bigint AS due, sum(paid_minor)::bigint AS collected,
                   count(*) FILTER (WHERE paid_minor >= amount_minor AND completed_on <= due_date)::int AS on_time,
                   count(*) FILTER (WHERE (invoiced_at AT TIME ZONE \(timeZone))::date <= due_date)::int AS invoiced_on_time,
                   count(*) FILTER (WHERE paid_minor >= amount_minor)::int AS paid_in_full,
                   coalesce(round(avg(completed_on - due_date) FILTER (WHERE paid_minor >= amount_minor)), 0)::int AS days_to_cash
            FROM i GROUP BY 1, 2 ORDER BY 1, 2
            """)
        var health: [Sales_Opportunities_V1_CollectionHealthRow] = []
        for try await row in rows {
            let row = row.makeRandomAccess()
            let currency = try row.decode("currency", as: String.self)
            health.append(
                Self.healthRow(
                    key: try row.decode("key"), count: Int(try row.decode("due_count", as: Int32.self)),
                    due: .init(minorUnits: try row.decode("due"), currency: currency),
                    collected: .init(minorUnits: try row.decode("collected"), currency: currency),
                    onTime: Int(try row.decode("on_time", as: Int32.self)), invoicedOnTime: Int(try row.decode("invoiced_on_time", as: Int32.self)),
                    paidInFull: Int(try row.decode("paid_in_full", as: Int32.self)), daysToCash: Int(try row.decode("days_to_cash", as: Int32.self))))
        }
        return health
    }

    /// A row with its rates worked out (basis points of what fell due).
    static func healthRow(
        key: String, count: Int, due: Sales_Common_V1_Money, collected: Sales_Common_V1_Money, onTime: Int, invoicedOnTime: Int,
        paidInFull: Int, daysToCash: Int
    ) -> Sales_Opportunities_V1_CollectionHealthRow {
        // part × 10,000 in 128 bits: no overflow however large the sums (part never exceeds whole).
        func share(_ part: Int64, of whole: Int64) -> Int32 {
            guard whole > 0, part > 0 else { return 0 }
            guard part < whole else { return 10_000 }
            return Int32(UInt64(whole).dividingFullWidth(UInt64(part).multipliedFullWidth(by: 10_000)).quotient)
        }
        return .with {
            $0.key = key
            $0.instalmentsDue = Int32(count)
            $0.due = due
            $0.collected = collected
            $0.collectionRateBp = share(collected.minorUnits, of: due.minorUnits)
            $0.paidOnTime = Int32(onTime)
            $0.termComplianceBp = share(Int64(onTime), of: Int64(count))
            $0.invoicedOnTime = Int32(invoicedOnTime)
            $0.invoicingTimelinessBp = share(Int64(invoicedOnTime), of: Int64(count))
            $0.paidInFull = Int32(paidInFull)
            $0.averageDaysToCash = Int32(daysToCash)
        }
    }

    /// The month's unpaid instalments past due as of `today`, by the step they wait at.
    func blindSpots(for caller: Caller, from start: LocalDate, to end: LocalDate, today: LocalDate) async throws
        -> [Sales_Opportunities_V1_BlindSpot]
    {
        let rows = try await database.query(
            """
            SELECT invoice_step, currency, count(*)::int AS waiting, sum(amount_minor - paid_minor)::bigint AS outstanding
            FROM instalments
            WHERE tenant_id = \(caller.tenant.rawValue) AND \(visibleTo: Visibility(caller))
              AND due_date >= \(start.description)::date AND due_date < \(end.description)::date
              AND due_date < \(today.description)::date AND paid_minor < amount_minor
            GROUP BY 1, 2 ORDER BY 4 DESC
            """)
        var spots: [Sales_Opportunities_V1_BlindSpot] = []
        for try await (step, currency, waiting, outstanding) in rows.decode((Int16, String, Int32, Int64).self) {
            let (who, what) = Self.waiting(at: Sales_Opportunities_V1_InvoiceStep(rawValue: Int(step)) ?? .unspecified)
            spots.append(
                .with {
                    $0.waitingOn = who
                    $0.step = what
                    $0.instalments = waiting
                    $0.outstanding = .init(minorUnits: outstanding, currency: currency)
                })
        }
        return spots
    }

    /// Who an unpaid instalment waits on, by how far its invoice got.
    static func waiting(at step: Sales_Opportunities_V1_InvoiceStep) -> (who: String, what: String) {
        switch step {
        case .unspecified, .UNRECOGNIZED: ("finance", "发票未开具")
        case .issued: ("sales", "发票已开，未确认客户收到")
        case .delivered: ("sales", "客户验收签字未回")
        case .inLegalReview: ("legal", "客户法务审核中")
        case .accepted: ("customer", "已验收，客户未付款")
        }
    }
}
