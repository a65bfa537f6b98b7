-- The back office: staff roles, support requests, and indexes for the dashboard's figures.

-- Staff hold one or more roles; an account without any is a customer. The single `role` column
-- could only say customer or admin, so the admins move here and the column goes.
CREATE TABLE staff_roles (
    user_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT    NOT NULL CHECK (role IN ('admin', 'catalog', 'orders', 'support')),
    granted_at  BIGINT  NOT NULL,
    PRIMARY KEY (user_id, role)
);
CREATE INDEX staff_roles_role ON staff_roles (role);
INSERT INTO staff_roles (user_id, role, granted_at) SELECT id, 'admin', updated_at FROM users WHERE role = 'admin';
ALTER TABLE users DROP COLUMN role;
CREATE INDEX users_created ON users (created_at);

-- A conversation between the shop and a customer (or a guest who wrote through the contact
-- form: then `user_id` is empty and `email` is where replies go).
CREATE TABLE support_requests (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    email       TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    order_id    BIGINT  REFERENCES orders (id) ON DELETE SET NULL,
    status      TEXT    NOT NULL CHECK (status IN ('open', 'waiting', 'closed')),
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE INDEX support_requests_status ON support_requests (status, updated_at);
CREATE INDEX support_requests_user ON support_requests (user_id, updated_at);
CREATE INDEX support_requests_newest ON support_requests (updated_at);

CREATE TABLE support_messages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id  BIGINT  NOT NULL REFERENCES support_requests (id) ON DELETE CASCADE,
    author_id   BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    from_staff  BIGINT  NOT NULL CHECK (from_staff IN (0, 1)),
    body        TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL
);
CREATE INDEX support_messages_request ON support_messages (request_id, id);

-- Links mailed to a guest to follow their request without an account: each mail carries a new
-- one; only the SHA-256 of the token is kept.
CREATE TABLE support_links (
    token_hash  TEXT    PRIMARY KEY,
    request_id  BIGINT  NOT NULL REFERENCES support_requests (id) ON DELETE CASCADE,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL
);

-- The dashboard reads orders by day: this index answers revenue and counts without the table.
CREATE INDEX orders_created ON orders (created_at, status, total_cents);
-- A customer's sign-in activity on the staff's customer page.
CREATE INDEX auth_events_user ON auth_events (user_id, id);
