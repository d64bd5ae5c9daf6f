-- Device layers: gzip the phone's profiles (phones tell gzip by its header).
ALTER TABLE layers ADD COLUMN gzip boolean NOT NULL DEFAULT false;
