-- A halt is told to the partner's webhooks (device-activation
-- RecordPartnerEvent) after it is saved: halted_at marks each halt, and
-- halt_noticed_at its notice, so a notice that did not get through is sent
-- again by the next sweep.
ALTER TABLE firmware.rollouts ADD COLUMN halted_at timestamptz;
ALTER TABLE firmware.rollouts ADD COLUMN halt_noticed_at timestamptz;
CREATE INDEX rollouts_halt_unnoticed ON firmware.rollouts (halted_at)
  WHERE halted_at IS NOT NULL AND halt_noticed_at IS NULL;
