-- Phones' syslog lines, a ring of the newest per phone (RecordLogs prunes).
CREATE TABLE device.phone_logs (
  id bigserial PRIMARY KEY,
  mac text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  facility integer NOT NULL,
  severity integer NOT NULL,
  hostname text NOT NULL,
  app_name text NOT NULL,
  text text NOT NULL,
  source text NOT NULL
);
CREATE INDEX phone_logs_by_mac ON device.phone_logs (mac, id);
