-- Partners' tasks for their phones, run in the phones' sessions in order.
CREATE TABLE acs.tasks (
  seq bigserial PRIMARY KEY,
  id uuid NOT NULL UNIQUE,
  partner text NOT NULL,
  mac text NOT NULL,
  state text NOT NULL,  -- queued, sent, done, failed
  task text NOT NULL,   -- base64 of onramp.acs.v1.Task
  idempotency_key text,
  connection_request text NOT NULL DEFAULT '',  -- how the one asked went
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tasks_open ON acs.tasks (mac, seq) WHERE state IN ('queued', 'sent');
CREATE INDEX tasks_by_phone ON acs.tasks (partner, mac, seq DESC);
CREATE UNIQUE INDEX tasks_by_idempotency_key ON acs.tasks (partner, idempotency_key)
  WHERE idempotency_key IS NOT NULL;

-- Where each phone takes connection requests: its last Inform's
-- ConnectionRequestURL, and the address that Inform came from.
CREATE TABLE acs.phones (
  mac text PRIMARY KEY,
  connection_request_url text NOT NULL,
  source_address text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
