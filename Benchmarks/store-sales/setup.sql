-- The baselines' scratch tables: the POS file's columns for `\copy`, and receipts with their
-- lines (keyed, as the service keys them) for the plain INSERTs.
CREATE SCHEMA IF NOT EXISTS bench;
DROP TABLE IF EXISTS bench.pos_copy, bench.receipt_items, bench.receipts;
CREATE TABLE bench.pos_copy (
    store_code text NOT NULL, receipt_number text NOT NULL, sold_at text NOT NULL, sku text NOT NULL, quantity integer NOT NULL,
    unit_price numeric(12, 2) NOT NULL, discount numeric(12, 2), payment_method text NOT NULL, clerk_user_id text, member_mobile text
);
CREATE TABLE bench.receipts (
    id bigint PRIMARY KEY, store_code text NOT NULL, receipt_number text NOT NULL, sold_at timestamptz NOT NULL, payment_method text NOT NULL,
    clerk_user_id text NOT NULL, member_mobile text NOT NULL, UNIQUE (store_code, receipt_number)
);
CREATE TABLE bench.receipt_items (
    receipt_id bigint NOT NULL REFERENCES bench.receipts, line_no integer NOT NULL, sku text NOT NULL, quantity integer NOT NULL,
    unit_price_fen bigint NOT NULL, discount_fen bigint NOT NULL, amount_fen bigint NOT NULL, PRIMARY KEY (receipt_id, line_no)
);
