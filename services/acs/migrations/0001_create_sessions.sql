-- CWMP sessions between a phone's POSTs: any replica takes the next one.
CREATE TABLE acs.sessions (
  id text PRIMARY KEY,
  mac text NOT NULL,
  state text NOT NULL,  -- base64 of onramp.acs.v1.SessionState
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_by_age ON acs.sessions (updated_at);
