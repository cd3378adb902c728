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

    /// The clerk who served the member in `store` during the window before `time`.
    func scanningClerk(member: UUID, store: UUID, before time: Date, on connection: PostgresConnection, logger: Logger) async throws -> UUID? {
        for try await clerk in try await connection.query(Self.scanningClerkQuery(member: member, store: store, sale: time), logger: logger)
            .decode(UUID.self)
        {
            return clerk
        }
        return nil
    }

    static func scanningClerkQuery(member: UUID, store: UUID, sale time: Date) -> PostgresQuery {
        """
        SELECT clerk_id FROM member_visits
        WHERE store_id = \(store) AND member_id = \(member)
          AND scanned_at BETWEEN \(time.addingTimeInterval(-scanWindow)) AND \(time.addingTimeInterval(scanAfter))
        ORDER BY scanned_at DESC LIMIT 1
        """
    }

    /// The members with these phone HMACs, by HMAC.
    func memberIDs(hashes: [String], tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws -> [String: UUID] {
        guard !hashes.isEmpty else { return [:] }
        let rows = try await connection.query(
            "SELECT phone_hmac, id FROM members WHERE tenant_id = \(tenant.rawValue) AND phone_hmac = ANY(\(hashes))", logger: logger)
        var members: [String: UUID] = [:]
        for try await (hash, id) in rows.decode((String, UUID).self) { members[hash] = id }
        return members
    }

    /// Writes the receipt once per store and number: the same receipt again answers the first;
    /// other content under a recorded number is ALREADY_EXISTS and changes nothing.
    func record(_ receipt: AttributedReceipt, tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws -> Recorded {
        let checked = receipt.checked
        let id = UUID.random()
        let fingerprint = checked.fingerprint
        let inserted = try await connection.query(
            """
            INSERT INTO receipts (id, tenant_id, store_id, receipt_number, sold_at, clerk_id, clerk_source, member_id, payment_method,
                                  total_fen, discount_fen, currency, item_count, fingerprint, feedback_minutes, feedback_needs, feedback_label)
            VALUES (\(id), \(tenant.rawValue), \(receipt.storeID), \(checked.number), \(checked.soldAt), \(receipt.clerkID),
                    \(receipt.clerkSource), \(receipt.memberID), \(checked.paymentMethod), \(checked.total), \(checked.discount),
                    \(checked.currency.code), \(checked.items.count), \(fingerprint), \(receipt.feedback?.minutes),
                    \(receipt.feedback?.needs ?? "note"), \(receipt.feedback?.label ?? ""))
            ON CONFLICT (store_id, receipt_number) DO NOTHING
            RETURNING id
            """, logger: logger)
        var wrote = false
        for try await _ in inserted.decode(UUID.self) { wrote = true }
        guard wrote else {
            guard let (first, firstFingerprint) = try await existing(store: receipt.storeID, number: checked.number, on: connection, logger: logger)
            else { throw ServiceError.unavailable("the receipt was not stored; retry") }
            guard firstFingerprint == fingerprint else {
                throw ServiceError.alreadyExists(
                    "receipt \(checked.number) of store \(checked.storeCode) was recorded with other content (total \(first.total.minorUnits) fen, "
                        + "\(first.items) items); a corrected receipt needs a number of its own")
            }
            return .alreadyRecorded(first)
        }
        let items = checked.items
        try await connection.query(
            """
            INSERT INTO receipt_items (receipt_id, line_no, sku, quantity, unit_price_fen, discount_fen, amount_fen, tenant_id, member_id, sold_at)
            SELECT \(id), line_no, sku, quantity, unit_price, discount, amount, \(receipt.memberID == nil ? nil : tenant.rawValue),
                   \(receipt.memberID), \(receipt.memberID == nil ? nil : checked.soldAt)
            FROM unnest(\(Array(1...items.count)), \(items.map(\.sku)), \(items.map(\.quantity)), \(items.map(\.unitPrice)),
                        \(items.map(\.discount)), \(items.map(\.amount)))
                 AS i(line_no, sku, quantity, unit_price, discount, amount)
            """, logger: logger)
        return .recorded(receipt.message(id: id))
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

    private func existing(store: UUID, number: String, on connection: PostgresConnection, logger: Logger) async throws
        -> (Sales_Storesales_V1_Receipt, String)?
    {
        let rows = try await connection.query(
            """
            SELECT id, store_id, receipt_number, sold_at, clerk_id, clerk_source, member_id, payment_method, total_fen, discount_fen,
                   currency, item_count, fingerprint, feedback_minutes, feedback_needs, feedback_label
            FROM receipts WHERE store_id = \(store) AND receipt_number = \(number)
            """, logger: logger)
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
                    $0.setFeedback(FeedbackDue(minutes: minutes, needs: needs, label: label, ruleID: ""), soldAt: soldAt)
                }
            }
            return (receipt, fingerprint)
        }
        return nil
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
