-- pgbench baseline: the finance board's first page as the service asks it (open instalments of one
-- tenant, soonest due first, 51 rows), without the service.
SELECT id, contract_id, opportunity_id, customer_id, customer_name, owner_id, number, to_char(due_date, 'YYYY-MM-DD') AS due,
       amount_minor, paid_minor, currency, invoice_step, invoice_number, due_date - '2026-12-01'::date AS days_left
FROM opportunities.instalments
WHERE tenant_id = 'bench-board' AND paid_minor < amount_minor
ORDER BY due_date, id LIMIT 51;
