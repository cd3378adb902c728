import ServiceKit

/// The store_sales schema, forward-only.
public enum StoreSalesMigrations {
    public static let all: [Migration] = [
        Migration(
            "0100_stores",
            """
            CREATE TABLE stores (
                id uuid PRIMARY KEY,
                seq bigserial NOT NULL UNIQUE,
                tenant_id text NOT NULL,
                code text NOT NULL,
                name text NOT NULL,
                city text NOT NULL DEFAULT '',
                latitude double precision,
                longitude double precision,
                -- The store manager; named owner_id so the shared visibility predicate applies.
                owner_id text NOT NULL,
                org_path text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (tenant_id, code)
            );
            """),
        Migration(
            "0101_clerks_members",
            """
            ALTER TABLE stores ADD COLUMN district text NOT NULL DEFAULT '', ADD COLUMN region text NOT NULL DEFAULT '';
            -- A directory user at work in one store.
            CREATE TABLE clerks (
                id uuid PRIMARY KEY,
                seq bigserial NOT NULL UNIQUE,
                tenant_id text NOT NULL,
                store_id uuid NOT NULL REFERENCES stores,
                user_id text NOT NULL,
                name text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (tenant_id, user_id)
            );
            CREATE INDEX clerks_store ON clerks (store_id);
            -- The chain's members, one per mobile (PIPL: looked up by its HMAC, masked when shown).
            CREATE TABLE members (
                id uuid PRIMARY KEY,
                tenant_id text NOT NULL,
                phone_e164 text NOT NULL,
                phone_hmac text NOT NULL,
                name text NOT NULL DEFAULT '',
                birth_year integer,
                consent_at timestamptz,
                consent_source text NOT NULL DEFAULT '',
                first_clerk_id uuid REFERENCES clerks,
                first_store_id uuid REFERENCES stores,
                first_visit_at timestamptz,
                created_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (tenant_id, phone_hmac)
            );
            -- Every scan of a clerk's code: the attribution trail.
            CREATE TABLE member_visits (
                id bigserial PRIMARY KEY,
                member_id uuid NOT NULL REFERENCES members,
                clerk_id uuid NOT NULL REFERENCES clerks,
                store_id uuid NOT NULL REFERENCES stores,
                scanned_at timestamptz NOT NULL
            );
            CREATE INDEX member_visits_member ON member_visits (member_id, scanned_at DESC);
            CREATE INDEX member_visits_store ON member_visits (store_id, member_id, scanned_at DESC);
            CREATE TABLE member_notes (
                id uuid PRIMARY KEY,
                member_id uuid NOT NULL REFERENCES members,
                clerk_id uuid NOT NULL REFERENCES clerks,
                rating integer NOT NULL CHECK (rating BETWEEN 1 AND 5),
                needs text NOT NULL DEFAULT '',
                media jsonb NOT NULL DEFAULT '[]',
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX member_notes_member ON member_notes (member_id, created_at DESC);
            """),
        Migration(
            "0102_receipts",
            """
            CREATE TABLE products (
                tenant_id text NOT NULL,
                sku text NOT NULL,
                name text NOT NULL,
                category text NOT NULL DEFAULT '',
                price_fen bigint,
                currency text NOT NULL DEFAULT 'CNY',
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant_id, sku)
            );
            CREATE TABLE receipts (
                id uuid PRIMARY KEY,
                tenant_id text NOT NULL,
                store_id uuid NOT NULL REFERENCES stores,
                receipt_number text NOT NULL,
                sold_at timestamptz NOT NULL,
                clerk_id uuid REFERENCES clerks,
                clerk_source text NOT NULL CHECK (clerk_source IN ('till', 'scan', 'none')),
                member_id uuid REFERENCES members,
                payment_method text NOT NULL,
                total_fen bigint NOT NULL,
                discount_fen bigint NOT NULL,
                currency text NOT NULL,
                item_count integer NOT NULL,
                -- SHA-256 of what the till sent: the same receipt again is recognised, a changed one refused.
                fingerprint text NOT NULL,
                recorded_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (store_id, receipt_number)
            );
            CREATE INDEX receipts_member ON receipts (member_id, sold_at DESC) WHERE member_id IS NOT NULL;
            CREATE TABLE receipt_items (
                receipt_id uuid NOT NULL REFERENCES receipts,
                line_no integer NOT NULL,
                sku text NOT NULL,
                quantity bigint NOT NULL,
                unit_price_fen bigint NOT NULL,
                discount_fen bigint NOT NULL,
                amount_fen bigint NOT NULL,
                PRIMARY KEY (receipt_id, line_no)
            );
            """),
        Migration(
            "0103_coupons_nudges",
            """
            CREATE INDEX receipts_store_time ON receipts (store_id, sold_at);
            -- The golden 15 minutes: when the clerk was reminded of a sale's feedback.
            ALTER TABLE receipts ADD COLUMN feedback_reminded_at timestamptz;
            CREATE INDEX receipts_feedback_due ON receipts (sold_at)
                WHERE feedback_reminded_at IS NULL AND member_id IS NOT NULL AND clerk_id IS NOT NULL;
            CREATE TABLE coupons (
                id uuid PRIMARY KEY,
                tenant_id text NOT NULL,
                member_id uuid NOT NULL REFERENCES members,
                campaign text NOT NULL,
                category text NOT NULL,
                value_fen bigint NOT NULL CHECK (value_fen > 0),
                currency text NOT NULL,
                store_id uuid REFERENCES stores,
                issued_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz NOT NULL,
                redeemed_at timestamptz,
                redeemed_store_id uuid REFERENCES stores,
                receipt_number text NOT NULL DEFAULT '',
                -- When the store manager was told the coupon sat unused ("high intent, not converted").
                nudged_at timestamptz,
                UNIQUE (tenant_id, campaign, member_id)
            );
            CREATE INDEX coupons_member ON coupons (member_id);
            CREATE INDEX coupons_store_issued ON coupons (store_id, issued_at);
            CREATE INDEX coupons_nudge_due ON coupons (issued_at) WHERE redeemed_at IS NULL AND nudged_at IS NULL;
            -- The re-engagement pack: an offer per coupon category, '' for the chain's default.
            CREATE TABLE reengagement_offers (
                tenant_id text NOT NULL,
                category text NOT NULL,
                offer text NOT NULL,
                PRIMARY KEY (tenant_id, category)
            );
            """),
        Migration(
            "0104_store_leads",
            """
            -- A receipt's customer handed to the leads service, once a receipt.
            CREATE TABLE store_leads (
                receipt_id uuid PRIMARY KEY REFERENCES receipts,
                lead_id text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            """),
        Migration(
            "0105_suggestions",
            """
            -- Who else bought a SKU: the suggestions' "bought together".
            CREATE INDEX receipt_items_sku ON receipt_items (sku, receipt_id);
            CREATE INDEX members_birth_year ON members (tenant_id, birth_year) WHERE birth_year IS NOT NULL;
            """),
        Migration(
            "0106_receipt_item_buyers",
            """
            -- A member's lines carry the member, tenant and time of their receipt, so "who bought this
            -- lately" and "what did they buy" read one index each, not the receipts (StorePlanTests).
            ALTER TABLE receipt_items ADD COLUMN tenant_id text, ADD COLUMN member_id uuid, ADD COLUMN sold_at timestamptz;
            UPDATE receipt_items i SET tenant_id = r.tenant_id, member_id = r.member_id, sold_at = r.sold_at
            FROM receipts r WHERE r.id = i.receipt_id AND r.member_id IS NOT NULL;
            CREATE INDEX receipt_items_buyers ON receipt_items (tenant_id, sku, sold_at DESC) INCLUDE (member_id) WHERE member_id IS NOT NULL;
            CREATE INDEX receipt_items_member ON receipt_items (member_id, sold_at) INCLUDE (sku) WHERE member_id IS NOT NULL;
            """),
        Migration(
            "0107_store_operations",
            """
            -- A store's daily uploads: shelf photos, consultations (metadata and transcript) and
            -- group-buy screenshots with the order's discount checked against its promotion.
            CREATE TABLE store_uploads (
                id uuid PRIMARY KEY,
                tenant_id text NOT NULL,
                store_id uuid NOT NULL REFERENCES stores,
                kind smallint NOT NULL,
                day date NOT NULL,
                user_id text NOT NULL,
                sha256 text NOT NULL DEFAULT '',
                content_type text NOT NULL DEFAULT '',
                duration_seconds integer NOT NULL DEFAULT 0,
                transcript text NOT NULL DEFAULT '',
                promotion_code text NOT NULL DEFAULT '',
                promotion_item text NOT NULL DEFAULT '',
                sku text NOT NULL DEFAULT '',
                order_number text,
                order_fen bigint,
                discount_fen bigint,
                expected_discount_fen bigint,
                currency text,
                discount_matches boolean,
                discount_reason text NOT NULL DEFAULT '',
                created_at timestamptz NOT NULL DEFAULT now()
            );
            -- The same image sent again for a store, day and kind is one upload; an order, one a chain.
            CREATE UNIQUE INDEX store_uploads_content ON store_uploads (store_id, day, kind, sha256) WHERE sha256 <> '';
            CREATE UNIQUE INDEX store_uploads_order ON store_uploads (tenant_id, order_number) WHERE order_number IS NOT NULL;
            CREATE INDEX store_uploads_store_day ON store_uploads (store_id, day);
            CREATE INDEX store_uploads_sku ON store_uploads (store_id, sku, day) WHERE sku <> '';
            CREATE INDEX store_uploads_promotion ON store_uploads (tenant_id, promotion_code, day) WHERE promotion_code <> '';
            -- The complaint topics each consultation raised: three days running marks a candidate.
            CREATE TABLE store_complaints (
                upload_id uuid NOT NULL REFERENCES store_uploads,
                store_id uuid NOT NULL REFERENCES stores,
                day date NOT NULL,
                topic text NOT NULL,
                PRIMARY KEY (upload_id, topic)
            );
            CREATE INDEX store_complaints_run ON store_complaints (store_id, topic, day);
            -- A run of three or more days of one complaint at a store, announced once.
            CREATE TABLE scenario_candidates (
                tenant_id text NOT NULL,
                store_id uuid NOT NULL REFERENCES stores,
                topic text NOT NULL,
                scenario text NOT NULL,
                first_day date NOT NULL,
                last_day date NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (store_id, topic, first_day)
            );
            CREATE INDEX scenario_candidates_recent ON scenario_candidates (tenant_id, last_day);
            CREATE TABLE complaint_topics (
                tenant_id text PRIMARY KEY,
                topics jsonb NOT NULL,
                updated_by text NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE promotions (
                tenant_id text NOT NULL,
                code text NOT NULL,
                name text NOT NULL,
                first_day date NOT NULL,
                last_day date NOT NULL,
                discount_kind smallint NOT NULL,
                threshold_fen bigint NOT NULL DEFAULT 0,
                amount_off_fen bigint NOT NULL DEFAULT 0,
                percent_off_bp integer NOT NULL DEFAULT 0,
                fixed_price_fen bigint NOT NULL DEFAULT 0,
                currency text NOT NULL,
                -- Empty: every store.
                store_codes text[] NOT NULL,
                items text[] NOT NULL,
                updated_by text NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant_id, code)
            );
            CREATE TABLE product_launches (
                tenant_id text NOT NULL,
                sku text NOT NULL,
                first_day date NOT NULL,
                due_day date NOT NULL,
                store_codes text[] NOT NULL,
                updated_by text NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant_id, sku)
            );
            """),
        Migration(
            "0108_feedback_rules",
            """
            -- What the clerk owes for a served purchase, as the chain's store-feedback rules said when it was
            -- recorded: minutes (NULL: the service's window; 0: nothing owed) and the kind of feedback.
            ALTER TABLE receipts ADD COLUMN feedback_minutes integer, ADD COLUMN feedback_needs text NOT NULL DEFAULT 'note',
                                 ADD COLUMN feedback_label text NOT NULL DEFAULT '';
            """),
    ]
}
