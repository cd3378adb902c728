-- The ceiling for the POS ingest: Postgres itself writing the file's receipts, lines and events
-- into the service's own tables (their keys, foreign keys and indexes) with set-based statements,
-- staged by COPY, in one transaction that is then rolled back. It is generous to Postgres: no
-- row is checked, members are matched on the stored mobile instead of its HMAC, the fingerprint
-- is md5 instead of SHA-256, no feedback rule runs and the event leaves out the lines. No design
-- that writes these tables can import faster than this. POS_FILE is replaced by the script.
\set ON_ERROR_STOP on
BEGIN;
CREATE TEMP TABLE pos (
    store_code text, receipt_number text, sold_at text, sku text, quantity integer, unit_price numeric(12, 2),
    discount numeric(12, 2), payment_method text, clerk_user_id text, member_mobile text
) ON COMMIT DROP;
\copy pos FROM 'POS_FILE' WITH (FORMAT csv, HEADER true)
ANALYZE pos;
CREATE TEMP TABLE staged ON COMMIT DROP AS
SELECT gen_random_uuid() AS id, st.id AS store_id, g.store_code, g.receipt_number, g.sold_at, c.id AS clerk_id, m.id AS member_id,
       g.payment_method, g.total_fen, g.discount_fen, g.item_count, g.fingerprint
FROM (SELECT store_code, receipt_number, min(sold_at)::timestamptz AS sold_at, min(payment_method) AS payment_method,
             min(clerk_user_id) AS clerk_user_id, min(member_mobile) AS member_mobile,
             sum((unit_price * 100)::bigint * quantity - (discount * 100)::bigint) AS total_fen,
             sum((discount * 100)::bigint) AS discount_fen, count(*) AS item_count,
             md5(string_agg(sku || ':' || quantity || ':' || unit_price, ',')) AS fingerprint
      FROM pos GROUP BY store_code, receipt_number) g
JOIN store_sales.stores st ON st.tenant_id = 'bench-store' AND st.code = g.store_code
LEFT JOIN store_sales.clerks c ON c.tenant_id = 'bench-store' AND c.store_id = st.id AND c.user_id = g.clerk_user_id
LEFT JOIN store_sales.members m ON m.tenant_id = 'bench-store' AND m.phone_e164 = '+86' || g.member_mobile;
ANALYZE staged;
INSERT INTO store_sales.receipts (id, tenant_id, store_id, receipt_number, sold_at, clerk_id, clerk_source, member_id,
                                  payment_method, total_fen, discount_fen, currency, item_count, fingerprint)
SELECT id, 'bench-store', store_id, receipt_number, sold_at, clerk_id, CASE WHEN clerk_id IS NULL THEN 'none' ELSE 'till' END,
       member_id, payment_method, total_fen, discount_fen, 'CNY', item_count, fingerprint
FROM staged
ON CONFLICT (store_id, receipt_number) DO NOTHING;
INSERT INTO store_sales.receipt_items (receipt_id, line_no, sku, quantity, unit_price_fen, discount_fen, amount_fen,
                                       tenant_id, member_id, sold_at)
SELECT s.id, row_number() OVER (PARTITION BY s.id), p.sku, p.quantity, (p.unit_price * 100)::bigint, (p.discount * 100)::bigint,
       (p.unit_price * 100)::bigint * p.quantity - (p.discount * 100)::bigint, 'bench-store', s.member_id, s.sold_at
FROM pos p JOIN staged s ON s.store_code = p.store_code AND s.receipt_number = p.receipt_number;
-- The outbox's ordering lock, as every writer of events takes it (the kit's Outbox).
SELECT FROM pg_advisory_xact_lock(hashtext('outbox'));
INSERT INTO store_sales.outbox (event_id, tenant_id, aggregate_type, aggregate_id, event_type, payload)
SELECT gen_random_uuid(), 'bench-store', 'receipt', s.id::text, 'sales.storesales.v1.ReceiptRecorded',
       jsonb_build_object('receipt', jsonb_build_object(
           'id', s.id, 'storeId', s.store_id, 'receiptNumber', s.receipt_number, 'soldAt', s.sold_at, 'clerkId', s.clerk_id,
           'memberId', s.member_id, 'paymentMethod', s.payment_method,
           'total', jsonb_build_object('minorUnits', s.total_fen, 'currency', 'CNY'), 'itemCount', s.item_count))
FROM staged s;
-- What was written, for the script to check: receipts, lines, events.
SELECT (SELECT count(*) FROM store_sales.receipts WHERE tenant_id = 'bench-store') || ' '
    || (SELECT count(*) FROM store_sales.receipt_items WHERE tenant_id = 'bench-store') || ' '
    || (SELECT count(*) FROM store_sales.outbox WHERE tenant_id = 'bench-store' AND event_type LIKE '%ReceiptRecorded');
ROLLBACK;
