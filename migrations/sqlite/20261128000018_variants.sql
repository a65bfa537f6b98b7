-- no-transaction
-- Product variants: a product may have up to three options (size, colour, …) and a variant per
-- combination with its own SKU, price (or the product's), stock and picture. A product's stock
-- is then the sum of its variants' (kept in the same transactions). A cart line is a product and
-- a variant (0: none), so `cart_items` gets a wider primary key: SQLite rebuilds the table (its
-- documented procedure, in one transaction of our own); PostgreSQL alters it.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE product_options (
    product_id  BIGINT  NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position    BIGINT  NOT NULL CHECK (position BETWEEN 1 AND 3),
    name        TEXT    NOT NULL,
    PRIMARY KEY (product_id, position)
);
CREATE TABLE product_variants (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id   BIGINT  NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    sku          TEXT    NOT NULL UNIQUE,
    option1      TEXT    NOT NULL DEFAULT '',
    option2      TEXT    NOT NULL DEFAULT '',
    option3      TEXT    NOT NULL DEFAULT '',
    price_cents  BIGINT  CHECK (price_cents >= 0),        -- none: the product's price
    stock        BIGINT  NOT NULL CHECK (stock >= 0),
    image        TEXT,                                    -- a file of the media folder
    active       BIGINT  NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    position     BIGINT  NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX product_variants_options ON product_variants (product_id, option1, option2, option3);

CREATE TABLE cart_items_new (
    cart_id     BIGINT  NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    product_id  BIGINT  NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    variant_id  BIGINT  NOT NULL DEFAULT 0,
    quantity    BIGINT  NOT NULL CHECK (quantity > 0),
    added_at    BIGINT  NOT NULL,
    PRIMARY KEY (cart_id, product_id, variant_id)
);
INSERT INTO cart_items_new (cart_id, product_id, variant_id, quantity, added_at)
    SELECT cart_id, product_id, 0, quantity, added_at FROM cart_items;
DROP TABLE cart_items;
ALTER TABLE cart_items_new RENAME TO cart_items;

-- The variant an order line was (its SKU and name are copied as they were).
ALTER TABLE order_lines ADD COLUMN variant_id BIGINT;

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
