import ServiceKit

/// The gateway schema (the org directory), forward-only.
public enum GatewayMigrations {
    public static let all: [Migration] = [
        Migration(
            "0100_directory",
            """
            CREATE TABLE tenants (
                id text PRIMARY KEY,
                time_zone text NOT NULL DEFAULT 'Asia/Shanghai',
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE teams (
                tenant_id text NOT NULL REFERENCES tenants (id),
                id text NOT NULL,
                name text NOT NULL,
                parent_id text,
                org_path text NOT NULL,
                manager_id text,
                created_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant_id, id),
                FOREIGN KEY (tenant_id, parent_id) REFERENCES teams (tenant_id, id)
            );
            CREATE TABLE users (
                tenant_id text NOT NULL REFERENCES tenants (id),
                id text NOT NULL,
                display_name text NOT NULL,
                team_id text NOT NULL,
                roles text[] NOT NULL,
                active boolean NOT NULL DEFAULT true,
                created_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant_id, id),
                FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id)
            );
            """),
        Migration(
            "0101_work_calendars",
            """
            -- A tenant's work calendar as declared through the API (the document SALES_WORK_CALENDAR names).
            CREATE TABLE work_calendars (
                tenant_id text PRIMARY KEY,
                calendar jsonb NOT NULL,
                updated_by text NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            """),
    ]
}
