-- Firmware images, named as the vendor names them; the bytes live in the
-- content-addressed image directory under their SHA-256.
CREATE TABLE images (
  file_name text PRIMARY KEY,
  version text NOT NULL,
  models text NOT NULL,  -- comma-separated
  size bigint NOT NULL,
  sha256 text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE edges (
  id bigserial PRIMARY KEY,
  model text NOT NULL,
  from_min text NOT NULL,
  from_max text NOT NULL,
  to_version text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX edges_by_model ON edges (model);

CREATE TABLE targets (
  partner text NOT NULL,
  model text NOT NULL,
  version text NOT NULL,
  PRIMARY KEY (partner, model)
);

CREATE TABLE rollouts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partner text NOT NULL,
  model text NOT NULL,
  target_version text NOT NULL,
  stages text NOT NULL,  -- "percent:soak_seconds,..."
  failure_threshold_percent integer NOT NULL,
  state text NOT NULL CHECK (state IN ('running', 'paused', 'halted', 'aborted', 'completed')),
  current_stage integer NOT NULL DEFAULT 0,
  stage_started_at timestamptz NOT NULL,
  successes integer NOT NULL DEFAULT 0,
  failures integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- One live rollout per partner and model.
CREATE UNIQUE INDEX rollouts_live ON rollouts (partner, model)
  WHERE state IN ('running', 'paused', 'halted');

CREATE TABLE upgrade_reports (
  id bigserial PRIMARY KEY,
  mac text NOT NULL,
  partner text NOT NULL,
  model text NOT NULL,
  from_version text NOT NULL,
  to_version text NOT NULL,
  outcome text NOT NULL,
  detail text NOT NULL DEFAULT '',
  rollout_id uuid,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX upgrade_reports_by_mac ON upgrade_reports (mac, id);
