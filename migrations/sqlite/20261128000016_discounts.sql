-- Vouchers and promotions.
--
-- A voucher is a set of rules staff create; shoppers redeem it through one of its codes (one
-- shared code such as a newsletter's, or a batch of single-use codes). Usage is counted on the
-- voucher and on the code by conditional updates inside the checkout transaction, so the last
-- use cannot be taken twice.
CREATE TABLE vouchers (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    name                TEXT    NOT NULL,
    kind                TEXT    NOT NULL CHECK (kind IN ('percent', 'fixed')),
    amount              BIGINT  NOT NULL CHECK (amount > 0),   -- percent (1–100) or cents
    min_basket_cents    BIGINT  NOT NULL DEFAULT 0 CHECK (min_basket_cents >= 0),
    starts_at           BIGINT,
    ends_at             BIGINT,
    usage_limit         BIGINT  CHECK (usage_limit > 0),       -- over all codes; none: unlimited
    per_customer_limit  BIGINT  CHECK (per_customer_limit > 0),
    used                BIGINT  NOT NULL DEFAULT 0,
    active              BIGINT  NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at          BIGINT  NOT NULL,
    CHECK (usage_limit IS NULL OR used <= usage_limit)
);
CREATE TABLE voucher_codes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    voucher_id  BIGINT  NOT NULL REFERENCES vouchers (id) ON DELETE CASCADE,
    code        TEXT    NOT NULL,                              -- upper case
    max_uses    BIGINT  CHECK (max_uses > 0),                  -- 1 for single-use codes
    used        BIGINT  NOT NULL DEFAULT 0,
    CHECK (max_uses IS NULL OR used <= max_uses)
);
CREATE UNIQUE INDEX voucher_codes_code ON voucher_codes (code);
CREATE INDEX voucher_codes_voucher ON voucher_codes (voucher_id, id);
-- What a voucher or promotion applies to; none listed: the whole basket.
CREATE TABLE voucher_products (
    voucher_id  BIGINT  NOT NULL REFERENCES vouchers (id) ON DELETE CASCADE,
    product_id  BIGINT  NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    PRIMARY KEY (voucher_id, product_id)
);
CREATE TABLE voucher_categories (
    voucher_id   BIGINT  NOT NULL REFERENCES vouchers (id) ON DELETE CASCADE,
    category_id  BIGINT  NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    PRIMARY KEY (voucher_id, category_id)
);
CREATE TABLE voucher_redemptions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    voucher_id      BIGINT  NOT NULL REFERENCES vouchers (id) ON DELETE CASCADE,
    code_id         BIGINT  NOT NULL REFERENCES voucher_codes (id) ON DELETE CASCADE,
    order_id        BIGINT  NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    user_id         BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    email           TEXT    NOT NULL,
    discount_cents  BIGINT  NOT NULL,
    at              BIGINT  NOT NULL
);
CREATE UNIQUE INDEX voucher_redemptions_order ON voucher_redemptions (order_id);
CREATE INDEX voucher_redemptions_email ON voucher_redemptions (voucher_id, email);
CREATE INDEX voucher_redemptions_user ON voucher_redemptions (voucher_id, user_id);

-- Automatic offers, no code needed: a percentage off, or "buy N pay M" on each line they cover.
CREATE TABLE promotions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('percent', 'buy_pay')),
    percent     BIGINT  CHECK (percent BETWEEN 1 AND 100),
    buy         BIGINT  CHECK (buy >= 2),
    pay         BIGINT  CHECK (pay >= 1),
    starts_at   BIGINT  NOT NULL,
    ends_at     BIGINT,
    active      BIGINT  NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  BIGINT  NOT NULL,
    CHECK (kind <> 'percent' OR percent IS NOT NULL),
    CHECK (kind <> 'buy_pay' OR (buy IS NOT NULL AND pay IS NOT NULL AND pay < buy))
);
CREATE TABLE promotion_products (
    promotion_id  BIGINT  NOT NULL REFERENCES promotions (id) ON DELETE CASCADE,
    product_id    BIGINT  NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    PRIMARY KEY (promotion_id, product_id)
);
CREATE TABLE promotion_categories (
    promotion_id  BIGINT  NOT NULL REFERENCES promotions (id) ON DELETE CASCADE,
    category_id   BIGINT  NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    PRIMARY KEY (promotion_id, category_id)
);

-- The code a cart carries until checkout.
ALTER TABLE carts ADD COLUMN voucher_code TEXT;
-- What the order's discounts took off (orders.total = subtotal − discount + shipping); each
-- line's line_total_cents is what was charged for it, after its discount_cents.
ALTER TABLE orders ADD COLUMN discount_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE order_lines ADD COLUMN discount_cents BIGINT NOT NULL DEFAULT 0;
CREATE TABLE order_discounts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id      BIGINT  NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    label         TEXT    NOT NULL,
    code          TEXT,
    amount_cents  BIGINT  NOT NULL
);
CREATE INDEX order_discounts_order ON order_discounts (order_id, id);
