-- Whose layers a delivered profile came from: a phone's next owner never
-- sees what its last owner's profiles held, even a delivery record that a
-- replica writes just after the release.
ALTER TABLE deliveries ADD COLUMN partner text NOT NULL DEFAULT '';
