//! Emporium: a server-rendered web store on SQLite or PostgreSQL.
//!
//! - `domain`: validated values (Email, Username, Password, Money, Quantity, typed ids, statuses)
//! - `accounts`, `catalog`, `orders`, `engagement`: the features and their rules (each with its
//!   error type)
//! - `db`: every SQL statement, portable across SQLite and PostgreSQL; rows leave as domain types
//! - `email`: outgoing mail (outbox files or SMTP) and every message's text
//! - `web`: the HTML skin: routes, middleware (sessions, CSRF, headers, error pages), pages
//! - `api`: the JSON skin (`/api/v1`, JWT), over the same feature functions
//! - `http`: what both skins share (client address, typed path parameters, media URLs)
//! - `config`, `clock`, `state`, `telemetry`: settings, the store's "now", the service
//!   container, logging
//! - `startup`: `Application::build(settings)`, shared by `main` and the tests; `cli`: commands
//! - `ops`: running it for real: HTTPS, graceful stops, backups

pub mod accounts;
pub mod addresses;
pub mod api;
pub mod catalog;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod discounts;
pub mod domain;
pub mod email;
pub mod engagement;
pub mod http;
pub mod ops;
pub mod orders;
pub mod payments;
pub mod refunds;
pub mod reports;
pub mod rng;
pub mod shipping;
pub mod staff;
pub mod startup;
pub mod state;
pub mod support;
pub mod telemetry;
pub mod web;
