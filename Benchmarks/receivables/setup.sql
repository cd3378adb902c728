-- The scratch table `\copy` loads the payment file into: the file's columns, typed.
CREATE SCHEMA IF NOT EXISTS bench;
DROP TABLE IF EXISTS bench.payments_copy;
CREATE TABLE bench.payments_copy (contract_id uuid NOT NULL, reference text NOT NULL, amount numeric(14, 2) NOT NULL, received_on date NOT NULL);
