-- Guest checkout: an order (and its payment) may belong to no account.
ALTER TABLE orders ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE payments ALTER COLUMN user_id DROP NOT NULL;
-- A guest's orders are found by their address when they make an account.
CREATE INDEX orders_guest_email ON orders (email, user_id);

-- Links mailed to a guest to follow an order (tracking, invoice) without an account: each mail
-- carries a new one; only the SHA-256 of the token is kept.
CREATE TABLE order_links (
    token_hash  TEXT    PRIMARY KEY,
    order_id    BIGINT  NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL
);
