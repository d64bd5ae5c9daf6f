-- Per-device encryption settings, and several keys per device for rotation.
ALTER TABLE layers ADD COLUMN encryption text NOT NULL DEFAULT ''
  CHECK (encryption IN ('', 'aes-256-cbc', 'aes128gcm'));
ALTER TABLE layers ADD COLUMN always_encrypt boolean NOT NULL DEFAULT false;

ALTER TABLE device_keys ADD COLUMN number integer NOT NULL DEFAULT 1;
ALTER TABLE device_keys DROP CONSTRAINT device_keys_pkey;
ALTER TABLE device_keys ADD PRIMARY KEY (mac, number);
