//! Buying: the cart, checkout with payment, orders and their status rules, invoices.

pub mod cart;
pub mod checkout;
pub mod detail;
pub mod einvoice;
pub mod facturx_xmp;
pub mod invoice;
pub mod pricing;
pub mod transitions;

use crate::db::private_links::LinkTo;
pub use crate::domain::OrderStatus;
use crate::domain::{FieldErrors, OrderId};

/// How long a link mailed to a guest opens their order.
pub const GUEST_LINK_TTL: i64 = 180 * 24 * 3600;

/// Where a mail about an order sends its reader: the order page for a customer; for a guest,
/// the same page behind a new private link (a random token; only its hash is stored), since
/// they have no account to sign in with.
pub(crate) async fn mail_path(
    tx: &mut crate::db::Tx,
    order: OrderId,
    guest: bool,
    now: i64,
) -> Result<String, sqlx::Error> {
    if !guest {
        return Ok(format!("/orders/{order}"));
    }
    let (token, hash) = crate::accounts::tokens::new_token();
    crate::db::private_links::add(tx, LinkTo::Order(order), &hash, now, now + GUEST_LINK_TTL)
        .await?;
    Ok(format!("/orders/{order}?token={token}"))
}

/// Whether a mailed link opens this order.
pub async fn guest_link_opens(
    state: &crate::state::AppState,
    order: OrderId,
    token: &str,
) -> Result<bool, sqlx::Error> {
    let hash = crate::accounts::tokens::hash_token(token);
    crate::db::private_links::valid(
        state.db.pool(),
        LinkTo::Order(order),
        &hash,
        state.clock.unix(),
    )
    .await
}

/// What a shopper reads when the payment service does not answer.
pub const PAYMENT_SERVICE: &str =
    "The payment service did not answer; nothing was charged. Please try again in a moment.";

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
    Payment(crate::payments::Decline),
    /// The payment service did not answer the authorisation: nothing was reserved.
    #[error("the payment service did not answer")]
    PaymentService,
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

/// The address book read for a checkout or a cart's shipping (its errors are database ones).
impl From<crate::addresses::AddressError> for OrderError {
    fn from(e: crate::addresses::AddressError) -> Self {
        match e {
            crate::addresses::AddressError::Db(e) => OrderError::Db(e),
            other => OrderError::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<FieldErrors> for OrderError {
    fn from(e: FieldErrors) -> Self {
        OrderError::Invalid(e)
    }
}
