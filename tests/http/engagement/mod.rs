//! Ratings and reviews, wishlists, recently viewed products and recommendations, over HTTP.

mod recommendations;
mod reviews;
mod wishlist;
