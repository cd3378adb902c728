/// Tables the kit itself keeps in every service's schema. Listed before the service's own.
public enum KitMigrations {
    public static let all: [Migration] = [
        Migration(
            "0001_outbox",
            """
            CREATE TABLE outbox (
                sequence bigserial PRIMARY KEY,
                event_id uuid NOT NULL UNIQUE,
                tenant_id text NOT NULL,
                aggregate_type text NOT NULL,
                aggregate_id text NOT NULL,
                event_type text NOT NULL,
                payload jsonb NOT NULL,
                occurred_at timestamptz NOT NULL DEFAULT now()
            );
            """),
        Migration(
            "0002_idempotency",
            """
            CREATE TABLE idempotency_keys (
                tenant_id text NOT NULL,
                key text NOT NULL,
                method text NOT NULL,
                request_hash text NOT NULL,
                response bytea,
                created_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant_id, key)
            );
            """),
        Migration(
            "0003_consumers",
            """
            CREATE TABLE consumer_cursors (
                consumer text PRIMARY KEY,
                last_sequence bigint NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE consumer_applied_events (
                consumer text NOT NULL,
                event_id uuid NOT NULL,
                sequence bigint NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (consumer, event_id)
            );
            """),
        Migration(
            "0004_custom_fields",
            """
            CREATE TABLE custom_field_definitions (
                tenant_id text NOT NULL,
                record_type text NOT NULL,
                key text NOT NULL,
                definition jsonb NOT NULL,
                version integer NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant_id, record_type, key)
            );
            """),
        Migration(
            "0005_rule_sets",
            """
            CREATE TABLE rule_set_versions (
                tenant_id text NOT NULL,
                name text NOT NULL,
                version integer NOT NULL,
                rules jsonb NOT NULL,
                author text NOT NULL,
                comment text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant_id, name, version)
            );
            CREATE TABLE rule_sets (
                tenant_id text NOT NULL,
                name text NOT NULL,
                active_version integer,
                activated_by text,
                activated_at timestamptz,
                PRIMARY KEY (tenant_id, name),
                FOREIGN KEY (tenant_id, name, active_version) REFERENCES rule_set_versions (tenant_id, name, version)
            );
            """),
        Migration(
            "0006_mapping_tables",
            """
            -- Lookup tables for the in_mapping rule operator; version orders every change in the schema.
            CREATE SEQUENCE mapping_table_versions;
            CREATE TABLE mapping_tables (
                tenant_id text NOT NULL,
                name text NOT NULL,
                entries jsonb NOT NULL,
                version bigint NOT NULL,
                updated_by text NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant_id, name)
            );
            """),
        Migration(
            "0007_idempotency_by_caller",
            """
            -- A client's key is its own (scope = its user id), so nobody else can replay its answer;
            -- a key the tenant shares (a channel's message id) has scope ''. caller_id is who got the
            -- stored answer. Keys kept from before have scope '' and are no longer matched by clients.
            ALTER TABLE idempotency_keys
                ADD COLUMN scope text NOT NULL DEFAULT '',
                ADD COLUMN caller_id text NOT NULL DEFAULT '',
                DROP CONSTRAINT idempotency_keys_pkey,
                ADD PRIMARY KEY (tenant_id, scope, key);
            """),
    ]
}
