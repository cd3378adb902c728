-- Copies of the opportunities tables holding the deals the benchmark moved, for the raw baseline.
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS bench;
DROP TABLE IF EXISTS bench.opportunities, bench.activities, bench.stage_changes, bench.outbox, bench.deal_ids;
CREATE TABLE bench.opportunities (LIKE opportunities.opportunities INCLUDING ALL);
CREATE TABLE bench.activities (LIKE opportunities.activities INCLUDING ALL);
CREATE TABLE bench.stage_changes (LIKE opportunities.stage_changes INCLUDING ALL);
CREATE TABLE bench.outbox (LIKE opportunities.outbox INCLUDING ALL);
INSERT INTO bench.opportunities SELECT * FROM opportunities.opportunities WHERE tenant_id = 'bench';
INSERT INTO bench.activities SELECT * FROM opportunities.activities WHERE tenant_id = 'bench';
INSERT INTO bench.stage_changes SELECT * FROM opportunities.stage_changes WHERE tenant_id = 'bench';
CREATE TABLE bench.deal_ids (n serial PRIMARY KEY, id uuid NOT NULL);
INSERT INTO bench.deal_ids (id) SELECT id FROM bench.opportunities;
ANALYZE bench.opportunities, bench.activities, bench.stage_changes, bench.deal_ids;
