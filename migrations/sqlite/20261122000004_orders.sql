-- Carts, orders with their status history, payments and invoices.

-- A cart belongs to a customer, or to a guest's session (by a random token kept in the session).
CREATE TABLE carts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     BIGINT  REFERENCES users (id) ON DELETE CASCADE,
    token       TEXT,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE UNIQUE INDEX carts_user ON carts (user_id);
CREATE UNIQUE INDEX carts_token ON carts (token);

CREATE TABLE cart_items (
    cart_id     BIGINT  NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    product_id  BIGINT  NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    quantity    BIGINT  NOT NULL CHECK (quantity > 0),
    added_at    BIGINT  NOT NULL,
    PRIMARY KEY (cart_id, product_id)
);

CREATE TABLE orders (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id          BIGINT  NOT NULL REFERENCES users (id),
    status           TEXT    NOT NULL CHECK (status IN ('pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded')),
    checkout_token   TEXT    NOT NULL,             -- one per checkout form: a resubmission finds this order
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
CREATE UNIQUE INDEX orders_checkout_token ON orders (checkout_token);
CREATE INDEX orders_user ON orders (user_id, created_at);
CREATE INDEX orders_status ON orders (status, created_at);

-- Prices and names are copied at checkout: later product changes do not touch an order.
-- No ON DELETE: a product that was ordered cannot be deleted (it is deactivated instead).
CREATE TABLE order_lines (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id          BIGINT  NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id        BIGINT  NOT NULL REFERENCES products (id),
    sku               TEXT    NOT NULL,
    name              TEXT    NOT NULL,
    unit_price_cents  BIGINT  NOT NULL,
    quantity          BIGINT  NOT NULL CHECK (quantity > 0),
    line_total_cents  BIGINT  NOT NULL
);
CREATE INDEX order_lines_order ON order_lines (order_id);
CREATE INDEX order_lines_product ON order_lines (product_id);

-- The status history (the tracking view).
CREATE TABLE order_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id  BIGINT  NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    status    TEXT    NOT NULL,
    note      TEXT    NOT NULL,
    actor_id  BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    at        BIGINT  NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id, id);

-- Every payment attempt, also declined ones (kept for the record; never an order).
CREATE TABLE payments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       BIGINT  NOT NULL REFERENCES users (id),
    order_id      BIGINT  REFERENCES orders (id) ON DELETE SET NULL,
    outcome       TEXT    NOT NULL,                -- succeeded, declined, insufficient_funds, refunded
    amount_cents  BIGINT  NOT NULL,
    card_brand    TEXT    NOT NULL,
    card_last4    TEXT    NOT NULL,
    at            BIGINT  NOT NULL
);
CREATE INDEX payments_order ON payments (order_id);

-- Invoice numbers are gap-free per year: the counter row is taken inside the paying transaction.
CREATE TABLE invoice_counters (
    year  BIGINT  PRIMARY KEY,
    last  BIGINT  NOT NULL
);

CREATE TABLE invoices (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id   BIGINT  NOT NULL REFERENCES orders (id),
    number     TEXT    NOT NULL,
    issued_at  BIGINT  NOT NULL,
    snapshot   TEXT    NOT NULL                    -- JSON: seller, buyer, lines, VAT, totals as issued
);
CREATE UNIQUE INDEX invoices_order ON invoices (order_id);
CREATE UNIQUE INDEX invoices_number ON invoices (number);
