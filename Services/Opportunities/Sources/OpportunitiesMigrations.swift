import ServiceKit

/// The opportunities schema, forward-only.
public enum OpportunitiesMigrations {
    public static let all: [Migration] = [
        Migration(
            "0100_opportunities",
            """
            CREATE TABLE opportunities (
                id uuid PRIMARY KEY,
                seq bigserial NOT NULL UNIQUE,
                tenant_id text NOT NULL,
                name text NOT NULL,
                customer_name text NOT NULL,
                lead_id uuid,
                owner_id text NOT NULL,
                org_path text NOT NULL,
                stage smallint NOT NULL,
                amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
                currency char(3) NOT NULL,
                expected_close timestamptz NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX opportunities_tenant_seq ON opportunities (tenant_id, seq DESC);
            CREATE UNIQUE INDEX opportunities_one_per_lead ON opportunities (tenant_id, lead_id) WHERE lead_id IS NOT NULL;
            """)
    ]
}
