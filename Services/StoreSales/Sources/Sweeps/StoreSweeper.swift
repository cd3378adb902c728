import Foundation
import Logging
import PostgresNIO
import RulesEngine
import SalesModel
import SalesNotifications
import ServiceKit

/// The stores' two clocks, swept on a schedule and on demand:
/// - the golden 15 minutes: a member's purchase served by a clerk wants the clerk's feedback soon
///   after (within the minutes, and of the kind, the chain's store-feedback rules said when it was
///   recorded); when none came, the clerk is reminded once, through their own channel;
/// - "high intent, not converted": a coupon taken and not used after some days goes to the
///   store manager once, with the chain's re-engagement offer for its category.
struct StoreSweeper: Sendable {
    let database: Database
    let notifier: Notifier
    let calendars: TenantCalendars
    let feedbackMinutes: Int
    let couponNudgeDays: Int

    /// Rows handled a sweep at most, oldest first; the next sweep takes the rest. Small, so each
    /// marked row is found by its key (StorePlanTests): at 500 the planner hashes whole tables.
    static let batch = 100

    func sweep(tenant: TenantID?) async throws -> (feedbackReminders: Int, couponNudges: Int) {
        let logger = database.logger
        return try await database.transaction { connection in
            let reminders = try await remindFeedback(tenant: tenant, on: connection, logger: logger)
            let nudges = try await nudgeCoupons(tenant: tenant, on: connection, logger: logger)
            return (reminders, nudges)
        }
    }

    private func remindFeedback(tenant: TenantID?, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query(Self.feedbackDueQuery(tenant: tenant, minutes: feedbackMinutes), logger: logger)
        var count = 0
        for try await (id, tenantID, soldAt, total, currency, number, minutes, needs, label, clerk, name, phone) in rows.decode(
            (UUID, String, Date, Int64, String, String, Int, String, String, String, String, String).self)
        {
            guard let tenant = TenantID(tenantID) else { continue }
            let time = await localTime(soldAt, tenant: tenant)
            let amount = Money(minorUnits: total, currency: Currency(currency) ?? .cny)
            let due = FeedbackDue(minutes: minutes, needs: needs, label: label)
            let asked = needs == "note" ? "请补一条照片、语音或文字记录" : "请补一条\(due.askedFor)"
            try await notifier.enqueue(
                Notice(
                    kind: "member_feedback_due", audience: .person(clerk), title: label.isEmpty ? "黄金15分钟：请补充会员反馈" : "\(label)：请补充会员反馈",
                    text: "会员 \(Self.who(name, phone)) \(time) 购买 \(amount)（小票 \(number)），"
                        + "\(minutes) 分钟内未见\(due.askedFor)：\(asked)。",
                    subjectID: id.apiString, personal: true),
                tenant: tenant, on: connection, logger: logger)
            count += 1
        }
        return count
    }

    private func nudgeCoupons(tenant: TenantID?, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query(Self.couponNudgeQuery(tenant: tenant, days: couponNudgeDays), logger: logger)
        var count = 0
        for try await (id, tenantID, campaign, category, value, currency, expires, name, phone, manager, storeCode, offer) in rows.decode(
            (UUID, String, String, String, Int64, String, Date, String, String, String?, String?, String).self)
        {
            // A chain-wide coupon of a member who never scanned in a store has no store manager to tell.
            guard let tenant = TenantID(tenantID), let manager, let storeCode else { continue }
            let expiry = await localTime(expires, tenant: tenant)
            let amount = Money(minorUnits: value, currency: Currency(currency) ?? .cny)
            let suggestion = offer.isEmpty ? "邀请会员到店体验，并提醒券的到期时间" : offer
            try await notifier.enqueue(
                Notice(
                    kind: "coupon_not_converted", audience: .person(manager), title: "高意向未转化：会员领券\(couponNudgeDays)天未使用",
                    text: "\(storeCode) 会员 \(Self.who(name, phone)) 领取了「\(campaign)」\(category)券 \(amount)，"
                        + "\(couponNudgeDays) 天未到店使用（\(expiry) 到期）。建议：\(suggestion)",
                    subjectID: id.apiString, personal: false),
                tenant: tenant, on: connection, logger: logger)
            count += 1
        }
        return count
    }

    /// Receipts of served members past their feedback window (`minutes` for those recorded before
    /// the rules) with no note of the kind owed from their clerk, marked reminded.
    static func feedbackDueQuery(tenant: TenantID?, minutes: Int) -> PostgresQuery {
        """
        WITH due AS (
            SELECT r.id FROM receipts r
            WHERE r.feedback_reminded_at IS NULL AND r.member_id IS NOT NULL AND r.clerk_id IS NOT NULL
              AND r.sold_at > now() - interval '1 day' AND coalesce(r.feedback_minutes, \(minutes)::integer) > 0
              AND r.sold_at < now() - make_interval(mins => coalesce(r.feedback_minutes, \(minutes)::integer))
              AND (\(tenant?.rawValue ?? "") = '' OR r.tenant_id = \(tenant?.rawValue ?? ""))
              AND NOT EXISTS (
                  SELECT 1 FROM member_notes n
                  WHERE n.member_id = r.member_id AND n.clerk_id = r.clerk_id AND n.created_at >= r.sold_at - interval '1 hour'
                    AND (r.feedback_needs = 'note' OR n.media @> jsonb_build_array(jsonb_build_object('kind', r.feedback_needs))))
            ORDER BY r.sold_at LIMIT \(batch)
            FOR UPDATE OF r SKIP LOCKED),
        marked AS (
            UPDATE receipts r SET feedback_reminded_at = now() FROM due WHERE r.id = due.id
            RETURNING r.id, r.tenant_id, r.member_id, r.clerk_id, r.sold_at, r.total_fen, r.currency, r.receipt_number,
                      coalesce(r.feedback_minutes, \(minutes)::integer) AS minutes, r.feedback_needs, r.feedback_label)
        SELECT marked.id, marked.tenant_id, marked.sold_at, marked.total_fen, marked.currency, marked.receipt_number, marked.minutes,
               marked.feedback_needs, marked.feedback_label, k.user_id, m.name, m.phone_e164
        FROM marked JOIN clerks k ON k.id = marked.clerk_id JOIN members m ON m.id = marked.member_id
        """
    }

    /// Coupons taken and unused for `days`, marked nudged, with whom to tell and the offer.
    static func couponNudgeQuery(tenant: TenantID?, days: Int) -> PostgresQuery {
        """
        WITH due AS (
            SELECT c.id FROM coupons c
            WHERE c.redeemed_at IS NULL AND c.nudged_at IS NULL
              AND c.issued_at < now() - make_interval(days => \(days)::integer) AND c.expires_at > now()
              AND (\(tenant?.rawValue ?? "") = '' OR c.tenant_id = \(tenant?.rawValue ?? ""))
            ORDER BY c.issued_at LIMIT \(batch)
            FOR UPDATE OF c SKIP LOCKED),
        marked AS (
            UPDATE coupons c SET nudged_at = now() FROM due WHERE c.id = due.id
            RETURNING c.id, c.tenant_id, c.member_id, c.store_id, c.campaign, c.category, c.value_fen, c.currency, c.expires_at)
        SELECT marked.id, marked.tenant_id, marked.campaign, marked.category, marked.value_fen, marked.currency, marked.expires_at,
               m.name, m.phone_e164, s.owner_id, s.code, COALESCE(o.offer, d.offer, '')
        FROM marked
        JOIN members m ON m.id = marked.member_id
        LEFT JOIN stores s ON s.id = COALESCE(marked.store_id, m.first_store_id)
        LEFT JOIN reengagement_offers o ON o.tenant_id = marked.tenant_id AND o.category = marked.category
        LEFT JOIN reengagement_offers d ON d.tenant_id = marked.tenant_id AND d.category = ''
        """
    }

    /// "黎美华 (139****0001)": notices go to chat apps, so the mobile is masked.
    private static func who(_ name: String, _ phone: String) -> String {
        let masked = PhoneNumber(phone)?.masked ?? ""
        return name.isEmpty ? masked : "\(name) (\(masked))"
    }

    private func localTime(_ date: Date, tenant: TenantID) async -> String {
        let zone = await calendars.calendar(for: tenant).timeZone
        var style = Date.FormatStyle(date: .numeric, time: .shortened)
        style.timeZone = zone
        return date.formatted(style.locale(Locale(identifier: "zh_CN")))
    }
}
