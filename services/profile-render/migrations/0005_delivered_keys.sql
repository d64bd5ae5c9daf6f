-- The key a phone holds: handed to it in an onboarding answer it proved
-- itself for (DeliverDeviceKey), with the cipher it was handed for. Every
-- profile the phone gets from then on is encrypted with it.
ALTER TABLE device_keys ADD COLUMN delivered_at timestamptz;
ALTER TABLE device_keys ADD COLUMN delivered_encryption text
  CHECK (delivered_encryption IN ('aes-256-cbc', 'aes128gcm'));
