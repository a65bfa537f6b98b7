-- The address book and shipping methods.

-- A customer's saved addresses; orders keep a copy of the ones they used.
CREATE TABLE addresses (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    street      TEXT    NOT NULL,
    postcode    TEXT    NOT NULL,
    city        TEXT    NOT NULL,
    country     TEXT    NOT NULL,                      -- ISO 3166-1 alpha-2
    phone       TEXT    NOT NULL DEFAULT '',
    created_at  BIGINT  NOT NULL
);
CREATE INDEX addresses_user ON addresses (user_id, id);
ALTER TABLE users ADD COLUMN default_shipping_address_id BIGINT REFERENCES addresses (id) ON DELETE SET NULL;
ALTER TABLE users ADD COLUMN default_billing_address_id BIGINT REFERENCES addresses (id) ON DELETE SET NULL;

-- Methods (standard, express, pick-up) and their price per group of countries. A rate's
-- `countries` is a comma-separated list of ISO codes, or `*` for every country no other rate
-- of the method names. No rate for a country: the method is not offered there.
CREATE TABLE shipping_methods (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    code         TEXT    NOT NULL UNIQUE,
    name         TEXT    NOT NULL,
    description  TEXT    NOT NULL,
    position     BIGINT  NOT NULL,
    active       BIGINT  NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
CREATE TABLE shipping_rates (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    method_id        BIGINT  NOT NULL REFERENCES shipping_methods (id) ON DELETE CASCADE,
    zone             TEXT    NOT NULL,                 -- its name for staff: "Germany", "EU"
    countries        TEXT    NOT NULL,
    price_cents      BIGINT  NOT NULL CHECK (price_cents >= 0),
    free_over_cents  BIGINT  CHECK (free_over_cents >= 0),
    position         BIGINT  NOT NULL
);
CREATE INDEX shipping_rates_method ON shipping_rates (method_id, position);

-- What an order was shipped with, where to, and who is billed when that is someone else.
ALTER TABLE orders ADD COLUMN shipping_method TEXT;
ALTER TABLE orders ADD COLUMN shipping_country TEXT;
ALTER TABLE orders ADD COLUMN billing_address TEXT;
