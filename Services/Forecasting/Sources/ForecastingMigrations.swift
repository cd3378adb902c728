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
            """),
        Migration(
            "0101_forecast_history",
            """
            CREATE TABLE forecast_signals (
                tenant_id text NOT NULL,
                key text NOT NULL,
                label text NOT NULL,
                kind smallint NOT NULL,
                source text NOT NULL,
                defined_by text NOT NULL,
                PRIMARY KEY (tenant_id, key)
            );
            -- One row per deal: its dimensions as columns for the filters, its whole timestamped
            -- history as one serialised HistoryDeal (read whole by training and scoring, which
            -- cut it at their as-of moment).
            CREATE TABLE forecast_deals (
                tenant_id text NOT NULL,
                deal_id text NOT NULL,
                seq bigserial NOT NULL UNIQUE,
                origin text NOT NULL,
                owner_id text NOT NULL,
                org_path text NOT NULL,
                created_at timestamptz NOT NULL,
                outcome smallint NOT NULL,
                closed_at timestamptz,
                history bytea NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant_id, deal_id)
            );
            CREATE INDEX forecast_deals_tenant_created ON forecast_deals (tenant_id, created_at);
            CREATE TABLE forecast_models (
                tenant_id text NOT NULL,
                model_id uuid PRIMARY KEY,
                trained_at timestamptz NOT NULL,
                as_of timestamptz NOT NULL,
                body jsonb NOT NULL
            );
            CREATE INDEX forecast_models_latest ON forecast_models (tenant_id, trained_at DESC);
            CREATE TABLE forecast_disputes (
                tenant_id text NOT NULL,
                deal_id text NOT NULL,
                reason text NOT NULL,
                new_expected_close timestamptz NOT NULL,
                disputed_by text NOT NULL,
                disputed_at timestamptz NOT NULL DEFAULT now(),
                disputed_win_this_month double precision NOT NULL,
                PRIMARY KEY (tenant_id, deal_id, disputed_at)
            );
            """),
    ]
}
