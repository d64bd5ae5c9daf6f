-- Failed redemptions count against the code that was tried, no longer
-- against its partner: strangers replaying one used code could spend a
-- partner's whole budget and lock out its fresh codes.
DELETE FROM redeem_failures WHERE scope = 'partner';
ALTER TABLE redeem_failures DROP CONSTRAINT redeem_failures_scope_check;
ALTER TABLE redeem_failures ADD CONSTRAINT redeem_failures_scope_check CHECK (scope IN ('source', 'mac', 'code'));
