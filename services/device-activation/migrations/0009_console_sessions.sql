-- The partner console's sessions: each stands for the API key it was
-- started with, kept as the SHA-256 of its 32 random bytes. Live while not
-- ended, not expired and its key not revoked.
CREATE TABLE device.console_sessions (
  id text PRIMARY KEY,
  api_key_id text NOT NULL REFERENCES device.api_keys (id),
  secret_sha256 text NOT NULL,
  start_time timestamptz NOT NULL DEFAULT now(),
  expire_time timestamptz NOT NULL,
  end_time timestamptz
);
-- Ended and expired sessions are deleted by the next start after a day.
CREATE INDEX console_sessions_by_expiry ON device.console_sessions (expire_time);
