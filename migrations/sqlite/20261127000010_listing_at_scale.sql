-- Listings at scale. The search index carries what a listing filters on (on sale, category,
-- brand, price), and one covering index holds all of it: a search reads its matches, filters,
-- scores and facets from one index range without visiting the products (SQLite and PostgreSQL
-- alike; PostgreSQL once the visibility map is set, which `seed-demo` and autovacuum do).
ALTER TABLE product_terms ADD COLUMN active BIGINT NOT NULL DEFAULT 1;
ALTER TABLE product_terms ADD COLUMN category_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE product_terms ADD COLUMN brand_key TEXT NOT NULL DEFAULT '';
ALTER TABLE product_terms ADD COLUMN price_cents BIGINT NOT NULL DEFAULT 0;
UPDATE product_terms AS t SET active = p.active, category_id = p.category_id,
    brand_key = p.brand_key, price_cents = p.price_cents
    FROM products p WHERE p.id = t.product_id;
CREATE INDEX product_terms_listing
    ON product_terms (term, product_id, weight, active, category_id, brand_key, price_cents);

-- Products on sale per category, brand and price band (whole currency units: price_cents / 100),
-- kept up to date with every product write, so the total and the facets of a listing without
-- search words need no count over the catalogue; under a price filter only the products of the
-- two bands at its edges are counted one by one.
CREATE TABLE catalog_counts (
    category_id  BIGINT  NOT NULL REFERENCES categories (id),
    brand_key    TEXT    NOT NULL,
    price_band   BIGINT  NOT NULL,
    brand        TEXT    NOT NULL,
    products     BIGINT  NOT NULL,
    PRIMARY KEY (category_id, brand_key, price_band)
);
INSERT INTO catalog_counts (category_id, brand_key, price_band, brand, products)
    SELECT category_id, brand_key, price_cents / 100, MIN(brand), COUNT(*) FROM products
    WHERE active = 1 GROUP BY category_id, brand_key, price_cents / 100;
-- The same per category and brand only (a few hundred rows), for listings without a price
-- filter, and the brand facet's label (as first written).
CREATE TABLE catalog_brand_counts (
    category_id  BIGINT  NOT NULL REFERENCES categories (id),
    brand_key    TEXT    NOT NULL,
    brand        TEXT    NOT NULL,
    products     BIGINT  NOT NULL,
    PRIMARY KEY (category_id, brand_key)
);
INSERT INTO catalog_brand_counts (category_id, brand_key, brand, products)
    SELECT category_id, brand_key, MIN(brand), COUNT(*) FROM products WHERE active = 1
    GROUP BY category_id, brand_key;
CREATE INDEX catalog_brand_counts_brand ON catalog_brand_counts (brand_key, brand);

-- A brand's listing in the default order, read from an index.
CREATE INDEX products_brand_popular ON products (brand_key, active, popularity);

-- A price-filtered listing counts and facets from this index alone.
CREATE INDEX products_listing_price_facets ON products (active, price_cents, category_id, brand_key);
DROP INDEX products_listing_price;

-- Best rated first, ties by popularity and id, read from an index (the whole catalogue, or
-- one category) instead of sorting every product.
CREATE INDEX products_listing_rated ON products (active, rating_score, rating_count, popularity, id);
CREATE INDEX products_category_rated ON products (category_id, active, rating_score, rating_count, popularity, id);
DROP INDEX products_listing_rating;
DROP INDEX products_category_rating;
