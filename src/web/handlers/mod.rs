//! Page handlers, one file per part of the store (the routes are in `web::routes`).

pub mod account;
pub mod addresses;
pub mod admin;
pub mod auth;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod health;
pub mod home;
pub mod orders;
pub mod password_reset;
pub mod reviews;
pub mod support;
pub mod wishlist;
