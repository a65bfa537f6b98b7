-- Throttle counters: one row per key and fixed window, taken with one atomic upsert, so
-- concurrent requests (on several instances too) cannot all pass a check before any counts.
CREATE TABLE throttle_counters (
    counter_key   TEXT    PRIMARY KEY,
    window_start  BIGINT  NOT NULL,
    hits          BIGINT  NOT NULL
);
CREATE INDEX throttle_counters_window ON throttle_counters (window_start);

-- The sliding-window events they replace.
DROP TABLE rate_events;

-- Outgoing mail, written in the transaction of the change that causes it and delivered by a
-- background worker with retries, so no request waits for a mail server and no mail is lost.
CREATE TABLE mail_queue (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient        TEXT    NOT NULL,
    subject          TEXT    NOT NULL,
    content          TEXT    NOT NULL,                -- the message as JSON
    attachment       TEXT,                            -- what to attach, rendered at delivery (e.g. invoice:42)
    status           TEXT    NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
    attempts         BIGINT  NOT NULL,
    next_attempt_at  BIGINT  NOT NULL,
    claimed_until    BIGINT,                          -- a worker is delivering it until then
    last_error       TEXT,
    created_at       BIGINT  NOT NULL,
    sent_at          BIGINT
);
CREATE INDEX mail_queue_due ON mail_queue (status, next_attempt_at);
