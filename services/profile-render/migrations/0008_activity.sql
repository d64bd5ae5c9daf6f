-- GetDeviceActivity: the firmware a phone said it runs at each resync, and
-- whether a report was proven to come from the phone.
ALTER TABLE deliveries ADD COLUMN firmware_version text NOT NULL DEFAULT '';
ALTER TABLE reports ADD COLUMN authenticated boolean NOT NULL DEFAULT false;
