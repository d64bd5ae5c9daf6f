-- What makes a phone's redirect answer carry its secrets: its factory
-- certificate, or (for old phones, chosen per claim) its MAC alone.
ALTER TABLE device.devices ADD COLUMN trust text NOT NULL DEFAULT 'factory_certificate'
  CHECK (trust IN ('factory_certificate', 'mac_only'));

-- The gateways read recent revocations every second.
CREATE INDEX certificates_by_revocation ON device.certificates (revoked_at) WHERE revoked_at IS NOT NULL;
