//! What the store asks of a payment service. A real one (Stripe, Adyen, …) implements this
//! trait; every call carries an idempotency key, so a call repeated after a timeout or a crash
//! is answered with the first call's result instead of moving money twice.

use std::future::Future;
use std::pin::Pin;

use super::card::{Card, Decline};
use crate::domain::Money;

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The card was refused at authorisation.
    #[error("the card was refused ({})", .0.as_str())]
    Declined(Decline),
    /// The service answered no to a capture, void or refund (the reason is its code).
    #[error("the payment service refused: {0}")]
    Refused(String),
    /// No answer: nothing is known about the call's outcome; repeat it with the same key.
    #[error("the payment service could not be reached")]
    Unavailable(#[source] anyhow::Error),
}

/// An authorisation the service holds that was neither captured nor voided.
#[derive(Debug, Clone)]
pub struct OpenAuthorisation {
    pub reference: String,
    pub amount: Money,
    pub created_at: i64,
}

pub type GatewayFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, GatewayError>> + Send + 'a>>;

pub trait PaymentGateway: Send + Sync {
    /// Reserves `amount` on the card; the answer is the authorisation's reference.
    fn authorise<'a>(
        &'a self,
        card: &'a Card,
        amount: Money,
        key: &'a str,
    ) -> GatewayFuture<'a, String>;
    /// Takes the reserved money (at most the authorised amount).
    fn capture<'a>(
        &'a self,
        reference: &'a str,
        amount: Money,
        key: &'a str,
    ) -> GatewayFuture<'a, ()>;
    /// Releases an authorisation that will not be captured.
    fn void<'a>(&'a self, reference: &'a str, key: &'a str) -> GatewayFuture<'a, ()>;
    /// Gives back part or all of a captured amount.
    fn refund<'a>(
        &'a self,
        reference: &'a str,
        amount: Money,
        key: &'a str,
    ) -> GatewayFuture<'a, ()>;
    /// Authorisations made at or before `before` (unix seconds) that are still open.
    fn open_authorisations(&self, before: i64) -> GatewayFuture<'_, Vec<OpenAuthorisation>>;
}
