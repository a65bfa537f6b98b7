//! Buying: the cart, checkout with payment, orders and their status rules, invoices.

pub mod cart;
pub mod checkout;
pub mod detail;
pub mod invoice;
pub mod payment;
pub mod pricing;
pub mod transitions;

use crate::domain::FieldErrors;
pub use crate::domain::OrderStatus;

#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    #[error("the input is not valid")]
    Invalid(FieldErrors),
    #[error("no such order or product")]
    NotFound,
    /// A cart change asked for more than the stock (the message is under `quantity`).
    #[error("not enough in stock")]
    NotEnoughStock(FieldErrors),
    /// Lines that cannot be bought as they are (names and what is wrong).
    #[error("some products are not available")]
    Unavailable(Vec<String>),
    #[error("the payment was refused")]
    Payment(payment::Decline),
    #[error("{0}")]
    NotAllowed(String),
    /// Too many cart changes from this address; `until` and `now` on the store's clock.
    #[error("too many changes")]
    Throttled { until: i64, now: i64 },
    #[error("database error")]
    Db(#[from] sqlx::Error),
    #[error("the invoice could not be rendered")]
    Invoice(#[from] invoice::PdfError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<FieldErrors> for OrderError {
    fn from(e: FieldErrors) -> Self {
        OrderError::Invalid(e)
    }
}
