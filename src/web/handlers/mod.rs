pub mod account;
pub mod auth;
pub mod health;
pub mod home;
pub mod password_reset;
