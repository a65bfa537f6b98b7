pub mod account;
pub mod admin;
pub mod auth;
pub mod catalog;
pub mod health;
pub mod home;
pub mod password_reset;
