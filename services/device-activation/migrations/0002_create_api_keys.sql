-- Partners' REST API keys: the public id and the SHA-256 of the secret.
-- Secrets are 32 random bytes, so a plain hash is as strong as a slow one.
CREATE TABLE device.api_keys (
  id text PRIMARY KEY,
  partner text NOT NULL,
  name text NOT NULL,
  secret_sha256 text NOT NULL,
  create_time timestamptz NOT NULL DEFAULT now(),
  revoke_time timestamptz
);
CREATE INDEX api_keys_by_partner ON device.api_keys (partner, id);
