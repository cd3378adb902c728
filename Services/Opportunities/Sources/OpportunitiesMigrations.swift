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
            """),
        Migration(
            "0101_pipelines_stages_activities",
            """
            -- Each save of a pipeline is a new version; a deal names the version it follows.
            CREATE TABLE pipelines (
                tenant_id text NOT NULL,
                name text NOT NULL,
                version integer NOT NULL,
                definition text NOT NULL,
                is_default boolean NOT NULL,
                saved_by text NOT NULL,
                saved_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant_id, name, version)
            );
            ALTER TABLE opportunities
                ADD COLUMN pipeline text NOT NULL DEFAULT 'new-business',
                ADD COLUMN pipeline_version integer NOT NULL DEFAULT 0,
                ADD COLUMN stage_key text NOT NULL DEFAULT '',
                ADD COLUMN default_probability smallint NOT NULL DEFAULT 0,
                ADD COLUMN deal_type smallint NOT NULL DEFAULT 1,
                ADD COLUMN stage_entered_at timestamptz,
                ADD COLUMN override_reason text NOT NULL DEFAULT '';
            -- Deals from before pipelines: the built-in pipeline's stage for their coarse stage.
            UPDATE opportunities SET
                stage_key = CASE stage WHEN 2 THEN '需求确认' WHEN 3 THEN '方案报价' WHEN 4 THEN '商务谈判'
                                       WHEN 5 THEN '赢单' WHEN 6 THEN '输单' ELSE '初步接触' END,
                default_probability = CASE stage WHEN 2 THEN 25 WHEN 3 THEN 50 WHEN 4 THEN 70 WHEN 5 THEN 100 WHEN 6 THEN 0 ELSE 10 END,
                stage_entered_at = created_at;
            ALTER TABLE opportunities ALTER COLUMN stage_entered_at SET NOT NULL, ALTER COLUMN stage_entered_at SET DEFAULT now();
            -- Every stage move, in order: each starts where the one before ended (the deal's row lock).
            CREATE TABLE stage_changes (
                id uuid PRIMARY KEY,
                seq bigserial NOT NULL UNIQUE,
                tenant_id text NOT NULL,
                opportunity_id uuid NOT NULL REFERENCES opportunities (id),
                from_stage text NOT NULL,
                to_stage text NOT NULL,
                pipeline_version integer NOT NULL,
                key_action text NOT NULL,
                feedback text NOT NULL,
                evidence_ids uuid[] NOT NULL,
                override_reason text NOT NULL,
                changed_by text NOT NULL,
                changed_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX stage_changes_deal ON stage_changes (tenant_id, opportunity_id, seq);
            CREATE INDEX stage_changes_overrides ON stage_changes (tenant_id, seq DESC) WHERE override_reason <> '';
            -- Typed activities on a deal; the whole activity (its kind's fields, attachments) as protobuf JSON.
            CREATE TABLE activities (
                id uuid PRIMARY KEY,
                seq bigserial NOT NULL UNIQUE,
                tenant_id text NOT NULL,
                opportunity_id uuid NOT NULL REFERENCES opportunities (id),
                kind smallint NOT NULL,
                occurred_at timestamptz NOT NULL,
                signals text[] NOT NULL,
                detail text NOT NULL,
                recorded_by text NOT NULL,
                recorded_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX activities_deal ON activities (tenant_id, opportunity_id, seq DESC);
            """),
        Migration(
            "0102_stale_deals",
            """
            -- A stale deal (no stage progress or no activity for its stage's limit) is flagged once
            -- per stay in a stage; a move or an activity clears the flag.
            ALTER TABLE opportunities
                ADD COLUMN stale_since timestamptz,
                ADD COLUMN stale_reason text NOT NULL DEFAULT '',
                ADD COLUMN last_activity_at timestamptz;
            CREATE INDEX opportunities_unflagged ON opportunities (stage_entered_at) WHERE stale_since IS NULL;
            """),
        Migration(
            "0103_owner_index",
            """
            -- A rep's list reads their own deals, newest first, without walking the tenant's.
            CREATE INDEX opportunities_owner ON opportunities (tenant_id, owner_id, seq DESC);
            """),
        Migration(
            "0104_contacts",
            """
            ALTER TABLE opportunities
                ADD COLUMN customer_id uuid,
                ADD COLUMN risks text[] NOT NULL DEFAULT '{}';
            -- People at the customer (the leads service's customer, by id, when known).
            CREATE TABLE contacts (
                id uuid PRIMARY KEY,
                tenant_id text NOT NULL,
                customer_id uuid,
                name text NOT NULL,
                title text NOT NULL,
                department text NOT NULL,
                left_at timestamptz,
                created_by text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX contacts_customer ON contacts (tenant_id, customer_id);
            -- Who is on a deal, in which role (one person may hold two).
            CREATE TABLE deal_contacts (
                tenant_id text NOT NULL,
                opportunity_id uuid NOT NULL REFERENCES opportunities (id),
                contact_id uuid NOT NULL REFERENCES contacts (id),
                role smallint NOT NULL,
                added_by text NOT NULL,
                added_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (opportunity_id, contact_id, role)
            );
            CREATE INDEX deal_contacts_contact ON deal_contacts (contact_id);
            ALTER TABLE activities ADD COLUMN contact_ids uuid[] NOT NULL DEFAULT '{}';
            """),
        Migration(
            "0105_contributions",
            """
            -- Who made the deal: the converter of a lead is credited with the referral.
            ALTER TABLE opportunities ADD COLUMN created_by text NOT NULL DEFAULT '';
            -- Colleagues on a deal in a role (the owner is its sales without a row); they see the deal.
            CREATE TABLE deal_team (
                tenant_id text NOT NULL,
                opportunity_id uuid NOT NULL REFERENCES opportunities (id),
                person_id text NOT NULL,
                org_path text NOT NULL,
                role smallint NOT NULL,
                added_by text NOT NULL,
                joined_at timestamptz NOT NULL DEFAULT now(),
                -- When their part was checked, 15 days in (their manager hears if it was under 5 points).
                part_checked_at timestamptz,
                PRIMARY KEY (opportunity_id, person_id)
            );
            CREATE INDEX deal_team_person ON deal_team (tenant_id, person_id, opportunity_id);
            CREATE TABLE contribution_weights (
                tenant_id text NOT NULL,
                action smallint NOT NULL,
                weight integer NOT NULL CHECK (weight BETWEEN 0 AND 100),
                PRIMARY KEY (tenant_id, action)
            );
            -- The matrix as it stood when the deal was won (protobuf JSON), and its hold.
            CREATE TABLE contribution_snapshots (
                opportunity_id uuid PRIMARY KEY REFERENCES opportunities (id),
                tenant_id text NOT NULL,
                matrix text NOT NULL,
                won_at timestamptz NOT NULL,
                confirm_by timestamptz NOT NULL,
                held boolean NOT NULL DEFAULT false,
                hold_reason text NOT NULL DEFAULT ''
            );
            CREATE INDEX contribution_snapshots_due ON contribution_snapshots (confirm_by) WHERE NOT held;
            -- Each credited person's answer: pending until they confirm or dispute.
            CREATE TABLE contribution_confirmations (
                opportunity_id uuid NOT NULL REFERENCES contribution_snapshots (opportunity_id),
                person_id text NOT NULL,
                tenant_id text NOT NULL,
                state smallint NOT NULL,
                statement text NOT NULL DEFAULT '',
                answered_at timestamptz,
                late boolean NOT NULL DEFAULT false,
                PRIMARY KEY (opportunity_id, person_id)
            );
            """),
        Migration(
            "0106_imports",
            """
            -- Deals brought from another system, by their id there: importing one again finds it.
            CREATE TABLE opportunity_imports (
                tenant_id text NOT NULL,
                external_id text NOT NULL,
                opportunity_id uuid NOT NULL REFERENCES opportunities (id),
                source text NOT NULL,
                imported_by text NOT NULL,
                imported_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant_id, external_id)
            );
            """),
        Migration(
            "0107_playbook",
            """
            -- The kind of customer a deal is with ("三甲医院"): playbook atoms are matched by it.
            ALTER TABLE opportunities ADD COLUMN customer_type text NOT NULL DEFAULT '';
            -- 话术原子: an answer to an objection by customer type and stage ('*' for any); its
            -- strategies as protobuf JSON.
            CREATE TABLE playbook_atoms (
                id uuid PRIMARY KEY,
                seq bigserial NOT NULL UNIQUE,
                tenant_id text NOT NULL,
                customer_type text NOT NULL,
                objection text NOT NULL,
                stage text NOT NULL,
                strategies text NOT NULL,
                proposed_by text NOT NULL,
                proposed_from_deal uuid REFERENCES opportunities (id),
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX playbook_atoms_tenant ON playbook_atoms (tenant_id, seq DESC);
            -- Each use of an atom's strategy on a deal: the figures count from these and the deals' outcomes.
            CREATE TABLE playbook_uses (
                tenant_id text NOT NULL,
                atom_id uuid NOT NULL REFERENCES playbook_atoms (id),
                opportunity_id uuid NOT NULL REFERENCES opportunities (id),
                strategy smallint NOT NULL,
                used_by text NOT NULL,
                region text NOT NULL,
                used_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX playbook_uses_atom ON playbook_uses (atom_id, used_at);
            -- Closed deals by outcome, for the playbook's base win rate.
            CREATE INDEX opportunities_closed ON opportunities (tenant_id, stage) WHERE stage IN (5, 6);
            """),
        Migration(
            "0108_attachments",
            """
            -- Files kept as evidence for a deal; the content lives in the blob store, by its SHA-256.
            CREATE TABLE attachments (
                id uuid PRIMARY KEY,
                tenant_id text NOT NULL,
                opportunity_id uuid NOT NULL REFERENCES opportunities (id),
                name text NOT NULL,
                kind text NOT NULL,
                sha256 text NOT NULL,
                size_bytes bigint NOT NULL,
                content_type text NOT NULL,
                captured_at timestamptz,
                latitude double precision NOT NULL,
                longitude double precision NOT NULL,
                uploaded_by text NOT NULL,
                uploaded_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX attachments_deal ON attachments (tenant_id, opportunity_id);
            """),
        Migration(
            "0109_signal_types",
            """
            -- Behaviour signals a tenant adds to the built-in twelve.
            CREATE TABLE signal_types (
                tenant_id text NOT NULL,
                key text NOT NULL,
                label text NOT NULL,
                description text NOT NULL,
                created_by text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant_id, key)
            );
            """),
        Migration(
            "0110_quotes",
            """
            -- A quote as created: its message (lines, payment plan, credit findings) in body, and
            -- the figures lists and boards filter on as columns.
            CREATE TABLE quotes (
                id uuid PRIMARY KEY,
                seq bigserial NOT NULL UNIQUE,
                tenant_id text NOT NULL,
                opportunity_id uuid NOT NULL,
                total_minor bigint NOT NULL CHECK (total_minor >= 0),
                cost_minor bigint NOT NULL CHECK (cost_minor >= 0),
                currency char(3) NOT NULL,
                margin_bp integer NOT NULL,
                credit_grade smallint NOT NULL,
                needs_approval boolean NOT NULL,
                created_by text NOT NULL,
                created_at timestamptz NOT NULL,
                body bytea NOT NULL
            );
            CREATE INDEX quotes_deal ON quotes (tenant_id, opportunity_id, seq DESC);
            CREATE TABLE credit_policies (
                tenant_id text PRIMARY KEY,
                margin_floor_bp integer NOT NULL,
                default_term_days integer NOT NULL,
                industry_terms jsonb NOT NULL,
                updated_by text NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now()
            );
            """),
        Migration(
            "0111_quote_approvals",
            """
            -- QuoteState and Approver numbers; the chain defaults to a manager, then finance.
            ALTER TABLE quotes ADD COLUMN state smallint NOT NULL DEFAULT 2;
            ALTER TABLE credit_policies ADD COLUMN approval_chain smallint[] NOT NULL DEFAULT '{1,2}';
            """),
        Migration(
            "0112_contracts",
            """
            -- A contract as its message (terms, dates) in body, with what boards filter on.
            CREATE TABLE contracts (
                id uuid PRIMARY KEY,
                tenant_id text NOT NULL,
                opportunity_id uuid NOT NULL,
                quote_id uuid NOT NULL REFERENCES quotes (id),
                state smallint NOT NULL,
                total_minor bigint NOT NULL CHECK (total_minor >= 0),
                currency char(3) NOT NULL,
                body bytea NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX contracts_deal ON contracts (tenant_id, opportunity_id);
            CREATE INDEX contracts_quote ON contracts (quote_id);
            """),
        Migration(
            "0113_receivables",
            """
            -- A signed contract's instalments with what the countdown board shows and filters on
            -- (the deal's owner, team path and customer copied at signing); payments, what each
            -- paid of which instalment, and refunds. A reference is recorded once per tenant.
            CREATE TABLE instalments (
                id uuid PRIMARY KEY,
                tenant_id text NOT NULL,
                contract_id uuid NOT NULL REFERENCES contracts (id),
                opportunity_id uuid NOT NULL,
                customer_id text NOT NULL,
                customer_name text NOT NULL,
                owner_id text NOT NULL,
                org_path text NOT NULL,
                number smallint NOT NULL,
                due_date date NOT NULL,
                amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
                paid_minor bigint NOT NULL DEFAULT 0 CHECK (paid_minor >= 0 AND paid_minor <= amount_minor),
                currency char(3) NOT NULL,
                invoice_step smallint NOT NULL DEFAULT 0,
                invoice_number text NOT NULL DEFAULT '',
                UNIQUE (contract_id, number)
            );
            CREATE INDEX instalments_due ON instalments (tenant_id, due_date, id);
            CREATE INDEX instalments_open_due ON instalments (tenant_id, due_date, id) WHERE paid_minor < amount_minor;
            CREATE INDEX instalments_owner_due ON instalments (tenant_id, owner_id, due_date, id);
            CREATE INDEX instalments_customer_due ON instalments (tenant_id, customer_id, due_date, id);
            CREATE TABLE payments (
                id uuid PRIMARY KEY,
                seq bigserial NOT NULL UNIQUE,
                tenant_id text NOT NULL,
                contract_id uuid NOT NULL REFERENCES contracts (id),
                reference text NOT NULL,
                amount_minor bigint NOT NULL CHECK (amount_minor > 0),
                credit_minor bigint NOT NULL CHECK (credit_minor >= 0),
                refunded_minor bigint NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor),
                currency char(3) NOT NULL,
                received_on date NOT NULL,
                source text NOT NULL,
                recorded_by text NOT NULL,
                recorded_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (tenant_id, reference)
            );
            CREATE INDEX payments_contract ON payments (contract_id, seq);
            CREATE TABLE payment_allocations (
                payment_id uuid NOT NULL REFERENCES payments (id),
                instalment_id uuid NOT NULL REFERENCES instalments (id),
                amount_minor bigint NOT NULL CHECK (amount_minor >= 0),
                PRIMARY KEY (payment_id, instalment_id)
            );
            CREATE TABLE refunds (
                id uuid PRIMARY KEY,
                tenant_id text NOT NULL,
                payment_id uuid NOT NULL REFERENCES payments (id),
                reference text NOT NULL,
                amount_minor bigint NOT NULL CHECK (amount_minor > 0),
                reason text NOT NULL,
                recorded_by text NOT NULL,
                recorded_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (tenant_id, reference)
            );
            """),
        Migration(
            "0114_collection_tasks",
            """
            -- When an overdue instalment went to the owner's manager (once), and the owner's
            -- time-boxed tasks: one task of a kind per instalment (done stays done).
            -- (The sweep finds its tenants through instalments_open_due: an index on the due date alone
            -- would be chosen for boards too, reading every tenant's open instalments.)
            ALTER TABLE instalments ADD COLUMN escalated_at timestamptz;
            -- When the invoice was first recorded as issued (collections health: invoiced on time).
            ALTER TABLE instalments ADD COLUMN invoiced_at timestamptz;
            CREATE TABLE collection_tasks (
                id uuid PRIMARY KEY,
                seq bigserial NOT NULL UNIQUE,
                tenant_id text NOT NULL,
                instalment_id uuid NOT NULL REFERENCES instalments (id),
                owner_id text NOT NULL,
                org_path text NOT NULL,
                kind smallint NOT NULL,
                title text NOT NULL,
                due_at timestamptz NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                done_at timestamptz,
                outcome text NOT NULL DEFAULT ''
            );
            CREATE UNIQUE INDEX collection_tasks_once ON collection_tasks (instalment_id, kind);
            CREATE INDEX collection_tasks_open ON collection_tasks (tenant_id) WHERE done_at IS NULL;
            CREATE INDEX collection_tasks_owner ON collection_tasks (tenant_id, owner_id, seq DESC);
            CREATE INDEX collection_tasks_tenant ON collection_tasks (tenant_id, seq DESC);
            """),
        Migration(
            "0115_customer_health",
            """
            -- What the marketing system saw a customer do, once per its id.
            CREATE TABLE marketing_touches (
                tenant_id text NOT NULL,
                touch_id text NOT NULL,
                customer_id uuid NOT NULL,
                kind text NOT NULL,
                title text NOT NULL,
                occurred_at timestamptz NOT NULL,
                recorded_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant_id, touch_id)
            );
            CREATE INDEX marketing_touches_customer ON marketing_touches (tenant_id, customer_id, occurred_at DESC);
            -- The service desk's tickets as last sent.
            CREATE TABLE service_tickets (
                tenant_id text NOT NULL,
                ticket_id text NOT NULL,
                customer_id uuid NOT NULL,
                severity smallint NOT NULL,
                complaint boolean NOT NULL,
                subject text NOT NULL,
                opened_at timestamptz NOT NULL,
                resolved_at timestamptz,
                nps smallint,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (tenant_id, ticket_id)
            );
            CREATE INDEX service_tickets_customer ON service_tickets (tenant_id, customer_id);
            -- The owner's task while a major complaint is open, one a ticket.
            CREATE TABLE risk_tasks (
                id uuid PRIMARY KEY,
                tenant_id text NOT NULL,
                customer_id uuid NOT NULL,
                ticket_id text NOT NULL,
                owner_id text NOT NULL,
                org_path text NOT NULL,
                title text NOT NULL,
                due_at timestamptz NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                done_at timestamptz,
                UNIQUE (tenant_id, ticket_id)
            );
            -- Each score that differed from the one before (serialised CustomerHealth, without its time).
            CREATE TABLE customer_health (
                tenant_id text NOT NULL,
                customer_id uuid NOT NULL,
                computed_at timestamptz NOT NULL,
                score smallint NOT NULL,
                body bytea NOT NULL,
                PRIMARY KEY (tenant_id, customer_id, computed_at)
            );
            CREATE INDEX opportunities_customer ON opportunities (tenant_id, customer_id) WHERE customer_id IS NOT NULL;
            -- A customer's on-time rate reads each instalment's payments.
            CREATE INDEX payment_allocations_instalment ON payment_allocations (instalment_id);
            """),
        Migration(
            "0116_erp_link",
            """
            -- The ERP's sales order of each signed contract (one contract an order: the ERP's
            -- payments name it) and why the ERP has not taken it yet; how far each tenant's ERP
            -- payments were read.
            ALTER TABLE contracts ADD COLUMN erp_order_id text, ADD COLUMN erp_error text NOT NULL DEFAULT '';
            CREATE UNIQUE INDEX contracts_erp_order ON contracts (tenant_id, erp_order_id) WHERE erp_order_id IS NOT NULL;
            CREATE INDEX contracts_erp_waiting ON contracts (tenant_id, created_at) WHERE state = 3 AND erp_order_id IS NULL;
            CREATE TABLE erp_links (
                tenant_id text PRIMARY KEY,
                cursor text NOT NULL DEFAULT '',
                read_at timestamptz,
                payments_recorded bigint NOT NULL DEFAULT 0,
                last_error text NOT NULL DEFAULT ''
            );
            """),
    ]
}
