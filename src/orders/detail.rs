//! Reading orders: one read model for the customer's pages, the staff pages and the API, which
//! only format it.

use super::OrderError;
use crate::db::orders::{self as db, Order, OrderEvent, OrderLine};
use crate::domain::{OrderId, UserId};
use crate::state::AppState;

/// Who is looking: a customer sees only their own orders (others' do not exist for them); a
/// shopper in a browser also the guest orders that browser holds links to.
#[derive(Debug, Clone, Copy)]
pub enum Viewer<'a> {
    Customer(UserId),
    Shopper {
        user: Option<UserId>,
        links: &'a [OrderId],
    },
    Staff,
}

/// An order with everything its pages show.
#[derive(Debug, Clone)]
pub struct OrderDetail {
    pub order: Order,
    pub lines: Vec<OrderLine>,
    /// The status history, oldest first.
    pub events: Vec<OrderEvent>,
    pub invoice_number: Option<String>,
    /// The gateway side of its payment (none for orders paid before authorisations were kept).
    pub payment: Option<crate::db::order_payments::OrderPayment>,
    /// Credit notes against its invoice, oldest first.
    pub credit_notes: Vec<crate::db::credit_notes::CreditNoteRow>,
    /// Its discounts (promotions, voucher), as applied at checkout.
    pub discounts: Vec<db::OrderDiscount>,
}

pub async fn find(state: &AppState, viewer: Viewer<'_>, id: OrderId) -> Result<Order, OrderError> {
    let pool = state.db.pool();
    match viewer {
        Viewer::Customer(user) => db::find_for_user(pool, id, user).await?,
        Viewer::Shopper { user, links } => db::find(pool, id)
            .await?
            // A link opens a guest's order only while it is a guest's: once it has joined an
            // account, only that account opens it.
            .filter(|o| {
                (o.user_id.is_none() && links.contains(&o.id))
                    || (user.is_some() && o.user_id == user)
            }),
        Viewer::Staff => db::find(pool, id).await?,
    }
    .ok_or(OrderError::NotFound)
}

pub async fn detail(
    state: &AppState,
    viewer: Viewer<'_>,
    id: OrderId,
) -> Result<OrderDetail, OrderError> {
    let order = find(state, viewer, id).await?;
    let pool = state.db.pool();
    Ok(OrderDetail {
        lines: db::lines(pool, order.id).await?,
        events: db::events(pool, order.id).await?,
        invoice_number: crate::db::invoices::for_order(pool, order.id)
            .await?
            .map(|i| i.number),
        payment: crate::db::order_payments::find(pool, order.id).await?,
        credit_notes: crate::db::credit_notes::for_order(pool, order.id).await?,
        discounts: db::discounts(pool, order.id).await?,
        order,
    })
}

/// The customer's orders, newest first.
pub async fn list_for_customer(state: &AppState, user: UserId) -> Result<Vec<Order>, OrderError> {
    Ok(db::list_for_user(state.db.pool(), user).await?)
}

/// An order's VAT per rate: its lines at their rates and its shipping at its rate (the same
/// arithmetic as its cart's, on the amounts the order keeps).
pub fn vat_lines(order: &Order, lines: &[OrderLine]) -> Vec<super::pricing::VatLine> {
    super::pricing::vat_lines(
        lines
            .iter()
            .map(|l| (l.vat_percent, l.line_total.cents()))
            .chain([(order.shipping_vat_percent, order.shipping.cents())]),
    )
}
