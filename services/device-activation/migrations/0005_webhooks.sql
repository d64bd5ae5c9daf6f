-- Partners' webhooks, and the events queued for them. An event is queued
-- by a trigger in the same transaction that records it on the phone's
-- timeline (device.events), whichever code path records it: the queue
-- cannot miss an event or hold one that was rolled back.
CREATE TABLE device.webhooks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  partner text NOT NULL,
  url text NOT NULL,
  secret text NOT NULL,  -- the HMAC key deliveries are signed with
  events text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_by_partner ON device.webhooks (partner, created_at, id);

CREATE TABLE device.webhook_deliveries (
  id bigserial PRIMARY KEY,
  webhook_id uuid NOT NULL REFERENCES device.webhooks (id) ON DELETE CASCADE,
  event_id bigint NOT NULL,  -- device.events.id
  type text NOT NULL,
  mac text NOT NULL,
  detail text NOT NULL,
  occurred_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_status integer NOT NULL DEFAULT 0,
  last_error text NOT NULL DEFAULT '',
  delivered_at timestamptz,
  failed_at timestamptz,
  UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON device.webhook_deliveries (next_attempt_at)
  WHERE delivered_at IS NULL AND failed_at IS NULL;

-- The webhook type of a timeline event's kind; NULL for kinds partners
-- are not sent.
CREATE FUNCTION device.webhook_type(kind text) RETURNS text
IMMUTABLE LANGUAGE sql AS $$
  SELECT CASE kind
    WHEN 'claimed' THEN 'phone.claimed'
    WHEN 'lookup' THEN 'phone.redirected'
    WHEN 'registered' THEN 'phone.registered'
    WHEN 'acquired' THEN 'phone.acquired'
    WHEN 'upgrade_succeeded' THEN 'phone.upgrade_succeeded'
    WHEN 'upgrade_failed' THEN 'phone.upgrade_failed'
  END
$$;

-- Once per statement (a bulk claim inserts thousands of events in one).
CREATE FUNCTION device.queue_webhook_deliveries() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO device.webhook_deliveries (webhook_id, event_id, type, mac, detail, occurred_at)
  SELECT w.id, e.id, device.webhook_type(e.kind), e.mac, e.detail, e.at
  FROM recorded e
  JOIN device.devices d ON d.mac = e.mac
  JOIN device.webhooks w ON w.partner = d.partner AND device.webhook_type(e.kind) = ANY (w.events)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;

CREATE TRIGGER events_queue_webhook_deliveries AFTER INSERT ON device.events
  REFERENCING NEW TABLE AS recorded
  FOR EACH STATEMENT EXECUTE FUNCTION device.queue_webhook_deliveries();
