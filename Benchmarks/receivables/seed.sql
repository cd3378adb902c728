-- Signed contracts for the receivables benchmark, written straight into the opportunities
-- schema (as SignContract leaves them: quote, contract, instalments):
--   bench-pay:   20,000 contracts of 5 instalments of 1,000.00 (the payment import's targets);
--   bench-board: 4,000 contracts of 50 instalments, 200,000 in all, in 40 teams, the first 19 of
--                each paid (the countdown board a finance user pages through).
CREATE TEMP TABLE seeds (tenant text, contracts int, instalments int);
INSERT INTO seeds VALUES ('bench-pay', 20000, 5), ('bench-board', 4000, 50);
CREATE TEMP TABLE seeded AS
SELECT s.tenant, s.instalments, gen_random_uuid() AS quote_id, gen_random_uuid() AS contract_id, gen_random_uuid() AS deal_id, g AS k
FROM seeds s, generate_series(1, s.contracts) g;
INSERT INTO opportunities.quotes (id, tenant_id, opportunity_id, total_minor, cost_minor, currency, margin_bp, credit_grade,
                                  needs_approval, created_by, created_at, state, body)
SELECT quote_id, tenant, deal_id, instalments * 100000, 0, 'CNY', 3000, 1, false, 'seed', now(), 4, ''::bytea FROM seeded;
INSERT INTO opportunities.contracts (id, tenant_id, opportunity_id, quote_id, state, total_minor, currency, body)
SELECT contract_id, tenant, deal_id, quote_id, 3, instalments * 100000, 'CNY', ''::bytea FROM seeded;
INSERT INTO opportunities.instalments (id, tenant_id, contract_id, opportunity_id, customer_id, customer_name, owner_id, org_path,
                                       number, due_date, amount_minor, paid_minor, currency)
SELECT gen_random_uuid(), tenant, contract_id, deal_id, 'customer-' || (k % 3000), '客户' || k, 'rep-' || (k % 400),
       '/region-' || (k % 4) || '/team-' || (k % 40), n, DATE '2025-01-01' + (k % 700)::int + n * 30, 100000,
       CASE WHEN tenant = 'bench-board' AND n < 20 THEN 100000 ELSE 0 END, 'CNY'
FROM seeded, generate_series(1, instalments) n;
\copy (SELECT contract_id FROM seeded WHERE tenant = 'bench-pay' ORDER BY k) TO 'CONTRACTS_FILE'
VACUUM ANALYZE opportunities.instalments;
CHECKPOINT;
