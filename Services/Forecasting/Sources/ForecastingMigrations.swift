import ServiceKit

/// The forecasting schema, forward-only.
public enum ForecastingMigrations {
    public static let all: [Migration] = [
        Migration(
            "0100_tracked_opportunities",
            """
            CREATE TABLE tracked_opportunities (
                opportunity_id uuid PRIMARY KEY,
                seq bigserial NOT NULL UNIQUE,
                tenant_id text NOT NULL,
                owner_id text NOT NULL,
                org_path text NOT NULL,
                period text NOT NULL,
                stage smallint NOT NULL,
                amount_minor bigint NOT NULL,
                weighted_minor bigint NOT NULL,
                currency char(3) NOT NULL,
                recorded_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX tracked_opportunities_tenant_period ON tracked_opportunities (tenant_id, period);
            """)
    ]
}
