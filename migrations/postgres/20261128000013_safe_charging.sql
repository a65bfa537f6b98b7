-- Safe charging: checkout authorises before its transaction and captures after the commit.
-- `order_payments` is the gateway side of an order's payment (`orders.payment_status` stays the
-- summary: none until captured, then paid, refunded); the mock gateway keeps its own ledger here
-- too, as a payment provider would on its side, so reconciliation can be tested.
CREATE TABLE order_payments (
    order_id        BIGINT  PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
    reference       TEXT    NOT NULL UNIQUE,          -- the gateway's authorisation
    state           TEXT    NOT NULL CHECK (state IN ('authorised', 'captured', 'capture_failed', 'voided')),
    amount_cents    BIGINT  NOT NULL CHECK (amount_cents >= 0),
    refunded_cents  BIGINT  NOT NULL DEFAULT 0 CHECK (refunded_cents >= 0),
    attention       TEXT,                             -- why staff must look at the order; empty when all is well
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX order_payments_state ON order_payments (state);

CREATE TABLE mock_gateway_authorisations (
    id               TEXT    PRIMARY KEY,
    idempotency_key  TEXT    NOT NULL UNIQUE,
    state            TEXT    NOT NULL CHECK (state IN ('declined', 'authorised', 'captured', 'voided')),
    decline          TEXT,
    amount_cents     BIGINT  NOT NULL,
    captured_cents   BIGINT  NOT NULL DEFAULT 0,
    refunded_cents   BIGINT  NOT NULL DEFAULT 0,
    card_brand       TEXT    NOT NULL,
    card_last4       TEXT    NOT NULL,
    behaviour        TEXT    NOT NULL,                -- normal, capture_fails, capture_slow (test cards)
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL
);
CREATE INDEX mock_gateway_open ON mock_gateway_authorisations (state, created_at);

CREATE TABLE mock_gateway_operations (
    idempotency_key   TEXT    PRIMARY KEY,
    authorisation_id  TEXT    NOT NULL REFERENCES mock_gateway_authorisations (id),
    kind              TEXT    NOT NULL CHECK (kind IN ('capture', 'void', 'refund')),
    amount_cents      BIGINT  NOT NULL,
    outcome           TEXT    NOT NULL,
    at                BIGINT  NOT NULL
);
