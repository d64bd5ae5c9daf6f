ALTER TABLE widgets ADD COLUMN color text NOT NULL DEFAULT 'grey';
INSERT INTO widgets (name) VALUES ('first');
