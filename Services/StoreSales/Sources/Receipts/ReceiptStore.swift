import Foundation
import Logging
import PostgresNIO
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The `receipts` and `receipt_items` tables.
struct ReceiptStore: Sendable {
    let database: Database

    /// A scan this long before a sale attaches its clerk to the sale; one up to `scanAfter` later
    /// too (the member scans while paying, and tills' clocks drift).
    static let scanWindow: TimeInterval = 12 * 3600
    static let scanAfter: TimeInterval = 10 * 60

    enum Recorded {
        case recorded(Sales_Storesales_V1_Receipt)
        case alreadyRecorded(Sales_Storesales_V1_Receipt)
    }

    /// For each sale of a member in a store, the clerk whose code the member scanned there within
    /// the window around it (the latest scan), by the sale's index; one statement for a batch.
    func scanningClerks(
        _ sales: [(member: UUID, store: UUID, time: Date)], on connection: PostgresConnection, logger: Logger
    ) async throws -> [Int: UUID] {
        guard !sales.isEmpty else { return [:] }
        var clerks: [Int: UUID] = [:]
        for try await (index, clerk) in try await connection.query(Self.scanningClerksQuery(sales), logger: logger).decode((Int, UUID).self) {
            clerks[index] = clerk
        }
        return clerks
    }

    static func scanningClerksQuery(_ sales: [(member: UUID, store: UUID, time: Date)]) -> PostgresQuery {
        """
        SELECT q.n::integer - 1, v.clerk_id
        FROM unnest(\(sales.map(\.member)), \(sales.map(\.store)), \(sales.map(\.time))) WITH ORDINALITY AS q (member_id, store_id, sold_at, n)
        CROSS JOIN LATERAL (
            SELECT clerk_id FROM member_visits
            WHERE store_id = q.store_id AND member_id = q.member_id
              AND scanned_at BETWEEN q.sold_at - make_interval(secs => \(scanWindow)) AND q.sold_at + make_interval(secs => \(scanAfter))
            ORDER BY scanned_at DESC LIMIT 1) v
        """
    }

    /// The members with these phone HMACs, by HMAC.
    func memberIDs(hashes: [String], tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws -> [String: UUID] {
        guard !hashes.isEmpty else { return [:] }
        let rows = try await connection.query(Self.memberIDsQuery(hashes: hashes, tenant: tenant), logger: logger)
        var members: [String: UUID] = [:]
        for try await (hash, id) in rows.decode((String, UUID).self) { members[hash] = id }
        return members
    }

    /// One probe of the unique index per HMAC: right after a member file is imported the
    /// statistics lag the table, and `phone_hmac = ANY(…)` was then planned as a read of all the
    /// tenant's members for each batch of receipts.
    static func memberIDsQuery(hashes: [String], tenant: TenantID) -> PostgresQuery {
        """
        SELECT h.hash, m.id FROM unnest(\(hashes)) AS h (hash)
        CROSS JOIN LATERAL (SELECT id FROM members WHERE tenant_id = \(tenant.rawValue) AND phone_hmac = h.hash LIMIT 1) m
        """
    }

    /// Writes each receipt once per store and number, a batch in three statements (receipts,
    /// lines, and the earlier ones of those already there): the same receipt again answers the
    /// first; other content under a recorded number is ALREADY_EXISTS for that receipt alone.
    func record(
        _ receipts: [AttributedReceipt], tenant: TenantID, on connection: PostgresConnection, logger: Logger
    ) async throws -> [Result<Recorded, ServiceError>] {
        guard !receipts.isEmpty else { return [] }
        let ids = receipts.map { _ in UUID.random() }
        let fingerprints = receipts.map(\.checked.fingerprint)
        // Arrays cannot carry NULL elements here: '' and -1 stand for none and become NULL in SQL.
        let inserted = try await connection.query(
            """
            INSERT INTO receipts (id, tenant_id, store_id, receipt_number, sold_at, clerk_id, clerk_source, member_id, payment_method,
                                  total_fen, discount_fen, currency, item_count, fingerprint, feedback_minutes, feedback_needs, feedback_label)
            SELECT id, \(tenant.rawValue), store_id, receipt_number, sold_at, nullif(clerk_id, '')::uuid, clerk_source,
                   nullif(member_id, '')::uuid, payment_method, total_fen, discount_fen, currency, item_count, fingerprint,
                   nullif(feedback_minutes, -1), feedback_needs, feedback_label
            FROM unnest(\(ids), \(receipts.map(\.storeID)), \(receipts.map(\.checked.number)), \(receipts.map(\.checked.soldAt)),
                        \(receipts.map { $0.clerkID?.uuidString ?? "" }), \(receipts.map(\.clerkSource)),
                        \(receipts.map { $0.memberID?.uuidString ?? "" }), \(receipts.map(\.checked.paymentMethod)),
                        \(receipts.map(\.checked.total)), \(receipts.map(\.checked.discount)), \(receipts.map(\.checked.currency.code)),
                        \(receipts.map(\.checked.items.count)), \(fingerprints), \(receipts.map { $0.feedback?.minutes ?? -1 }),
                        \(receipts.map { $0.feedback?.needs ?? "note" }), \(receipts.map { $0.feedback?.label ?? "" }))
                 AS r (id, store_id, receipt_number, sold_at, clerk_id, clerk_source, member_id, payment_method, total_fen, discount_fen,
                       currency, item_count, fingerprint, feedback_minutes, feedback_needs, feedback_label)
            ON CONFLICT (store_id, receipt_number) DO NOTHING
            RETURNING id
            """, logger: logger)
        var wrote: Set<UUID> = []
        for try await id in inserted.decode(UUID.self) { wrote.insert(id) }
        try await writeLines(
            of: receipts.indices.filter { wrote.contains(ids[$0]) }.map { (ids[$0], receipts[$0]) }, tenant: tenant, on: connection, logger: logger)
        let others = receipts.indices.filter { !wrote.contains(ids[$0]) }
        let earlier = try await existing(others.map { (receipts[$0].storeID, receipts[$0].checked.number) }, on: connection, logger: logger)
        return receipts.indices.map { index in
            let receipt = receipts[index]
            if wrote.contains(ids[index]) { return .success(.recorded(receipt.message(id: ids[index]))) }
            guard let (first, firstFingerprint) = earlier[Pair(store: receipt.storeID, number: receipt.checked.number)] else {
                return .failure(.unavailable("the receipt was not stored; retry"))
            }
            guard firstFingerprint == fingerprints[index] else {
                return .failure(
                    .alreadyExists(
                        "receipt \(receipt.checked.number) of store \(receipt.checked.storeCode) was recorded with other content (total "
                            + "\(first.total.minorUnits) fen, \(first.items) items); a corrected receipt needs a number of its own"))
            }
            return .success(.alreadyRecorded(first))
        }
    }

    /// The lines of the receipts just written, in one statement; a member's lines carry the member,
    /// tenant and time, so "who bought this lately" reads one index.
    private func writeLines(of written: [(id: UUID, receipt: AttributedReceipt)], tenant: TenantID, on connection: PostgresConnection, logger: Logger)
        async throws
    {
        var (receiptIDs, lineNumbers, skus, quantities, units, discounts, amounts) = (
            [UUID](), [Int](), [String](), [Int64](), [Int64](), [Int64](), [Int64]()
        )
        var (members, times) = ([String](), [Date]())
        for (id, receipt) in written {
            for (index, item) in receipt.checked.items.enumerated() {
                receiptIDs.append(id)
                lineNumbers.append(index + 1)
                skus.append(item.sku)
                quantities.append(item.quantity)
                units.append(item.unitPrice)
                discounts.append(item.discount)
                amounts.append(item.amount)
                members.append(receipt.memberID?.uuidString ?? "")
                times.append(receipt.checked.soldAt)
            }
        }
        guard !receiptIDs.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO receipt_items (receipt_id, line_no, sku, quantity, unit_price_fen, discount_fen, amount_fen, tenant_id, member_id, sold_at)
            SELECT receipt_id, line_no, sku, quantity, unit_price, discount, amount,
                   CASE WHEN member_id <> '' THEN \(tenant.rawValue) END, nullif(member_id, '')::uuid, CASE WHEN member_id <> '' THEN sold_at END
            FROM unnest(\(receiptIDs), \(lineNumbers), \(skus), \(quantities), \(units), \(discounts), \(amounts), \(members), \(times))
                 AS i (receipt_id, line_no, sku, quantity, unit_price, discount, amount, member_id, sold_at)
            """, logger: logger)
    }

    private struct Pair: Hashable {
        let store: UUID
        let number: String
    }

    /// The receipt `number` of the store with `code` in the tenant, its store's city, and the lead
    /// it was referred as, if it was.
    func forReferral(storeCode: String, number: String, tenant: TenantID) async throws -> (receipt: UUID, city: String, lead: String?)? {
        let rows = try await database.query(
            """
            SELECT r.id, s.city, l.lead_id FROM receipts r JOIN stores s ON s.id = r.store_id
            LEFT JOIN store_leads l ON l.receipt_id = r.id
            WHERE s.tenant_id = \(tenant.rawValue) AND s.code = \(storeCode) AND r.receipt_number = \(number)
            """)
        for try await (id, city, lead) in rows.decode((UUID, String, String?).self) { return (id, city, lead) }
        return nil
    }

    /// Keeps the lead a receipt was referred as; the first kept wins.
    func recordReferral(receipt: UUID, lead: String) async throws -> String {
        let rows = try await database.query(
            """
            WITH kept AS (
                INSERT INTO store_leads (receipt_id, lead_id) VALUES (\(receipt), \(lead))
                ON CONFLICT (receipt_id) DO NOTHING RETURNING lead_id)
            SELECT lead_id FROM kept UNION ALL SELECT lead_id FROM store_leads WHERE receipt_id = \(receipt) LIMIT 1
            """)
        for try await kept in rows.decode(String.self) { return kept }
        return lead
    }

    /// Served receipts (a member and a clerk) of the stores the caller sees, newest first, as the
    /// "store-feedback" rules read them: one receipt, or the latest `limit` for a dry run.
    func ruleRecords(for caller: Caller, receipt: UUID?, limit: Int, calendar: WorkCalendar) async throws -> [DryRunRecord] {
        let rows = try await database.query(
            """
            SELECT r.id, s.code, s.district, s.region, r.total_fen, r.item_count, r.payment_method, r.clerk_source, r.sold_at,
                   coalesce((SELECT array_agg(DISTINCT p.category) FROM receipt_items i
                             JOIN products p ON p.tenant_id = r.tenant_id AND p.sku = i.sku
                             WHERE i.receipt_id = r.id AND p.category <> ''), '{}')
            FROM receipts r JOIN stores s ON s.id = r.store_id
            WHERE r.tenant_id = \(caller.tenant.rawValue) AND \(visibleTo: Visibility(caller), owner: "s.owner_id", orgPath: "s.org_path")
              AND r.member_id IS NOT NULL AND r.clerk_id IS NOT NULL AND (\(receipt)::uuid IS NULL OR r.id = \(receipt))
            ORDER BY r.sold_at DESC LIMIT \(limit)
            """)
        var records: [DryRunRecord] = []
        for try await (id, code, district, region, total, count, method, source, soldAt, categories) in rows.decode(
            (UUID, String, String, String, Int64, Int, String, String, Date, [String]).self)
        {
            let data = FeedbackRecord.value(
                storeCode: code, district: district, region: region, total: total, itemCount: count, paymentMethod: method,
                categories: categories.sorted(), clerkSource: source, soldAt: soldAt, calendar: calendar)
            records.append(DryRunRecord(id: id.apiString, data: data))
        }
        return records
    }

    /// The receipts already recorded under these store and number pairs, with their fingerprints.
    private func existing(
        _ pairs: [(store: UUID, number: String)], on connection: PostgresConnection, logger: Logger
    ) async throws -> [Pair: (Sales_Storesales_V1_Receipt, String)] {
        guard !pairs.isEmpty else { return [:] }
        let rows = try await connection.query(
            """
            SELECT r.id, r.store_id, r.receipt_number, r.sold_at, r.clerk_id, r.clerk_source, r.member_id, r.payment_method, r.total_fen,
                   r.discount_fen, r.currency, r.item_count, r.fingerprint, r.feedback_minutes, r.feedback_needs, r.feedback_label
            FROM unnest(\(pairs.map(\.store)), \(pairs.map(\.number))) AS q (store_id, receipt_number)
            JOIN receipts r ON r.store_id = q.store_id AND r.receipt_number = q.receipt_number
            """, logger: logger)
        var found: [Pair: (Sales_Storesales_V1_Receipt, String)] = [:]
        for try await (id, store, number, soldAt, clerk, source, member, method, total, discount, currency, count, fingerprint, minutes, needs, label)
            in rows.decode((UUID, UUID, String, Date, UUID?, String, UUID?, String, Int64, Int64, String, Int, String, Int?, String, String).self)
        {
            let receipt = Sales_Storesales_V1_Receipt.with {
                $0.id = id.apiString
                $0.storeID = store.apiString
                $0.receiptNumber = number
                $0.soldAt = Google_Protobuf_Timestamp(date: soldAt)
                $0.clerkID = clerk?.apiString ?? ""
                $0.clerkSource = source
                $0.memberID = member?.apiString ?? ""
                $0.paymentMethod = method
                $0.total = Sales_Common_V1_Money(minorUnits: total, currency: currency)
                $0.discount = Sales_Common_V1_Money(minorUnits: discount, currency: currency)
                $0.items = Int32(count)
                if let minutes, clerk != nil, member != nil {
                    $0.setFeedback(FeedbackDue(minutes: minutes, needs: needs, label: label), soldAt: soldAt)
                }
            }
            found[Pair(store: store, number: number)] = (receipt, fingerprint)
        }
        return found
    }
}

/// A checked receipt with what it is attached to: its store, clerk and member.
struct AttributedReceipt: Sendable {
    var checked: CheckedReceipt
    var storeID: UUID
    var clerkID: UUID?
    var clerkSource: String
    var memberID: UUID?
    /// What the clerk owes for it: set for a member served by a clerk.
    var feedback: FeedbackDue?

    func message(id: UUID) -> Sales_Storesales_V1_Receipt {
        .with {
            $0.id = id.apiString
            $0.storeID = storeID.apiString
            $0.receiptNumber = checked.number
            $0.soldAt = Google_Protobuf_Timestamp(date: checked.soldAt)
            $0.clerkID = clerkID?.apiString ?? ""
            $0.clerkSource = clerkSource
            $0.memberID = memberID?.apiString ?? ""
            $0.paymentMethod = checked.paymentMethod
            $0.total = Sales_Common_V1_Money(minorUnits: checked.total, currency: checked.currency.code)
            $0.discount = Sales_Common_V1_Money(minorUnits: checked.discount, currency: checked.currency.code)
            $0.items = Int32(checked.items.count)
            if let feedback { $0.setFeedback(feedback, soldAt: checked.soldAt) }
        }
    }
}

extension Sales_Storesales_V1_Receipt {
    mutating func setFeedback(_ due: FeedbackDue, soldAt: Date) {
        guard due.minutes > 0 else { return }
        feedbackDueAt = Google_Protobuf_Timestamp(date: soldAt.addingTimeInterval(TimeInterval(due.minutes * 60)))
        feedbackNeeds = due.needs
        feedbackLabel = due.label
    }
}
