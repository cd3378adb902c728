import Foundation
import Logging
import PostgresNIO
import SalesModel
import SalesProto
import ServiceKit
import SwiftProtobuf

/// Channels per tenant and the delivery log, which is also the retry queue. A channel's settings
/// hold its secrets and tokens, so they are stored sealed.
struct NotificationStore: Sendable {
    let database: Database
    let sealing: SealedText

    /// Whose row a sealed value is: a tenant's channel by name.
    private static func sealingContext(tenant: TenantID, name: String) -> String { "notification_channels/\(tenant.rawValue)/\(name)" }

    func put(_ channel: Sales_Notifications_V1_NotificationChannel, tenant: TenantID, by caller: Caller) async throws {
        try await database.query(
            """
            INSERT INTO notification_channels (tenant_id, name, kind, team_path, config, enabled, updated_by)
            VALUES (\(tenant.rawValue), \(channel.name), \(channel.kind.column), \(channel.teamPath),
                    \(try sealing.seal(channel.jsonString(), context: Self.sealingContext(tenant: tenant, name: channel.name))), \(channel.enabled), \(caller.userID))
            ON CONFLICT (tenant_id, name) DO UPDATE SET kind = EXCLUDED.kind, team_path = EXCLUDED.team_path,
                config = EXCLUDED.config, enabled = EXCLUDED.enabled, updated_by = EXCLUDED.updated_by, updated_at = now()
            """)
    }

    /// The tenant's channels, secrets included (for sending); `name` picks one. A channel whose
    /// sealed settings cannot be opened is left out with an error in the log, not allowed to fail
    /// the lead or notice that asked for channels.
    func channels(tenant: TenantID, name: String? = nil, on connection: PostgresConnection? = nil) async throws
        -> [Sales_Notifications_V1_NotificationChannel]
    {
        let rows = try await database.query(
            """
            SELECT name, config FROM notification_channels
            WHERE tenant_id = \(tenant.rawValue) AND (\(name)::text IS NULL OR name = \(name)) ORDER BY name
            """, on: connection)
        var channels: [Sales_Notifications_V1_NotificationChannel] = []
        for try await (name, config) in rows.decode((String, String).self) {
            guard let settings = sealing.open(config, context: Self.sealingContext(tenant: tenant, name: name)) else {
                database.logger.error(
                    "a notification channel's settings cannot be opened: the service secret changed since it was saved, or the row is damaged; save the channel again",
                    metadata: ["tenant": "\(tenant)", "channel": "\(name)"])
                continue
            }
            channels.append(try Sales_Notifications_V1_NotificationChannel(jsonString: settings))
        }
        return channels
    }

    struct NewDelivery: Sendable {
        let notice: Notice
        let channel: String
        let recipient: String
        let status: Sales_Notifications_V1_NotificationDelivery.Status
        let note: String
    }

    func enqueue(_ deliveries: [NewDelivery], tenant: TenantID, on connection: PostgresConnection, logger: Logger) async throws {
        for delivery in deliveries {
            try await connection.query(
                """
                INSERT INTO notification_deliveries (id, tenant_id, notice, audience, channel, recipient, title, body, subject_id,
                                                     status, last_error)
                VALUES (\(UUID.random()), \(tenant.rawValue), \(delivery.notice.kind), \(delivery.notice.audience.label), \(delivery.channel),
                        \(delivery.recipient), \(delivery.notice.title), \(delivery.notice.text), \(delivery.notice.subjectID),
                        \(delivery.status.column), \(delivery.note))
                """, logger: logger)
        }
    }

    /// A delivery taken for one attempt.
    struct Due: Sendable {
        let id: UUID
        let tenant: TenantID
        let message: OutgoingMessage
        let channel: String
        let attempts: Int
    }

    /// Takes up to `limit` due deliveries for one attempt each. The lease keeps other workers off
    /// them meanwhile; if this process dies mid-send, they become due again when it runs out.
    /// Leases up to `limit` due deliveries, at most `perTenant` of one tenant counting those
    /// already leased, oldest first.
    func takeDue(limit: Int, perTenant: Int, lease: Duration) async throws -> [Due] {
        let pending = Sales_Notifications_V1_NotificationDelivery.Status.pending.column
        let rows = try await database.query(
            """
            UPDATE notification_deliveries d
            SET lease_until = now() + make_interval(secs => \(Double(lease.components.seconds))), attempts = d.attempts + 1
            WHERE d.id IN (
                SELECT id FROM notification_deliveries WHERE id IN (
                    SELECT id FROM (
                        SELECT id, tenant_id, next_attempt_at,
                               row_number() OVER (PARTITION BY tenant_id ORDER BY next_attempt_at) AS place
                        FROM notification_deliveries
                        WHERE status = \(pending) AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
                    ) due
                    WHERE place <= \(perTenant) - (SELECT count(*) FROM notification_deliveries busy
                                                   WHERE busy.tenant_id = due.tenant_id AND busy.status = \(pending) AND busy.lease_until >= now())
                    ORDER BY next_attempt_at LIMIT \(limit))
                FOR UPDATE SKIP LOCKED)
            RETURNING d.id, d.tenant_id, d.notice, d.channel, d.recipient, d.title, d.body, d.subject_id, d.attempts
            """)
        var due: [Due] = []
        for try await (id, tenant, notice, channel, recipient, title, body, subject, attempts)
            in rows.decode((UUID, String, String, String, String, String, String, String, Int32).self)
        {
            guard let tenantID = TenantID(tenant) else { continue }
            due.append(
                Due(
                    id: id, tenant: tenantID,
                    message: OutgoingMessage(title: title, text: body, recipient: recipient, notice: notice, subjectID: subject, tenant: tenant),
                    channel: channel, attempts: Int(attempts)))
        }
        return due
    }

    /// Records an attempt: delivered, due again after `retryAfter`, or given up.
    func record(_ id: UUID, result: DeliveryResult, retryAfter: Duration?) async throws {
        let (status, error): (Sales_Notifications_V1_NotificationDelivery.Status, String) =
            switch result {
            case .delivered: (.delivered, "")
            case .retry(let reason): (retryAfter == nil ? .failed : .pending, reason)
            case .failed(let reason): (.failed, reason)
            }
        let delay = Double(retryAfter?.components.seconds ?? 0)
        try await database.query(
            """
            UPDATE notification_deliveries SET status = \(status.column), last_error = \(String(error.prefix(500))),
                lease_until = NULL, next_attempt_at = now() + make_interval(secs => \(delay)),
                delivered_at = CASE WHEN \(status == .delivered) THEN now() END
            WHERE id = \(id)
            """)
    }

    func list(tenant: TenantID, subject: String?, page: Page) async throws -> [(seq: Int64, delivery: Sales_Notifications_V1_NotificationDelivery)] {
        let rows = try await database.query(
            """
            SELECT seq, id, notice, audience, channel, title, body, subject_id, status, attempts, last_error,
                   created_at, delivered_at, next_attempt_at
            FROM notification_deliveries
            WHERE tenant_id = \(tenant.rawValue) AND seq < \(page.before) AND (\(subject)::text IS NULL OR subject_id = \(subject))
            ORDER BY seq DESC LIMIT \(page.fetchLimit)
            """)
        var result: [(Int64, Sales_Notifications_V1_NotificationDelivery)] = []
        for try await row in rows {
            let (seq, id, notice, audience, channel, title, body, subject, status, attempts, error, created, delivered, next) = try row.decode(
                (Int64, UUID, String, String, String, String, String, String, Int16, Int32, String, Date, Date?, Date).self)
            result.append(
                (
                    seq,
                    .with {
                        $0.id = id.apiString
                        $0.notice = notice
                        $0.audience = audience
                        $0.channel = channel
                        $0.title = title
                        $0.text = body
                        $0.subjectID = subject
                        $0.status = .init(column: status)
                        $0.attempts = attempts
                        $0.lastError = error
                        $0.createdAt = Google_Protobuf_Timestamp(date: created)
                        if let delivered { $0.deliveredAt = Google_Protobuf_Timestamp(date: delivered) }
                        $0.nextAttemptAt = Google_Protobuf_Timestamp(date: next)
                    }
                ))
        }
        return result
    }
}
