import ServiceKit

/// The incentives schema, forward-only.
public enum IncentivesMigrations {
    public static let all: [Migration] = [
        Migration(
            "0100_pipeline_credits",
            """
            CREATE TABLE pipeline_credits (
                opportunity_id uuid PRIMARY KEY,
                seq bigserial NOT NULL UNIQUE,
                tenant_id text NOT NULL,
                owner_id text NOT NULL,
                org_path text NOT NULL,
                amount_minor bigint NOT NULL,
                currency char(3) NOT NULL,
                recorded_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX pipeline_credits_tenant_seq ON pipeline_credits (tenant_id, seq DESC);
            -- Running totals, incremented by each applied event: a repeat would show here.
            CREATE TABLE owner_pipeline_totals (
                tenant_id text NOT NULL,
                owner_id text NOT NULL,
                org_path text NOT NULL,
                currency char(3) NOT NULL,
                opportunities bigint NOT NULL,
                amount_minor bigint NOT NULL,
                PRIMARY KEY (tenant_id, owner_id, currency)
            );
            """)
    ]
}
