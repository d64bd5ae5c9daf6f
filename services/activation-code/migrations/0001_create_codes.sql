-- Activation codes, stored only as keyed hashes (codes.h).
CREATE TABLE codes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partner text NOT NULL,
  batch_id uuid NOT NULL,
  code_hash text NOT NULL UNIQUE,
  last_digits text NOT NULL,
  model text NOT NULL DEFAULT '',
  mac text NOT NULL DEFAULT '',
  profile_rule text NOT NULL,
  registration_endpoint text NOT NULL DEFAULT '',
  account_ref text NOT NULL DEFAULT '',
  state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'used', 'revoked', 'expired')),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  redeemed_at timestamptz,
  redemption_id uuid,
  redeemed_mac text,
  redeemed_model text,
  redeemed_serial text,
  redeemed_firmware text,
  redeemed_source text,
  revoked_at timestamptz
);
-- ListCodes walks a partner's codes newest first.
CREATE INDEX codes_by_partner ON codes (partner, created_at DESC, id DESC);
-- The sweep finds active codes past their expiry.
CREATE INDEX codes_active_by_expiry ON codes (expires_at) WHERE state = 'active';

-- One row per CreateCodes idempotency key: the request's fingerprint and the
-- batch's codes sealed with AES-256-GCM, so a retry gets the same digits.
-- The sealed codes are dropped after a day.
CREATE TABLE batches (
  partner text NOT NULL,
  idempotency_key text NOT NULL,
  id uuid NOT NULL UNIQUE,
  request_sha256 text NOT NULL,
  sealed_codes text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (partner, idempotency_key)
);

-- Failed redemptions per fixed window, shared by every replica.
CREATE TABLE redeem_failures (
  scope text NOT NULL CHECK (scope IN ('source', 'mac', 'partner')),
  subject text NOT NULL,
  window_start timestamptz NOT NULL,
  failures integer NOT NULL,
  PRIMARY KEY (scope, subject, window_start)
);

-- Every create, revoke and redemption, successful or not.
CREATE TABLE audit (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  partner text,
  action text NOT NULL CHECK (action IN ('create', 'revoke', 'redeem')),
  code_id uuid,
  batch_id uuid,
  source text NOT NULL DEFAULT '',
  mac text NOT NULL DEFAULT '',
  outcome text NOT NULL,
  detail text NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_partner ON audit (partner, at DESC);
