-- Credit notes: each refund (of some lines, quantities and optionally shipping) and each
-- cancellation of a paid order issues one, with its own gap-free number series per year and an
-- immutable snapshot like the invoice's. The invoice itself never changes.
CREATE TABLE credit_note_counters (
    year  BIGINT  PRIMARY KEY,
    last  BIGINT  NOT NULL
);
CREATE TABLE credit_notes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id     BIGINT  NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    number       TEXT    NOT NULL UNIQUE,
    issued_at    BIGINT  NOT NULL,
    total_cents  BIGINT  NOT NULL CHECK (total_cents >= 0),
    snapshot     TEXT    NOT NULL
);
CREATE INDEX credit_notes_order ON credit_notes (order_id, id);
CREATE INDEX credit_notes_issued ON credit_notes (issued_at);
-- What has been credited of each line and of the shipping (never more than was bought).
ALTER TABLE order_lines ADD COLUMN refunded_quantity BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN shipping_refunded BIGINT NOT NULL DEFAULT 0;
-- Invoices are listed by date in the accounting export.
CREATE INDEX invoices_issued ON invoices (issued_at);
