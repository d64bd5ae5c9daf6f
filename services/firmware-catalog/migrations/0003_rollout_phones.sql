-- A rollout counts each phone once, by its latest outcome, and only what
-- the phone itself reported (mutual TLS, or a report encrypted with its
-- key): one phone, or anyone who knows a MAC, cannot halt a rollout by
-- repeating a failure.
CREATE TABLE rollout_phones (
  rollout_id uuid NOT NULL REFERENCES rollouts (id),
  mac text NOT NULL,
  success boolean NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (rollout_id, mac)
);
ALTER TABLE upgrade_reports ADD COLUMN authenticated boolean NOT NULL DEFAULT false;
