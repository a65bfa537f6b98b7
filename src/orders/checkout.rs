//! Placing an order. One write transaction: the cart's lines are re-read, stock is taken with
//! conditional updates that cannot go below zero, the order and its lines are written with the
//! prices of this moment, the card is charged, the payment recorded and the invoice numbered.
//! A short line or a declined card rolls everything back. A resubmitted form (same checkout
//! token) finds the order it already made.

use serde::Deserialize;

use anyhow::Context;

use super::cart::{self, rules};
use super::invoice::{self, InvoiceLine, Party, Snapshot};
use super::payment::Card;
use super::{OrderError, OrderStatus};
use crate::db::orders::{self as db, NewLine, NewOrder, PaymentRecord};
use crate::db::users::User;
use crate::db::{carts, is_unique_violation};
use crate::domain::{CartId, Email, FieldErrors, OrderId, PaymentStatus, UserId, required_text};
use crate::email::{messages, queue};
use crate::state::AppState;

/// The checkout form. The card fields are used for this request only.
#[derive(Default, Clone, Deserialize)]
#[serde(default)]
pub struct CheckoutInput {
    pub checkout_token: String,
    /// A guest's address for the confirmation and the private link (customers have theirs).
    pub email: String,
    pub shipping_address: String,
    pub card_name: String,
    pub card_number: String,
    pub card_expiry: String,
    pub card_cvc: String,
    /// The total the form showed, in cents; the card is only charged that amount (an order
    /// without it is refused, so nobody is charged an amount they were not shown).
    pub expected_total_cents: String,
}

/// Never shows the card number or the security code, should the input ever be logged.
impl std::fmt::Debug for CheckoutInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckoutInput")
            .field("checkout_token", &self.checkout_token)
            .field("card_name", &self.card_name)
            .field("card_number", &"[redacted]")
            .field("card_cvc", &"[redacted]")
            .field("card_expiry", &self.card_expiry)
            .finish_non_exhaustive()
    }
}

impl CheckoutInput {
    /// What a re-rendered form may show again: never the card number or code.
    pub fn for_redisplay(&self) -> Self {
        Self {
            card_number: String::new(),
            card_cvc: String::new(),
            ..self.clone()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placed {
    Created(OrderId),
    /// The same form was submitted again; this is the order it made the first time.
    AlreadyPlaced(OrderId),
}

impl Placed {
    pub fn order_id(self) -> OrderId {
        match self {
            Placed::Created(id) | Placed::AlreadyPlaced(id) => id,
        }
    }
}

/// Who pays: a signed-in customer, or a guest (whose cart is the session's) with the email
/// address typed in the form.
#[derive(Debug, Clone, Copy)]
pub enum Buyer<'a> {
    Customer(&'a User),
    Guest { cart_token: &'a str, ip: &'a str },
}

/// The buyer once the form is read: the account (if any) and the address mail goes to.
struct Payer {
    user: Option<UserId>,
    email: String,
    /// The customer's name, or a guest's name on the card.
    name: String,
    owner: cart::Owner,
}

impl Payer {
    /// Whether an order found by its checkout token is this buyer's (a resubmitted form).
    fn owns(&self, o: &db::TokenOrder) -> bool {
        match self.user {
            Some(u) => o.user_id == Some(u),
            None => o.user_id.is_none() && o.email == self.email,
        }
    }
}

/// A fresh one-time token for a checkout form.
pub fn new_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

fn valid_token(t: &str) -> bool {
    t.len() == 64 && t.chars().all(|c| c.is_ascii_hexdigit())
}

async fn existing(
    state: &AppState,
    payer: &Payer,
    token: &str,
) -> Result<Option<Placed>, OrderError> {
    match db::find_by_token(state.db.pool(), token).await? {
        Some(o) if payer.owns(&o) => Ok(Some(Placed::AlreadyPlaced(o.id))),
        Some(_) => Err(OrderError::NotAllowed(
            "This checkout form is not valid; please reload the page.".into(),
        )),
        None => Ok(None),
    }
}

#[tracing::instrument(name = "checkout", skip_all, fields(guest = matches!(buyer, Buyer::Guest { .. })))]
pub async fn place(
    state: &AppState,
    buyer: Buyer<'_>,
    input: &CheckoutInput,
) -> Result<Placed, OrderError> {
    if !valid_token(&input.checkout_token) {
        return Err(OrderError::NotAllowed(
            "This checkout form has expired; please review your order again.".into(),
        ));
    }
    let mut errors = FieldErrors::new();
    let guest_email = match buyer {
        Buyer::Customer(_) => None,
        Buyer::Guest { .. } => errors.check("email", Email::parse(&input.email)),
    };
    let address = errors.check(
        "shipping_address",
        required_text(&input.shipping_address, 500, "the shipping address"),
    );
    let card = match Card::parse(
        &input.card_name,
        &input.card_number,
        &input.card_expiry,
        &input.card_cvc,
        state.clock.now().date(),
    ) {
        Ok(c) => Some(c),
        Err(e) => {
            errors.merge(e);
            None
        }
    };
    let payer = match buyer {
        Buyer::Customer(user) => Payer {
            user: Some(user.id),
            email: user.email.as_str().to_string(),
            name: format!("{} {}", user.first_name, user.last_name),
            owner: cart::Owner::User(user.id),
        },
        Buyer::Guest { cart_token, .. } => Payer {
            user: None,
            email: guest_email
                .as_ref()
                .map(|e| e.as_str().to_string())
                .unwrap_or_default(),
            name: input.card_name.trim().to_string(),
            owner: cart::Owner::Guest(cart_token.to_string()),
        },
    };
    if errors.is_empty()
        && let Some(placed) = existing(state, &payer, &input.checkout_token).await?
    {
        return Ok(placed);
    }
    let (Some(address), Some(card)) = (address, card) else {
        return Err(OrderError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(OrderError::Invalid(errors));
    }
    if let Buyer::Guest { ip, .. } = buyer {
        let limit = state.settings.security.guest_checkouts_per_ip_per_hour;
        let verdict = crate::accounts::limits::hit(
            state,
            "guest_checkout",
            ip,
            limit,
            crate::accounts::limits::HOUR,
        )
        .await?;
        if let crate::accounts::limits::Verdict::Refused { until, now } = verdict {
            return Err(OrderError::Throttled { until, now });
        }
    }
    let Some(cart_id) = cart::find(state, &payer.owner).await? else {
        return Err(OrderError::NotAllowed("Your cart is empty.".into()));
    };
    match buy(state, &payer, input, &address, &card, cart_id).await {
        // The same form submitted at the same moment may have emptied the cart or taken the
        // stock first (PostgreSQL lets both transactions start): then this is its order.
        Err(e @ (OrderError::NotAllowed(_) | OrderError::Unavailable(_))) => {
            existing(state, &payer, &input.checkout_token)
                .await?
                .ok_or(e)
        }
        other => other,
    }
}

/// The transaction of a checkout whose input is valid.
async fn buy(
    state: &AppState,
    payer: &Payer,
    input: &CheckoutInput,
    address: &str,
    card: &Card,
    cart_id: CartId,
) -> Result<Placed, OrderError> {
    let now = state.clock.unix();
    let mut tx = state.db.begin_write().await.context("begin the checkout")?;
    // One checkout of a cart at a time: a second one (another tab) waits here, then finds the
    // cart emptied.
    carts::lock(&mut tx, cart_id, now).await?;
    // A resubmission that waited for the first one's write lock lands on its order.
    if let Some(o) = db::find_by_token(&mut *tx, &input.checkout_token).await? {
        tx.rollback().await?;
        return if payer.owns(&o) {
            Ok(Placed::AlreadyPlaced(o.id))
        } else {
            Err(OrderError::NotAllowed(
                "This checkout form is not valid; please reload the page.".into(),
            ))
        };
    }
    let mut lines = carts::lines(&mut *tx, cart_id)
        .await
        .context("read the cart")?;
    if lines.is_empty() {
        return Err(OrderError::NotAllowed("Your cart is empty.".into()));
    }
    let problems: Vec<String> = lines
        .iter()
        .filter_map(|l| cart::line_problem(l).map(|p| format!("{}: {p}", l.name)))
        .collect();
    if !problems.is_empty() {
        return Err(OrderError::Unavailable(problems));
    }
    // Always lock products in the same order, so two checkouts cannot deadlock.
    lines.sort_by_key(|l| l.product_id);
    for l in &lines {
        if !db::take_stock(&mut tx, l.product_id, l.quantity)
            .await
            .context("take stock")?
        {
            // Someone bought the last units since the cart was read; nothing is kept.
            tx.rollback().await?;
            return Err(OrderError::Unavailable(vec![format!(
                "{}: not enough left in stock any more. Please lower the quantity.",
                l.name
            )]));
        }
    }
    let totals = rules(state).totals(lines.iter().map(|l| l.price.cents() * l.quantity));
    // The form always vouches for the total it showed; the card is charged that or nothing.
    let expected = input.expected_total_cents.trim().parse::<i64>().ok();
    if expected != Some(totals.total.cents()) {
        // The cart or a price changed after the page was shown: never charge an unseen amount.
        tx.rollback().await?;
        return Err(OrderError::Unavailable(vec![format!(
            "Your cart changed since this page was shown: the total is now {}. Please check it and pay again.",
            totals.total.display(&state.settings.store.currency)
        )]));
    }
    let store = &state.settings.store;
    let customer_name = payer.name.clone();
    let order = NewOrder {
        user_id: payer.user,
        checkout_token: &input.checkout_token,
        email: &payer.email,
        customer_name: &customer_name,
        shipping_address: address,
        currency: &store.currency,
        vat_percent: i64::from(store.vat_percent),
        subtotal: totals.subtotal,
        shipping: totals.shipping,
        total: totals.total,
        net: totals.net,
        vat: totals.vat,
    };
    let order_id = match db::insert(&mut tx, &order, now).await {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => {
            // The same form, submitted twice at once: the other request made the order.
            tx.rollback().await?;
            return existing(state, payer, &input.checkout_token)
                .await?
                .ok_or(OrderError::Db(e));
        }
        Err(e) => return Err(anyhow::Error::new(e).context("insert the order").into()),
    };
    for l in &lines {
        let line = NewLine {
            product_id: l.product_id,
            sku: &l.sku,
            name: &l.name,
            unit_price: l.price,
            quantity: l.quantity,
        };
        db::insert_line(&mut tx, order_id, &line)
            .await
            .context("insert an order line")?;
    }
    db::add_event(
        &mut tx,
        order_id,
        OrderStatus::Pending,
        "Order placed",
        None,
        now,
    )
    .await
    .context("record the order's first event")?;

    if let Err(decline) = state.payments.charge(card, totals.total).await {
        tx.rollback().await?;
        let record = PaymentRecord {
            user_id: payer.user,
            order_id: None,
            outcome: decline.as_str(),
            amount: totals.total,
            brand: card.brand,
            last4: &card.last4,
        };
        db::record_payment(state.db.pool(), &record, now).await?;
        tracing::info!(user_id = ?payer.user.map(UserId::get), outcome = decline.as_str(), brand = card.brand, last4 = %card.last4, "payment refused");
        return Err(OrderError::Payment(decline));
    }
    let paid_note = format!("Payment received ({} •••• {})", card.brand, card.last4);
    db::transition(
        &mut tx,
        order_id,
        &[OrderStatus::Pending],
        OrderStatus::Paid,
        now,
    )
    .await
    .context("mark the order paid")?;
    db::set_payment(
        &mut tx,
        order_id,
        PaymentStatus::Paid,
        card.brand,
        &card.last4,
    )
    .await
    .context("record the card")?;
    db::add_event(&mut tx, order_id, OrderStatus::Paid, &paid_note, None, now)
        .await
        .context("record the payment event")?;
    let record = PaymentRecord {
        user_id: payer.user,
        order_id: Some(order_id),
        outcome: "succeeded",
        amount: totals.total,
        brand: card.brand,
        last4: &card.last4,
    };
    db::record_payment(&mut *tx, &record, now)
        .await
        .context("record the payment")?;
    let year = i64::from(state.clock.now().year());
    let seq = crate::db::invoices::next_seq(&mut tx, year)
        .await
        .context("number the invoice")?;
    let snapshot = Snapshot {
        number: format!("{year}-{seq:06}"),
        issued_at: now,
        order_id,
        seller: Party {
            name: store.legal_name.clone(),
            address: store.address.clone(),
            detail: format!("VAT ID {}", store.vat_id),
        },
        buyer: Party {
            name: customer_name.clone(),
            address: address.to_string(),
            detail: payer.email.clone(),
        },
        currency: store.currency.clone(),
        vat_percent: i64::from(store.vat_percent),
        lines: db::lines(&mut *tx, order_id)
            .await
            .context("read the order's lines")?
            .iter()
            .map(InvoiceLine::from)
            .collect(),
        subtotal_cents: totals.subtotal.cents(),
        shipping_cents: totals.shipping.cents(),
        net_cents: totals.net.cents(),
        vat_cents: totals.vat.cents(),
        total_cents: totals.total.cents(),
        payment: format!("{} •••• {}", card.brand, card.last4),
    };
    let json = serde_json::to_string(&snapshot).context("serialise the invoice")?;
    crate::db::invoices::insert(&mut tx, order_id, &snapshot.number, now, &json)
        .await
        .context("store the invoice")?;
    carts::clear(&mut tx, cart_id)
        .await
        .context("empty the cart")?;
    let path = super::mail_path(&mut tx, order_id, payer.user.is_none(), now).await?;
    let confirmation = messages::order_confirmed(
        &state.settings.server.base_url,
        &path,
        &snapshot.buyer.name,
        order_id,
        &snapshot.money(snapshot.total_cents),
        &snapshot.payment,
        &snapshot.number,
    );
    let attachment = invoice::attachment_spec(order_id);
    queue::enqueue(&mut tx, &payer.email, &confirmation, Some(&attachment), now)
        .await
        .context("queue the confirmation mail")?;
    tx.commit().await.context("commit the checkout")?;
    tracing::info!(user_id = ?payer.user.map(UserId::get), %order_id, total_cents = totals.total.cents(), "order placed and paid");
    state.metrics.order_placed();
    crate::catalog::changed(state, false).await;
    state.mail_wakeup.wake();
    state.recommend.orders_changed();
    if let Some(u) = payer.user {
        state.picks.forget(u);
    }
    Ok(Placed::Created(order_id))
}
