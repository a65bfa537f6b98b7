-- VAT by rate: each product has a tax class (its rate is a setting per class); an order keeps
-- the rate of each line and of its shipping as they were when it was bought. Existing products
-- are standard rate; existing lines and shipping get their order's single rate.
ALTER TABLE products ADD COLUMN tax_class TEXT NOT NULL DEFAULT 'standard'
    CHECK (tax_class IN ('standard', 'reduced', 'zero'));
ALTER TABLE order_lines ADD COLUMN vat_percent BIGINT NOT NULL DEFAULT 0;
UPDATE order_lines SET vat_percent = (SELECT o.vat_percent FROM orders o WHERE o.id = order_lines.order_id);
ALTER TABLE orders ADD COLUMN shipping_vat_percent BIGINT NOT NULL DEFAULT 0;
UPDATE orders SET shipping_vat_percent = vat_percent;
