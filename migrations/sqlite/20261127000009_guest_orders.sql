-- no-transaction
-- Guest checkout: an order (and its payment) may belong to no account. SQLite cannot drop a
-- NOT NULL constraint, so `orders` and `payments` are rebuilt (its documented procedure: foreign
-- keys off, copy, swap, check, on) in one transaction of our own; PostgreSQL alters the columns.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE orders_new (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id          BIGINT  REFERENCES users (id),          -- empty for a guest's order
    status           TEXT    NOT NULL CHECK (status IN ('pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded')),
    checkout_token   TEXT    NOT NULL,
    email            TEXT    NOT NULL,
    customer_name    TEXT    NOT NULL,
    shipping_address TEXT    NOT NULL,
    currency         TEXT    NOT NULL,
    vat_percent      BIGINT  NOT NULL,
    subtotal_cents   BIGINT  NOT NULL,
    shipping_cents   BIGINT  NOT NULL,
    total_cents      BIGINT  NOT NULL,
    net_cents        BIGINT  NOT NULL,
    vat_cents        BIGINT  NOT NULL,
    card_brand       TEXT,
    card_last4       TEXT,
    payment_status   TEXT    NOT NULL CHECK (payment_status IN ('none', 'paid', 'refunded')),
    tracking_number  TEXT,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL
);
INSERT INTO orders_new SELECT id, user_id, status, checkout_token, email, customer_name,
    shipping_address, currency, vat_percent, subtotal_cents, shipping_cents, total_cents, net_cents,
    vat_cents, card_brand, card_last4, payment_status, tracking_number, created_at, updated_at FROM orders;
DROP TABLE orders;
ALTER TABLE orders_new RENAME TO orders;
CREATE UNIQUE INDEX orders_checkout_token ON orders (checkout_token);
CREATE INDEX orders_user ON orders (user_id, created_at);
CREATE INDEX orders_status ON orders (status, created_at);
CREATE INDEX orders_created ON orders (created_at, status, total_cents);
-- A guest's orders are found by their address when they make an account.
CREATE INDEX orders_guest_email ON orders (email, user_id);

CREATE TABLE payments_new (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       BIGINT  REFERENCES users (id),             -- empty for a guest's payment
    order_id      BIGINT  REFERENCES orders (id) ON DELETE SET NULL,
    outcome       TEXT    NOT NULL,
    amount_cents  BIGINT  NOT NULL,
    card_brand    TEXT    NOT NULL,
    card_last4    TEXT    NOT NULL,
    at            BIGINT  NOT NULL
);
INSERT INTO payments_new SELECT id, user_id, order_id, outcome, amount_cents, card_brand, card_last4, at FROM payments;
DROP TABLE payments;
ALTER TABLE payments_new RENAME TO payments;
CREATE INDEX payments_order ON payments (order_id);

-- Links mailed to a guest to follow an order (tracking, invoice) without an account: each mail
-- carries a new one; only the SHA-256 of the token is kept.
CREATE TABLE order_links (
    token_hash  TEXT    PRIMARY KEY,
    order_id    BIGINT  NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL
);

COMMIT;
PRAGMA foreign_keys = ON;
