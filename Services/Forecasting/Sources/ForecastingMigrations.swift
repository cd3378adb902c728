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
        Migration(
            "0102_signal_watch",
            """
            -- External signals reach a customer's open deals by the customer's id.
            ALTER TABLE forecast_deals ADD COLUMN customer_id text NOT NULL DEFAULT '';
            CREATE INDEX forecast_deals_open_customer ON forecast_deals (tenant_id, customer_id) WHERE outcome = 0;
            CREATE TABLE signal_sources (
                tenant_id text NOT NULL,
                name text NOT NULL,
                kind smallint NOT NULL,
                location text NOT NULL,
                token text NOT NULL DEFAULT '',
                paused boolean NOT NULL DEFAULT false,
                cursor text NOT NULL DEFAULT '',
                last_polled_at timestamptz,
                last_error text NOT NULL DEFAULT '',
                signals_applied bigint NOT NULL DEFAULT 0,
                PRIMARY KEY (tenant_id, name)
            );
            -- Every signal read, once per source and id, with the deals it reached.
            CREATE TABLE external_signals (
                tenant_id text NOT NULL,
                source text NOT NULL,
                signal_id text NOT NULL,
                signal text NOT NULL,
                occurred_at timestamptz NOT NULL,
                customer_id text NOT NULL,
                deal_id text NOT NULL,
                headline text NOT NULL,
                competitor text NOT NULL,
                deals_reached integer NOT NULL,
                received_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant_id, source, signal_id)
            );
            CREATE TABLE competitor_alerts (
                tenant_id text NOT NULL,
                source text NOT NULL,
                signal_id text NOT NULL,
                deal_id text NOT NULL,
                customer_id text NOT NULL,
                owner_id text NOT NULL,
                org_path text NOT NULL,
                signal text NOT NULL,
                headline text NOT NULL,
                competitor text NOT NULL,
                occurred_at timestamptz NOT NULL,
                responses jsonb NOT NULL,
                raised_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant_id, source, signal_id, deal_id)
            );
            CREATE INDEX competitor_alerts_recent ON competitor_alerts (tenant_id, raised_at DESC);
            """),
        Migration(
            "0103_contract_cash",
            """
            -- Signed contracts' instalments (due day, amount in fen) and the money moved on them,
            -- from the opportunities feed, for the cash forecast: each payment's allocations as
            -- last heard (a refund's move is what it took back), and each move with when it was
            -- known (as-of forecasts read nothing later) and the day the money moved (a refund's
            -- is none: the day it was known, in the tenant's zone).
            CREATE TABLE cash_contracts (
                tenant_id text NOT NULL,
                contract_id text NOT NULL,
                deal_id text NOT NULL,
                customer_id text NOT NULL,
                signed_at timestamptz NOT NULL,
                due_days date[] NOT NULL,
                amounts bigint[] NOT NULL,
                PRIMARY KEY (tenant_id, contract_id)
            );
            CREATE TABLE cash_payments (
                tenant_id text NOT NULL,
                payment_id text NOT NULL,
                contract_id text NOT NULL,
                numbers bigint[] NOT NULL,
                parts bigint[] NOT NULL,
                PRIMARY KEY (tenant_id, payment_id)
            );
            CREATE TABLE cash_moves (
                tenant_id text NOT NULL,
                contract_id text NOT NULL,
                known_at timestamptz NOT NULL,
                day date,
                amount bigint NOT NULL,
                numbers bigint[] NOT NULL,
                parts bigint[] NOT NULL
            );
            CREATE INDEX cash_moves_contract ON cash_moves (tenant_id, contract_id);
            """),
        Migration(
            "0104_signals_by_customer",
            """
            -- A deal that appears after signals about its customer picks up those of the 90 days before it.
            CREATE INDEX external_signals_customer ON external_signals (tenant_id, customer_id, occurred_at) WHERE customer_id <> '';
            """),
        Migration(
            "0105_month_records",
            """
            -- The tenant's month forecasts as made (live, near the month's start) or replayed by a
            -- backtest, with the coins' variance: the record the ranges' dispersion is learnt from.
            -- What was won is read from the deals when asked, so a late import still counts.
            CREATE TABLE month_records (
                tenant_id text NOT NULL,
                month text NOT NULL,
                from_at timestamptz NOT NULL,
                end_at timestamptz NOT NULL,
                forecast float8 NOT NULL,
                coin_variance float8 NOT NULL,
                new_deal_variance float8 NOT NULL,
                source text NOT NULL CHECK (source IN ('live', 'backtest')),
                recorded_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant_id, month)
            );
            """),
    ]
}
