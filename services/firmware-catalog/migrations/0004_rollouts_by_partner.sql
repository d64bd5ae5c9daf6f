-- ListRollouts: a partner's rollouts, newest first.
CREATE INDEX rollouts_by_partner ON rollouts (partner, created_at DESC);
