-- A partner's key for a create request: a retry with the same key gets the
-- rollout the first one made.
ALTER TABLE rollouts ADD COLUMN idempotency_key text;
CREATE UNIQUE INDEX rollouts_by_idempotency_key ON rollouts (partner, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
