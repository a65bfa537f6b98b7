-- JSON API tokens. Access tokens are JWTs and are not stored; each carries the id of the family
-- it belongs to (`sid`). A family is one API sign-in: its refresh tokens rotate on every use,
-- and presenting a used one revokes the family (a stolen token was replayed).

CREATE TABLE api_token_families (
    id          TEXT    PRIMARY KEY,                 -- random, hex
    user_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,                    -- that of its newest refresh token
    revoked_at  BIGINT,
    revoked_why TEXT
);
CREATE INDEX api_token_families_user ON api_token_families (user_id);
CREATE INDEX api_token_families_expires ON api_token_families (expires_at);

-- Refresh tokens: opaque random values; only their SHA-256 is kept.
CREATE TABLE api_refresh_tokens (
    token_hash  TEXT    PRIMARY KEY,
    family_id   TEXT    NOT NULL REFERENCES api_token_families (id) ON DELETE CASCADE,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    used_at     BIGINT
);
CREATE INDEX api_refresh_tokens_family ON api_refresh_tokens (family_id);

-- Access tokens revoked before they expire (logout), by `jti`, kept until they would expire.
CREATE TABLE api_revoked_access (
    jti         TEXT    PRIMARY KEY,
    expires_at  BIGINT  NOT NULL
);
CREATE INDEX api_revoked_access_expires ON api_revoked_access (expires_at);
