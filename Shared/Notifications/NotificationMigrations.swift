import ServiceKit

/// The channels and delivery log tables, in the schema of every service that sends notices
/// (listed after the kit's migrations and before the service's own).
enum NotificationMigrations {
    static let all: [Migration] = [
        // Was the leads service's "0112_notifications" before the channels became shared.
        Migration(
            "0050_notifications",
            """
            -- Where reminders and escalations go: the channel as its protobuf JSON (secrets included).
            CREATE TABLE notification_channels (
                tenant_id text NOT NULL,
                name text NOT NULL,
                kind smallint NOT NULL,
                team_path text NOT NULL,
                config text NOT NULL,
                enabled boolean NOT NULL,
                updated_by text NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant_id, name)
            );
            -- The delivery log, and the queue the worker retries from (status 1 = pending).
            CREATE TABLE notification_deliveries (
                id uuid PRIMARY KEY,
                seq bigserial NOT NULL UNIQUE,
                tenant_id text NOT NULL,
                notice text NOT NULL,
                audience text NOT NULL,
                channel text NOT NULL,
                recipient text NOT NULL,
                title text NOT NULL,
                body text NOT NULL,
                subject_id text NOT NULL,
                status smallint NOT NULL,
                attempts integer NOT NULL DEFAULT 0,
                last_error text NOT NULL DEFAULT '',
                next_attempt_at timestamptz NOT NULL DEFAULT now(),
                lease_until timestamptz,
                created_at timestamptz NOT NULL DEFAULT now(),
                delivered_at timestamptz
            );
            CREATE INDEX notification_deliveries_due ON notification_deliveries (next_attempt_at) WHERE status = 1;
            CREATE INDEX notification_deliveries_tenant ON notification_deliveries (tenant_id, seq DESC);
            """, formerly: "0112_notifications")
    ]
}
