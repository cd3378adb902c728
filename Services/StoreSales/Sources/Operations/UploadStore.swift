import Foundation
import Logging
import PostgresNIO
import RulesEngine
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// The `store_uploads` table and what an upload raises: `store_complaints`, and the
/// `scenario_candidates` that three days of one complaint make.
struct UploadStore: Sendable {
    let database: Database

    /// Where the upload goes and what was made of it.
    struct Placement: Sendable {
        var storeID: UUID
        var storeCode: String
        var tenant: TenantID
        var userID: String
        var check: Sales_Storesales_V1_DiscountCheck?
        var topics: [String]
    }

    private static let columns = """
        id, kind, day::text, user_id, created_at, sha256, content_type, duration_seconds, transcript, promotion_code, promotion_item, sku,
        order_number, order_fen, discount_fen, expected_discount_fen, currency, discount_matches, discount_reason, store_id
        """

    /// The upload, or the one already recorded with the same content (or order): `isNew` false.
    func record(
        _ upload: CheckedUpload, at place: Placement, on connection: PostgresConnection, logger: Logger
    ) async throws -> (upload: Sales_Storesales_V1_StoreUpload, isNew: Bool) {
        let order = upload.order
        let check = place.check
        let rows = try await connection.query(
            """
            INSERT INTO store_uploads (id, tenant_id, store_id, kind, day, user_id, sha256, content_type, duration_seconds, transcript,
                                       promotion_code, promotion_item, sku, order_number, order_fen, discount_fen, expected_discount_fen,
                                       currency, discount_matches, discount_reason)
            VALUES (\(UUID.random()), \(place.tenant.rawValue), \(place.storeID), \(Int16(upload.kind.rawValue)), \(upload.day.description)::date,
                    \(place.userID), \(upload.sha256), \(upload.contentType), \(upload.durationSeconds), \(upload.transcript),
                    \(upload.promotionCode), \(upload.promotionItem), \(upload.sku), \(order?.number), \(order?.amount.minorUnits),
                    \(order?.discount.minorUnits), \(check?.expectedDiscount.minorUnits), \(order?.amount.currency.code), \(check?.matches),
                    \(check?.reason ?? ""))
            ON CONFLICT DO NOTHING
            RETURNING \(unescaped: Self.columns)
            """, logger: logger)
        if var stored = try await Self.decode(rows).first?.upload {
            if !place.topics.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO store_complaints (upload_id, store_id, day, topic)
                    SELECT \(UUID(uuidString: stored.id)!), \(place.storeID), \(upload.day.description)::date, topic FROM unnest(\(place.topics)) AS t (topic)
                    """, logger: logger)
            }
            stored.storeCode = place.storeCode
            stored.complaintTopics = place.topics
            return (stored, true)
        }
        let earlierRows = try await connection.query(
            """
            SELECT \(unescaped: Self.columns) FROM store_uploads
            WHERE (tenant_id = \(place.tenant.rawValue) AND order_number = \(order?.number))
               OR (store_id = \(place.storeID) AND day = \(upload.day.description)::date AND kind = \(Int16(upload.kind.rawValue))
                   AND sha256 = \(upload.sha256) AND sha256 <> '')
            ORDER BY order_number IS NULL LIMIT 1
            """, logger: logger)
        guard let (found, storeID) = try await Self.decode(earlierRows).first else {
            throw ServiceError.unavailable("the upload met another at the same moment; send it again")
        }
        var earlier = found
        guard storeID == place.storeID else {
            throw ServiceError.alreadyExists("group-buy order \(order?.number ?? "") is already recorded for another store")
        }
        // The same screenshot sent for another order is a mistake to fix, not this order recorded.
        if let order, earlier.hasGroupBuy, earlier.groupBuy.orderNumber != order.number {
            throw ServiceError.alreadyExists(
                "this screenshot was recorded for group-buy order \(earlier.groupBuy.orderNumber); send the screenshot of order \(order.number)")
        }
        let topics = try await connection.query(
            "SELECT topic FROM store_complaints WHERE upload_id = \(UUID(uuidString: earlier.id)!) ORDER BY topic", logger: logger)
        for try await topic in topics.decode(String.self) { earlier.complaintTopics.append(topic) }
        earlier.storeCode = place.storeCode
        earlier.alreadyRecorded = true
        return (earlier, false)
    }

    /// The run of days of `topic` at the store around `day`; a run of three or more days is a
    /// scenario candidate, returned once: when this upload made it one. A run that grows, or joins
    /// one already announced, updates it quietly (nil).
    func markRun(
        of topic: String, scenario: String, around day: LocalDate, at place: Placement, on connection: PostgresConnection, logger: Logger
    ) async throws -> Sales_Storesales_V1_ScenarioCandidate? {
        // Two uploads making one run between them meet here, so the second sees the first's day.
        try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\(place.storeID.uuidString + topic), 0))", logger: logger)
        let runs = try await connection.query(Self.runQuery(of: topic, around: day, store: place.storeID), logger: logger)
        guard let (first, last, days) = try await runs.decode((String, String, Int64).self).first(where: { _ in true }) else { return nil }
        let joined = try await connection.query(
            """
            UPDATE scenario_candidates SET first_day = least(first_day, \(first)::date), last_day = greatest(last_day, \(last)::date)
            WHERE store_id = \(place.storeID) AND topic = \(topic) AND first_day <= \(last)::date AND last_day >= \(first)::date
            RETURNING 1
            """, logger: logger)
        for try await _ in joined { return nil }
        try await connection.query(
            """
            INSERT INTO scenario_candidates (tenant_id, store_id, topic, scenario, first_day, last_day)
            VALUES (\(place.tenant.rawValue), \(place.storeID), \(topic), \(scenario), \(first)::date, \(last)::date)
            ON CONFLICT DO NOTHING
            """, logger: logger)
        return .with {
            $0.storeCode = place.storeCode
            $0.topic = topic
            $0.scenario = scenario
            $0.firstDay = first
            $0.lastDay = last
            $0.days = Int32(days)
        }
    }

    /// The run of consecutive days, three or more, on which the store heard `topic`, if `day` is in one.
    static func runQuery(of topic: String, around day: LocalDate, store: UUID) -> PostgresQuery {
        """
        WITH days AS (
            SELECT DISTINCT day FROM store_complaints
            WHERE store_id = \(store) AND topic = \(topic)
              AND day BETWEEN \(day.description)::date - 60 AND \(day.description)::date + 60),
        islands AS (SELECT day, day - (row_number() OVER (ORDER BY day))::integer AS island FROM days)
        SELECT min(day)::text, max(day)::text, count(*) FROM islands GROUP BY island
        HAVING bool_or(day = \(day.description)::date) AND count(*) >= 3
        """
    }

    private static func decode(_ rows: PostgresRowSequence) async throws -> [(upload: Sales_Storesales_V1_StoreUpload, storeID: UUID)] {
        var uploads: [(Sales_Storesales_V1_StoreUpload, UUID)] = []
        for try await (
            id, kind, day, user, created, sha256, contentType, duration, transcript, promotion, item, sku,
            orderNumber, orderFen, discountFen, expectedFen, currency, matches, reason, storeID
        ) in rows.decode(
            (
                UUID, Int16, String, String, Date, String, String, Int32, String, String, String, String,
                String?, Int64?, Int64?, Int64?, String?, Bool?, String, UUID
            ).self)
        {
            var upload = Sales_Storesales_V1_StoreUpload.with {
                $0.id = id.apiString
                $0.kind = .init(rawValue: Int(kind)) ?? .unspecified
                $0.day = day
                $0.userID = user
                $0.createdAt = Google_Protobuf_Timestamp(date: created)
                $0.sha256 = sha256
                $0.contentType = contentType
                $0.durationSeconds = duration
                $0.transcript = transcript
                $0.promotionCode = promotion
                $0.promotionItem = item
                $0.sku = sku
            }
            if let orderNumber, let orderFen, let discountFen, let currency {
                upload.groupBuy = .with {
                    $0.orderNumber = orderNumber
                    $0.promotionCode = promotion
                    $0.orderAmount = .init(minorUnits: orderFen, currency: currency)
                    $0.discount = .init(minorUnits: discountFen, currency: currency)
                }
                upload.discountCheck = .with {
                    $0.matches = matches ?? false
                    $0.expectedDiscount = .init(minorUnits: expectedFen ?? 0, currency: currency)
                    $0.reason = reason
                }
            }
            uploads.append((upload, storeID))
        }
        return uploads
    }
}
