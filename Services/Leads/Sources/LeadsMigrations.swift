import ServiceKit

/// The leads schema, forward-only.
public enum LeadsMigrations {
    public static let all: [Migration] = [
        Migration(
            "0100_leads",
            """
            CREATE TABLE leads (
                id uuid PRIMARY KEY,
                seq bigserial NOT NULL UNIQUE,
                tenant_id text NOT NULL,
                contact_name text NOT NULL,
                company_name text NOT NULL DEFAULT '',
                phone_e164 text NOT NULL,
                phone_hmac text NOT NULL,
                channel smallint NOT NULL,
                campaign text NOT NULL DEFAULT '',
                city text NOT NULL DEFAULT '',
                inquiry text NOT NULL DEFAULT '',
                owner_id text NOT NULL,
                org_path text NOT NULL,
                status smallint NOT NULL,
                opportunity_id uuid,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX leads_tenant_seq ON leads (tenant_id, seq DESC);
            CREATE INDEX leads_tenant_phone ON leads (tenant_id, phone_hmac);
            CREATE INDEX leads_tenant_owner ON leads (tenant_id, owner_id);
            """),
        Migration(
            "0101_lead_custom_fields",
            """
            -- Values of tenant-defined fields, by key, in protobuf's JSON form.
            ALTER TABLE leads ADD COLUMN custom_fields jsonb NOT NULL DEFAULT '{}';
            """),
        Migration(
            "0102_customers",
            """
            -- One customer per key: a company's credit code, or a person's mobile (by its keyed hash).
            CREATE TABLE customers (
                id uuid PRIMARY KEY,
                tenant_id text NOT NULL,
                key_kind text NOT NULL CHECK (key_kind IN ('credit_code', 'phone')),
                key_value text NOT NULL,
                display_name text NOT NULL,
                owner_id text NOT NULL,
                org_path text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (tenant_id, key_kind, key_value)
            );
            ALTER TABLE leads ADD COLUMN customer_id uuid REFERENCES customers (id);
            ALTER TABLE leads ADD COLUMN credit_code text NOT NULL DEFAULT '';
            ALTER TABLE leads ADD COLUMN repeat boolean NOT NULL DEFAULT false;
            ALTER TABLE leads ALTER COLUMN phone_e164 DROP NOT NULL;
            ALTER TABLE leads ALTER COLUMN phone_hmac DROP NOT NULL;
            CREATE INDEX leads_tenant_customer ON leads (tenant_id, customer_id);
            """),
        Migration(
            "0103_intake_dead_letters",
            """
            -- Channel payloads whose shape no adapter understood: kept for a person, never dropped.
            CREATE TABLE intake_dead_letters (
                id uuid PRIMARY KEY,
                seq bigserial NOT NULL UNIQUE,
                tenant_id text NOT NULL,
                adapter text NOT NULL,
                payload text NOT NULL,
                reason text NOT NULL,
                received_by text NOT NULL,
                received_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX intake_dead_letters_tenant_seq ON intake_dead_letters (tenant_id, seq DESC);
            """),
        Migration(
            "0104_follow_ups",
            """
            CREATE TABLE follow_ups (
                id uuid PRIMARY KEY,
                seq bigserial NOT NULL UNIQUE,
                tenant_id text NOT NULL,
                lead_id uuid NOT NULL REFERENCES leads (id),
                kind smallint NOT NULL,
                occurred_at timestamptz NOT NULL,
                place text NOT NULL DEFAULT '',
                decision_maker text NOT NULL DEFAULT '',
                objection text NOT NULL DEFAULT '',
                next_commitment text NOT NULL DEFAULT '',
                next_contact_at timestamptz,
                summary text NOT NULL,
                author_id text NOT NULL,
                recorded_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX follow_ups_lead ON follow_ups (lead_id, occurred_at DESC);
            ALTER TABLE leads ADD COLUMN first_touch_at timestamptz;
            ALTER TABLE leads ADD COLUMN last_touch_at timestamptz;
            """),
        Migration(
            "0105_public_pool",
            """
            -- A lead with owner_id = '' is in the public pool (公海) of the team at org_path.
            CREATE TABLE pool_policies (
                tenant_id text PRIMARY KEY,
                daily_claim_cap integer NOT NULL,
                held_cap integer NOT NULL,
                cooldown_days integer NOT NULL,
                updated_by text NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE lead_releases (
                lead_id uuid NOT NULL REFERENCES leads (id),
                tenant_id text NOT NULL,
                previous_owner text NOT NULL,
                reason text NOT NULL,
                released_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX lead_releases_lead ON lead_releases (lead_id, released_at DESC);
            CREATE TABLE lead_claims (
                lead_id uuid NOT NULL REFERENCES leads (id),
                tenant_id text NOT NULL,
                claimed_by text NOT NULL,
                pool_path text NOT NULL,
                claimed_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX lead_claims_by ON lead_claims (tenant_id, claimed_by, claimed_at);
            CREATE INDEX lead_claims_lead ON lead_claims (lead_id, claimed_at DESC);
            """),
        Migration(
            "0106_assignment_reason",
            """
            ALTER TABLE leads ADD COLUMN assignment_reason text NOT NULL DEFAULT '';
            ALTER TABLE leads ADD COLUMN routing_rule_id text;
            """),
        Migration(
            "0107_pool_return",
            """
            ALTER TABLE pool_policies ADD COLUMN return_after_business_days integer NOT NULL DEFAULT 10;
            ALTER TABLE pool_policies ADD COLUMN warn_business_days_before integer NOT NULL DEFAULT 2;
            ALTER TABLE leads ADD COLUMN return_warned_at timestamptz;
            CREATE INDEX leads_private_activity ON leads (coalesce(last_touch_at, created_at)) WHERE owner_id <> '';
            """),
        Migration(
            "0108_unmask_audit",
            """
            -- PIPL: every full phone number shown to someone allowed to unmask it.
            CREATE TABLE unmask_audit (
                seq bigserial PRIMARY KEY,
                tenant_id text NOT NULL,
                user_id text NOT NULL,
                lead_id uuid NOT NULL,
                method text NOT NULL,
                at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX unmask_audit_tenant ON unmask_audit (tenant_id, seq DESC);
            """),
        Migration(
            "0109_chat_archive",
            """
            -- WeChat conversations archived on the customer, with the consent they were kept under.
            CREATE TABLE chat_archive (
                seq bigserial PRIMARY KEY,
                tenant_id text NOT NULL,
                customer_id uuid REFERENCES customers (id),
                lead_id uuid NOT NULL REFERENCES leads (id),
                sender text NOT NULL,
                text text NOT NULL,
                sent_at timestamptz NOT NULL,
                attachments jsonb NOT NULL DEFAULT '[]',
                archived_by text NOT NULL,
                archived_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX chat_archive_customer ON chat_archive (customer_id, sent_at);
            """),
        Migration(
            "0110_lead_profile",
            """
            ALTER TABLE leads ADD COLUMN district text NOT NULL DEFAULT '';
            ALTER TABLE leads ADD COLUMN industry text NOT NULL DEFAULT '';
            ALTER TABLE leads ADD COLUMN budget_minor bigint;
            ALTER TABLE leads ADD COLUMN budget_currency text;
            ALTER TABLE leads ADD COLUMN employee_count integer;
            ALTER TABLE leads ADD COLUMN tags text[] NOT NULL DEFAULT '{}';
            ALTER TABLE leads ADD COLUMN latitude double precision;
            ALTER TABLE leads ADD COLUMN longitude double precision;
            -- The intent grade the "lead-grading" rule set gave at intake; '' when none matched.
            ALTER TABLE leads ADD COLUMN grade text NOT NULL DEFAULT '';
            -- Business days before an untouched private lead returns to the pool, by grade: {"A": 3}.
            ALTER TABLE pool_policies ADD COLUMN return_days_by_grade jsonb NOT NULL DEFAULT '{}';
            """),
        Migration(
            "0111_routing_desk",
            """
            -- Reps as lead routing sees them; assigned_total is the weighted round robin's counter.
            CREATE TABLE routing_reps (
                tenant_id text NOT NULL,
                user_id text NOT NULL,
                team_path text NOT NULL,
                active boolean NOT NULL,
                weight integer NOT NULL CHECK (weight BETWEEN 1 AND 100),
                capacity integer NOT NULL CHECK (capacity >= 0),
                score double precision NOT NULL,
                assigned_total bigint NOT NULL DEFAULT 0,
                updated_by text NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant_id, user_id)
            );
            CREATE INDEX routing_reps_team ON routing_reps (tenant_id, team_path);
            CREATE TABLE routing_leaves (
                tenant_id text NOT NULL,
                user_id text NOT NULL,
                first_day date NOT NULL,
                last_day date NOT NULL CHECK (last_day >= first_day),
                PRIMARY KEY (tenant_id, user_id, first_day)
            );
            CREATE TABLE duty_shifts (
                tenant_id text NOT NULL,
                team_path text NOT NULL,
                day date NOT NULL,
                start_hour smallint NOT NULL CHECK (start_hour BETWEEN 0 AND 23),
                end_hour smallint NOT NULL CHECK (end_hour > start_hour AND end_hour <= 24),
                user_id text NOT NULL,
                PRIMARY KEY (tenant_id, team_path, day, start_hour, user_id)
            );
            """),
        Migration(
            "0113_checkpoint_alerts",
            """
            -- A missed checkpoint is announced once per lead and rule.
            CREATE TABLE checkpoint_alerts (
                tenant_id text NOT NULL,
                lead_id uuid NOT NULL REFERENCES leads (id),
                rule_id text NOT NULL,
                raised_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (lead_id, rule_id)
            );
            """),
        Migration(
            "0114_customer_merges",
            """
            -- A merged customer stays as a record; its key now leads to the surviving customer.
            ALTER TABLE customers ADD COLUMN merged_into uuid REFERENCES customers (id);
            CREATE TABLE customer_merges (
                tenant_id text NOT NULL,
                surviving_id uuid NOT NULL REFERENCES customers (id),
                merged_id uuid NOT NULL REFERENCES customers (id),
                reason text NOT NULL,
                moved_leads integer NOT NULL,
                merged_by text NOT NULL,
                merged_at timestamptz NOT NULL DEFAULT now()
            );
            """),
        Migration(
            "0115_rule_health_reports",
            """
            -- The monthly rule health inspection, archived as protobuf JSON.
            CREATE TABLE rule_health_reports (
                tenant_id text NOT NULL,
                month text NOT NULL,
                report text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant_id, month)
            );
            """),
        Migration(
            "0116_assigned_at",
            """
            -- When the lead reached its present owner: the return-to-pool clock starts there, so a
            -- lead claimed from the pool is not judged by its previous owner's follow-ups. New rows
            -- take now(); every change of owner sets it. Existing leads: their owner's latest
            -- claim, else their creation.
            ALTER TABLE leads ADD COLUMN assigned_at timestamptz NOT NULL DEFAULT now();
            UPDATE leads l SET assigned_at = coalesce(
                (SELECT max(c.claimed_at) FROM lead_claims c WHERE c.lead_id = l.id AND c.claimed_by = l.owner_id), l.created_at);
            DROP INDEX leads_private_activity;
            CREATE INDEX leads_private_clock ON leads (greatest(assigned_at, last_touch_at)) WHERE owner_id <> '';
            """),
    ]
}
