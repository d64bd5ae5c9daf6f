-- Parameter layers. Parameters are lines of "name TAB ua TAB secret TAB
-- value" (values hold no tabs or newlines: PutLayer refuses them).
CREATE TABLE layers (
  partner text NOT NULL,  -- '' for the operator's global and model layers
  scope text NOT NULL CHECK (scope IN ('global', 'model', 'partner', 'site', 'device')),
  key text NOT NULL,
  version bigint NOT NULL,
  parameters text NOT NULL,
  site text NOT NULL DEFAULT '',  -- device layers: the site whose layer applies
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (partner, scope, key)
);
-- Render finds a phone by its device layer.
CREATE UNIQUE INDEX layers_device_by_mac ON layers (key) WHERE scope = 'device';

CREATE TABLE templates (
  partner text PRIMARY KEY,
  version bigint NOT NULL,
  text text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Bumped by every layer or template write: the render cache's key.
CREATE TABLE generation (
  id integer PRIMARY KEY CHECK (id = 1),
  value bigint NOT NULL
);
INSERT INTO generation VALUES (1, 1);

-- Per-device profile keys, sealed with the key-encryption key.
CREATE TABLE device_keys (
  mac text PRIMARY KEY,
  key_id text NOT NULL,
  sealed_key text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Profiles delivered, newest kept: If-None-Match, Diff and the timeline.
CREATE TABLE deliveries (
  id bigserial PRIMARY KEY,
  mac text NOT NULL,
  etag text NOT NULL,
  parameters text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deliveries_by_mac ON deliveries (mac, id DESC);

-- POST resync bodies and Report_Rule reports, newest kept.
CREATE TABLE reports (
  id bigserial PRIMARY KEY,
  mac text NOT NULL,
  body text NOT NULL,  -- base64
  parameters integer NOT NULL,
  source text NOT NULL DEFAULT '',
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reports_by_mac ON reports (mac, id DESC);
