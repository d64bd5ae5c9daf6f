-- Webhook secrets are sealed (AES-256-GCM under --webhook_key_encryption_key,
-- base64): the database alone does not give what signs a partner's events.
COMMENT ON COLUMN device.webhooks.secret IS 'sealed HMAC key, base64';
