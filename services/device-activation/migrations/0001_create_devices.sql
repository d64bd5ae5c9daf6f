-- Redirect profiles; a name of 3-16 digits is a short activation code,
-- unique across the fleet. The target (rule and parameters) is a serialised
-- onramp.device.v1.RedirectTarget in base64.
CREATE TABLE redirect_profiles (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partner text NOT NULL,
  name text NOT NULL,
  short_code boolean NOT NULL,
  target text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (partner, name)
);
CREATE UNIQUE INDEX redirect_profiles_short_codes ON redirect_profiles (name) WHERE short_code;

-- Claimed phones, one row per MAC ($MA form): a phone has one owner.
CREATE TABLE devices (
  mac text PRIMARY KEY,
  partner text NOT NULL,
  serial text NOT NULL DEFAULT '',
  model text NOT NULL DEFAULT '',
  target text,  -- as redirect_profiles.target, when claimed with one
  redirect_profile_id uuid REFERENCES redirect_profiles (id),
  claimed_at timestamptz NOT NULL DEFAULT now(),
  registered boolean NOT NULL DEFAULT false,
  certificate_serial text NOT NULL DEFAULT '',
  credential_hash text,          -- SHA-256 of the one-time registration credential
  credential_expires_at timestamptz,
  CHECK ((target IS NULL) <> (redirect_profile_id IS NULL))
);
CREATE INDEX devices_by_partner ON devices (partner, mac);

-- What each phone last reported, claimed or not.
CREATE TABLE device_states (
  mac text PRIMARY KEY,
  state text NOT NULL,
  detail text NOT NULL DEFAULT '',
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every event of a phone, in order: the onboarding timeline.
CREATE TABLE events (
  id bigserial PRIMARY KEY,
  mac text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  kind text NOT NULL,
  detail text NOT NULL DEFAULT '',
  source text NOT NULL DEFAULT ''
);
CREATE INDEX events_by_mac ON events (mac, id);

CREATE TABLE certificates (
  serial text PRIMARY KEY,
  mac text NOT NULL,
  issued_at timestamptz NOT NULL DEFAULT now(),
  not_after timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX certificates_by_mac ON certificates (mac);

-- ClaimDevices idempotency keys and the answer they got.
CREATE TABLE claim_requests (
  partner text NOT NULL,
  idempotency_key text NOT NULL,
  request_sha256 text NOT NULL,
  response text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (partner, idempotency_key)
);

-- Misses of Lookup and ResolveShortCode per window (lib/rate_limit).
CREATE TABLE lookup_failures (
  scope text NOT NULL,
  subject text NOT NULL,
  window_start timestamptz NOT NULL,
  failures integer NOT NULL,
  PRIMARY KEY (scope, subject, window_start)
);
