-- Accounts, email tokens, server-side sessions, sign-in audit and throttling.
-- Portable types only (see src/db/mod.rs): timestamps are unix seconds, flags are 0/1.

CREATE TABLE users (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    username          TEXT    NOT NULL,
    username_key      TEXT    NOT NULL,          -- lower-cased username: unique regardless of case
    email             TEXT    NOT NULL,          -- trimmed and lower-cased
    first_name        TEXT    NOT NULL,
    last_name         TEXT    NOT NULL,
    password_hash     TEXT    NOT NULL,
    address           TEXT    NOT NULL,
    phone             TEXT    NOT NULL,
    title             TEXT,
    birthday          TEXT,                      -- YYYY-MM-DD
    role              TEXT    NOT NULL DEFAULT 'customer' CHECK (role IN ('customer', 'admin')),
    email_verified_at BIGINT,
    active            BIGINT  NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at        BIGINT  NOT NULL,
    updated_at        BIGINT  NOT NULL
);
CREATE UNIQUE INDEX users_username_key ON users (username_key);
CREATE UNIQUE INDEX users_email_key ON users (email);

-- One-time links mailed to a user; only the SHA-256 of the token is stored.
CREATE TABLE email_tokens (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     TEXT    NOT NULL CHECK (purpose IN ('verify_email', 'change_email', 'reset_password')),
    token_hash  TEXT    NOT NULL,
    email       TEXT    NOT NULL,                -- the address the link was sent to
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    used_at     BIGINT
);
CREATE UNIQUE INDEX email_tokens_hash ON email_tokens (token_hash);
CREATE INDEX email_tokens_user ON email_tokens (user_id, purpose);

-- Server-side sessions (actix-session store). `id` is the SHA-256 of the cookie's session key.
CREATE TABLE sessions (
    id            TEXT    PRIMARY KEY,
    user_id       BIGINT  REFERENCES users (id) ON DELETE CASCADE,
    state         TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    last_seen_at  BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Audit of authentication events (never a password). Also the source of the sign-in throttle.
CREATE TABLE auth_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           BIGINT  NOT NULL,
    event        TEXT    NOT NULL,
    user_id      BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    account_key  TEXT    NOT NULL,
    ip           TEXT    NOT NULL
);
CREATE INDEX auth_events_account ON auth_events (account_key, at);
CREATE INDEX auth_events_ip ON auth_events (ip, at);

CREATE TABLE login_locks (
    lock_key      TEXT    PRIMARY KEY,
    locked_until  BIGINT  NOT NULL
);

-- Generic fixed-window counters for abuse-prone actions (registration, reset and verification mails).
CREATE TABLE rate_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind      TEXT    NOT NULL,
    rate_key  TEXT    NOT NULL,
    at        BIGINT  NOT NULL
);
CREATE INDEX rate_events_lookup ON rate_events (kind, rate_key, at);
