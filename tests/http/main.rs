//! The store driven over real HTTP. Runs on SQLite by default and on PostgreSQL when
//! `EMPORIUM_TEST_POSTGRES_URL` is set (each test in its own database).

// Test and benchmark code may panic on a broken setup; the store's code may not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod addresses;
mod admin;
mod api;
mod back_office;
mod balanced;
mod cart;
mod catalog;
mod catalog_scale;
mod checkout;
mod cli;
mod csrf;
mod deploy;
mod discounts;
mod engagement;
mod hardening;
mod login;
mod orders;
mod pages;
mod password;
mod payments;
mod profile;
mod refunds;
mod registration;
mod replicas;
mod scale_out;
mod sessions;
mod smtp;
mod variants;
mod vat;
mod verification;
