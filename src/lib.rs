//! Emporium: a server-rendered web store on SQLite or PostgreSQL.
//!
//! - `accounts`: registration, verification, sign-in, profile, passwords (the rules)
//! - `catalog`: products, search, images, CSV, the demo catalogue, product administration
//! - `domain`: validated values (Email, Username, Password, Phone, ...)
//! - `db`: every SQL statement, portable across SQLite and PostgreSQL
//! - `orders`: cart, checkout with the payment gateway, order statuses, invoices (page and PDF)
//! - `email`: outgoing mail (outbox files or SMTP)
//! - `web`: routes, middleware (sessions, CSRF, headers, errors) and page handlers
//! - `startup`: `Application::build(settings)`, shared by `main` and the tests

pub mod accounts;
pub mod api;
pub mod catalog;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod email;
pub mod orders;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod web;
