-- Customer engagement: ratings and reviews, wishlists, recently viewed products, precomputed
-- product similarities for recommendations, and popularity from real activity.

-- Popularity is recomputed from recent orders and views on top of the score a product started
-- with (the demo catalogue's, or 0).
ALTER TABLE products ADD COLUMN base_popularity BIGINT NOT NULL DEFAULT 0;
UPDATE products SET base_popularity = popularity;

-- Rating aggregates, kept with each review change: the count and sum of visible ratings, and the
-- Bayesian average used by `sort=rating` (x1000; 0 while unrated, so unrated products sort last).
ALTER TABLE products ADD COLUMN rating_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN rating_sum BIGINT NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN rating_score BIGINT NOT NULL DEFAULT 0;
CREATE INDEX products_listing_rating ON products (active, rating_score);
CREATE INDEX products_category_rating ON products (category_id, active, rating_score);

-- One review per customer and product (posting again edits it). Staff may hide one.
CREATE TABLE reviews (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id  BIGINT  NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    user_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    rating      BIGINT  NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment     TEXT    NOT NULL,
    hidden      BIGINT  NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE UNIQUE INDEX reviews_one_per_customer ON reviews (product_id, user_id);
CREATE INDEX reviews_product_newest ON reviews (product_id, hidden, updated_at);
CREATE INDEX reviews_user ON reviews (user_id);
CREATE INDEX reviews_newest ON reviews (updated_at);

CREATE TABLE wishlist_items (
    user_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id  BIGINT  NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    added_at    BIGINT  NOT NULL,
    PRIMARY KEY (user_id, product_id)
);
CREATE INDEX wishlist_items_product ON wishlist_items (product_id);

-- The last time each signed-in customer opened each product page (written in batches).
CREATE TABLE product_views (
    user_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id  BIGINT  NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    viewed_at   BIGINT  NOT NULL,
    views       BIGINT  NOT NULL DEFAULT 1,
    PRIMARY KEY (user_id, product_id)
);
CREATE INDEX product_views_recent ON product_views (user_id, viewed_at);
CREATE INDEX product_views_when ON product_views (viewed_at);

-- Item-to-item similarities, refreshed in the background: `bought` from orders alone (customers
-- who bought this also bought), `combined` from orders, views and wishlists (recommendations).
-- Scores are x1,000,000.
CREATE TABLE product_similarities (
    product_id  BIGINT  NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('bought', 'combined')),
    similar_id  BIGINT  NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    score       BIGINT  NOT NULL,
    PRIMARY KEY (product_id, kind, similar_id)
);

-- Figures the store computes in the background and reads often (e.g. the catalogue's mean rating).
CREATE TABLE store_figures (
    figure  TEXT    PRIMARY KEY,
    value   BIGINT  NOT NULL
);
