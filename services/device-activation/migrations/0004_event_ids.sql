-- Events other services send carry an id of the sender's making, so a
-- batch sent again (its answer was lost, or the call timed out) is
-- recorded once.
ALTER TABLE device.events ADD COLUMN event_id text;
CREATE UNIQUE INDEX events_by_id ON device.events (event_id) WHERE event_id IS NOT NULL;
