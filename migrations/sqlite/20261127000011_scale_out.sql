-- Keys the store generates for itself when the configuration gives none (the session cookie's
-- and the API tokens' signing keys): made once, then shared by every instance and restart.
CREATE TABLE store_secrets (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

-- The catalogue's version: every change to what listings and product pages show adds one, so
-- every instance drops its cached pages within a second of a change made by another.
CREATE TABLE catalog_changes (
    id       BIGINT PRIMARY KEY,
    version  BIGINT NOT NULL
);
INSERT INTO catalog_changes (id, version) VALUES (1, 0);
