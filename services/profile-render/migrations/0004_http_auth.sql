-- HTTP authentication a partner puts on its phones' profiles: the realm,
-- the user name and HA1 = MD5(username:realm:password), enough to check
-- both Basic and Digest without keeping the password.
CREATE TABLE http_auth (
  partner text PRIMARY KEY,
  realm text NOT NULL,
  username text NOT NULL,
  ha1 text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
