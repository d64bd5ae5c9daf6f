-- Events of a partner's that are no one phone's (a rollout halted), sent by
-- other services for its webhooks. Their ids come from the timeline's
-- sequence, so an event id names one event of either kind.
CREATE TABLE device.partner_events (
  id bigint PRIMARY KEY DEFAULT nextval('device.events_id_seq'),
  partner text NOT NULL,
  type text NOT NULL,
  subject text NOT NULL,
  detail text NOT NULL,
  event_id text NOT NULL UNIQUE,  -- the sender's: sent again, recorded once
  at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE device.webhook_deliveries ADD COLUMN subject text NOT NULL DEFAULT '';

CREATE FUNCTION device.queue_partner_webhook_deliveries() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO device.webhook_deliveries (webhook_id, event_id, type, mac, detail, occurred_at, subject)
  SELECT w.id, e.id, e.type, '', e.detail, e.at, e.subject
  FROM recorded e
  JOIN device.webhooks w ON w.partner = e.partner AND e.type = ANY (w.events)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;

CREATE TRIGGER partner_events_queue_webhook_deliveries AFTER INSERT ON device.partner_events
  REFERENCING NEW TABLE AS recorded
  FOR EACH STATEMENT EXECUTE FUNCTION device.queue_partner_webhook_deliveries();
