//! Products, categories, images and the search index.
//!
//! - `listing`: the shop's lists and searches (filters, sorts, facets, cards)
//! - `products`: product rows, categories, the term index, export and figures
//! - `images`: product pictures

mod bulk;
pub mod changes;
mod images;
mod listing;
mod products;

pub use bulk::{BulkProduct, insert_products};
pub use images::{ImageRow, NewImage, add_main_image, images};
pub use listing::{
    Facet, Filter, Found, Method, ProductCard, SearchWord, cards, search, search_by, vocabulary,
};
pub use products::{
    Category, ExportRow, Product, ProductData, Stats, TermSource, categories, category_by_slug,
    count_on_sale, delete_unless_referenced, ensure_category, export_all, find, find_id_by_sku,
    insert, product_count, recount_on_sale, replace_terms, set_active, set_sku, stats, term_source,
    term_sources, update,
};
