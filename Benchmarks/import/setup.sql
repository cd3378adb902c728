-- The scratch table that scripts/bench-import.sh COPYs the benchmark sheet into: the file's
-- columns as text, no index or constraint: the fastest any import of the same file could go.
SET client_min_messages = warning;  -- no notice for the first run's DROP
CREATE SCHEMA IF NOT EXISTS bench;
DROP TABLE IF EXISTS bench.import_copy;
CREATE TABLE bench.import_copy (contact_name text, phone text, company_name text, channel text, city text, inquiry text);
