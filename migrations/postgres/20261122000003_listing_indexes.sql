-- Category pages sorted by price, date, popularity or name read straight from an index.
CREATE INDEX products_category_price ON products (category_id, active, price_cents);
CREATE INDEX products_category_new ON products (category_id, active, created_at);
CREATE INDEX products_category_popular ON products (category_id, active, popularity);
CREATE INDEX products_category_name ON products (category_id, active, name_key);
DROP INDEX products_category;
