//! The JSON API (`/api/v1`) over real HTTP: every endpoint and every error status, one file per
//! resource.

mod auth;
mod cart;
mod customer;
mod errors;
mod orders;
mod products;
