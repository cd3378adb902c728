-- Tables shaped like the leads schema's, for the raw-insert baseline.
CREATE SCHEMA IF NOT EXISTS bench;
DROP TABLE IF EXISTS bench.customers, bench.leads, bench.outbox;
CREATE TABLE bench.customers (LIKE leads.customers INCLUDING ALL);
CREATE TABLE bench.leads (LIKE leads.leads INCLUDING DEFAULTS INCLUDING INDEXES);
CREATE TABLE bench.outbox (LIKE leads.outbox INCLUDING ALL);
