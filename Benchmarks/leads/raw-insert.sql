-- What one CreateLead writes, inserted by pgbench directly: the customer upsert, the lead and its
-- outbox event, in one transaction, as prepared statements (pgbench -M prepared) and without the
-- outbox's ordering lock: the database's own limit for these rows. The lock is our design's
-- cost, so it is on CreateLead's side of the ratio (issue 10). Compared with CreateLead in the
-- same run by scripts/bench-leads.sh.
\set n random(1, 1000000000)
BEGIN;
INSERT INTO bench.customers (id, tenant_id, key_kind, key_value, display_name, owner_id, org_path)
VALUES (gen_random_uuid(), 'bench', 'phone', md5(:n::text || clock_timestamp()::text), '压测客户', 'bench.rep', '/east/sh')
ON CONFLICT (tenant_id, key_kind, key_value) DO UPDATE SET key_value = EXCLUDED.key_value;
INSERT INTO bench.leads (id, tenant_id, contact_name, phone_e164, phone_hmac, channel, city, inquiry, owner_id, org_path, status, custom_fields)
VALUES (gen_random_uuid(), 'bench', '压测客户', '+8619' || lpad(:n::text, 9, '0'), md5(:n::text), 7, '上海', '产品咨询', 'bench.rep', '/east/sh', 1, '{}');
INSERT INTO bench.outbox (event_id, tenant_id, aggregate_type, aggregate_id, event_type, payload)
VALUES (gen_random_uuid(), 'bench', 'lead', :n::text, 'sales.leads.v1.LeadCreated', '{"lead": {"contactName": "压测客户"}}');
END;
