-- The catalogue: categories, products, their images, the search index, and the admin audit log.

CREATE TABLE categories (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    slug        TEXT    NOT NULL
);
CREATE UNIQUE INDEX categories_slug ON categories (slug);

CREATE TABLE products (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    sku           TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    name_key      TEXT    NOT NULL,            -- lower-cased name, for sorting by name
    description   TEXT    NOT NULL,
    brand         TEXT    NOT NULL,
    brand_key     TEXT    NOT NULL,            -- lower-cased brand, for the brand filter
    category_id   BIGINT  NOT NULL REFERENCES categories (id),
    price_cents   BIGINT  NOT NULL CHECK (price_cents >= 0),
    stock         BIGINT  NOT NULL CHECK (stock >= 0),
    active        BIGINT  NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    popularity    BIGINT  NOT NULL DEFAULT 0,  -- a simple score until orders and reviews exist
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);
CREATE UNIQUE INDEX products_sku ON products (sku);
CREATE INDEX products_listing_new ON products (active, created_at);
CREATE INDEX products_listing_price ON products (active, price_cents);
CREATE INDEX products_listing_name ON products (active, name_key);
CREATE INDEX products_listing_popular ON products (active, popularity);
CREATE INDEX products_category ON products (category_id, active);
CREATE INDEX products_brand ON products (brand_key, active);

-- Images are files under the media folder named by their content hash.
CREATE TABLE product_images (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id    BIGINT  NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position      BIGINT  NOT NULL DEFAULT 0,
    file          TEXT    NOT NULL,            -- large version
    thumb         TEXT    NOT NULL,            -- grid thumbnail
    width         BIGINT  NOT NULL,
    height        BIGINT  NOT NULL,
    thumb_width   BIGINT  NOT NULL,
    thumb_height  BIGINT  NOT NULL,
    alt           TEXT    NOT NULL
);
CREATE INDEX product_images_product ON product_images (product_id, position);

-- Search index: the words of name, brand, SKU and description, matched by prefix through the
-- B-tree on (term), the same on SQLite and PostgreSQL.
CREATE TABLE product_terms (
    term        TEXT    NOT NULL,
    product_id  BIGINT  NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    weight      BIGINT  NOT NULL,
    PRIMARY KEY (term, product_id)
);
CREATE INDEX product_terms_product ON product_terms (product_id);

-- Who changed what in the admin, and when.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          BIGINT  NOT NULL,
    actor_id    BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    action      TEXT    NOT NULL,
    entity      TEXT    NOT NULL,
    entity_id   BIGINT,
    details     TEXT    NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
