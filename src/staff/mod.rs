//! The back office's own rules: which staff role may use which page (`access`), what the staff
//! may do to a customer's account (`customers`), and the figures of the dashboard (`dashboard`).
//! Their pages are in `web::handlers::admin`, their SQL in `db::customers` and `db::dashboard`.

pub mod access;
pub mod customers;
pub mod dashboard;

use crate::domain::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("no such account or request")]
    NotFound,
    #[error("the input is not valid")]
    Invalid(FieldErrors),
    /// A rule of the shop forbids it; the sentence says which.
    #[error("not allowed: {0}")]
    NotAllowed(String),
    #[error("database error")]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}
