-- A table for the migration runner's tests.
CREATE TABLE widgets (
  id bigserial PRIMARY KEY,
  name text NOT NULL UNIQUE
);
