-- The ceiling for the payment import: Postgres itself recording the file's payments in the
-- service's own tables (their keys, foreign keys and indexes, the board's partial index among
-- them) with set-based statements, staged by COPY, in one transaction that is then rolled back.
-- Each payment goes to its contract's open instalments oldest first, what is left over is kept
-- as credit, and each payment gets an event, as the service does. It is generous to Postgres:
-- no row is checked, no contract is locked and the event is smaller. No design that writes these
-- tables can import faster than this. PAYMENTS_FILE is replaced by the script.
\set ON_ERROR_STOP on
BEGIN;
CREATE TEMP TABLE pay (contract_id uuid, reference text, amount numeric(14, 2), received_on date) ON COMMIT DROP;
\copy pay FROM 'PAYMENTS_FILE' WITH (FORMAT csv, HEADER true)
ANALYZE pay;
-- A payment covers the span (upto - fen, upto] of its contract's payments in order; an open
-- instalment the span (upto - open, upto] of what the contract owes in due order. What a payment
-- puts on an instalment is where their spans overlap.
CREATE TEMP TABLE paid ON COMMIT DROP AS
SELECT gen_random_uuid() AS id, contract_id, reference, (amount * 100)::bigint AS fen, received_on,
       sum((amount * 100)::bigint) OVER (PARTITION BY contract_id ORDER BY received_on, reference) AS upto
FROM pay;
CREATE TEMP TABLE owed ON COMMIT DROP AS
SELECT i.id, i.contract_id, i.amount_minor - i.paid_minor AS open,
       sum(i.amount_minor - i.paid_minor) OVER (PARTITION BY i.contract_id ORDER BY i.due_date, i.number) AS upto
FROM opportunities.instalments i
WHERE i.tenant_id = 'bench-pay' AND i.paid_minor < i.amount_minor AND i.contract_id IN (SELECT contract_id FROM pay);
ANALYZE paid;
ANALYZE owed;
CREATE TEMP TABLE allocated ON COMMIT DROP AS
SELECT p.id AS payment_id, o.id AS instalment_id, least(p.upto, o.upto) - greatest(p.upto - p.fen, o.upto - o.open) AS fen
FROM paid p JOIN owed o USING (contract_id)
WHERE least(p.upto, o.upto) > greatest(p.upto - p.fen, o.upto - o.open);
INSERT INTO opportunities.payments (id, tenant_id, contract_id, reference, amount_minor, credit_minor, currency, received_on,
                                    source, recorded_by)
SELECT p.id, 'bench-pay', p.contract_id, p.reference, p.fen, p.fen - coalesce(a.fen, 0), 'CNY', p.received_on, 'file', 'bench.cw'
FROM paid p LEFT JOIN (SELECT payment_id, sum(fen) AS fen FROM allocated GROUP BY payment_id) a ON a.payment_id = p.id
ON CONFLICT (tenant_id, reference) DO NOTHING;
INSERT INTO opportunities.payment_allocations (payment_id, instalment_id, amount_minor)
SELECT payment_id, instalment_id, fen FROM allocated;
UPDATE opportunities.instalments i SET paid_minor = i.paid_minor + a.fen
FROM (SELECT instalment_id, sum(fen) AS fen FROM allocated GROUP BY instalment_id) a
WHERE i.id = a.instalment_id;
-- The outbox's ordering lock, as every writer of events takes it (the kit's Outbox).
SELECT FROM pg_advisory_xact_lock(hashtext('outbox'));
INSERT INTO opportunities.outbox (event_id, tenant_id, aggregate_type, aggregate_id, event_type, payload)
SELECT gen_random_uuid(), 'bench-pay', 'contract', p.contract_id::text, 'sales.opportunities.v1.PaymentReceived',
       jsonb_build_object('payment', jsonb_build_object(
           'id', p.id, 'contractId', p.contract_id, 'reference', p.reference, 'receivedOn', p.received_on,
           'amount', jsonb_build_object('minorUnits', p.fen, 'currency', 'CNY')))
FROM paid p;
-- What was written, for the script to check: payments, and whether every fen of the file is on
-- an instalment or kept as credit.
SELECT (SELECT count(*) FROM opportunities.payments WHERE tenant_id = 'bench-pay') || ' '
    || ((SELECT sum(fen) FROM paid)
        = (SELECT sum(paid_minor) FROM opportunities.instalments WHERE tenant_id = 'bench-pay')
        + (SELECT sum(credit_minor) FROM opportunities.payments WHERE tenant_id = 'bench-pay'));
ROLLBACK;
