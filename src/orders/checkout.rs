//! Placing an order, in the order `payments` explains: the total the form showed is authorised
//! on the card first; then one write transaction re-reads the cart's lines, takes stock with
//! conditional updates that cannot go below zero, and writes the order (pending) and its lines
//! with the prices of this moment and the authorisation's reference; after the commit the money
//! is captured and only then is the order paid, invoiced and confirmed (`payments::settle`).
//! A short line or a changed total rolls the transaction back and voids the authorisation; a
//! declined card stops before any of it. A resubmitted form (same checkout token) finds the order
//! it already made.

use serde::Deserialize;

use anyhow::Context;

use super::cart;
use super::{OrderError, OrderStatus};
use crate::db::orders::{self as db, NewLine, NewOrder, PaymentRecord};
use crate::db::users::User;
use crate::db::{carts, is_unique_violation, order_payments};
use crate::discounts::vouchers;
use crate::domain::{
    CartId, Email, FieldErrors, Money, OrderId, PaymentStatus, UserId, required_text,
};
use crate::payments::settle::{self, Captured};
use crate::payments::{Card, GatewayError};
use crate::state::AppState;

/// The checkout form. The card fields are used for this request only.
#[derive(Default, Clone, Deserialize)]
#[serde(default)]
pub struct CheckoutInput {
    pub checkout_token: String,
    /// A guest's address for the confirmation and the private link (customers have theirs).
    pub email: String,
    pub shipping_address: String,
    /// The country of a typed address (ISO code; empty: the shop's own).
    pub shipping_country: String,
    /// A customer's saved address to ship to (its id), or empty / `new` for the typed one.
    pub address_id: String,
    /// A saved address to bill (its id); empty: as below, or the delivery address.
    pub billing_address_id: String,
    /// A different billing address, typed (empty: the delivery address is billed).
    pub billing_address: String,
    /// The shipping method's code (empty: the first offered).
    pub shipping_method: String,
    /// Set by the "Update the totals" button: show the page again, priced for the choices.
    pub update: String,
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
    /// The order is placed but its payment could not be captured: nothing was taken, the
    /// order waits (pending) for the staff.
    AwaitingPayment(OrderId),
}

impl Placed {
    pub fn order_id(self) -> OrderId {
        match self {
            Placed::Created(id) | Placed::AlreadyPlaced(id) | Placed::AwaitingPayment(id) => id,
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
    let customer_name = match buyer {
        Buyer::Customer(u) => format!("{} {}", u.first_name, u.last_name),
        Buyer::Guest { .. } => input.card_name.trim().to_string(),
    };
    let book = match buyer {
        Buyer::Customer(u) => Some(address_book(state, u.id).await?),
        Buyer::Guest { .. } => None,
    };
    let destination = destination(state, book.as_ref(), input, &customer_name, &mut errors);
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
    let (Some(destination), Some(card)) = (destination, card) else {
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
    // The card is authorised for the total the form showed, and the order is only made for
    // that total; a form without one is answered with the cart's total now.
    if input.expected_total_cents.trim() == "0" {
        return Err(OrderError::NotAllowed(
            "An order that costs nothing cannot be paid by card here; please remove the voucher or add something to your cart.".into(),
        ));
    }
    let Some(amount) = shown_total(input) else {
        return Err(changed_total(
            state,
            cart::view(state, &payer.owner).await?.totals.total,
        ));
    };
    let reference = authorise(state, &payer, &card, amount, &input.checkout_token).await?;
    let placed = match buy(
        state,
        &payer,
        input,
        &destination,
        &card,
        cart_id,
        &reference,
    )
    .await
    {
        // The same form submitted at the same moment may have emptied the cart or taken the
        // stock first (PostgreSQL lets both transactions start): then this is its order.
        Err(e @ (OrderError::NotAllowed(_) | OrderError::Unavailable(_))) => {
            existing(state, &payer, &input.checkout_token)
                .await
                .and_then(|found| found.ok_or(e))
        }
        other => other,
    };
    match placed {
        Ok(Placed::Created(order_id)) => {
            state.metrics.order_placed();
            crate::catalog::changed(state, false).await;
            Ok(match settle::capture(state, order_id, None).await? {
                Captured::Paid => Placed::Created(order_id),
                Captured::Failed(_) | Captured::NothingToCapture => {
                    Placed::AwaitingPayment(order_id)
                }
            })
        }
        other => {
            // This attempt's order was not made: release its authorisation, unless the commit
            // did go through after all (the error came after it), in which case capture.
            match order_payments::by_reference(state.db.pool(), &reference).await {
                Ok(Some(p)) => {
                    settle::capture(state, p.order_id, None).await?;
                }
                Ok(None) => settle::void(state, &reference).await,
                // Unknown: the reconcile run decides once the database answers again.
                Err(e) => tracing::warn!(error = %e, "cannot tell whether the order was made"),
            }
            other
        }
    }
}

/// Where an order goes and who is billed, as the order keeps them.
#[derive(Debug, Clone)]
pub struct Destination {
    /// The delivery address's text.
    pub address: String,
    pub country: String,
    /// The billing address's text when it is not the delivery address.
    pub billing: Option<String>,
    /// The method chosen (empty: the first offered).
    pub method: String,
}

async fn address_book(
    state: &AppState,
    user: UserId,
) -> Result<crate::addresses::Book, OrderError> {
    Ok(crate::addresses::book(state, user).await?)
}

/// A saved address as an order keeps it: the recipient's name only when it is not the
/// customer's own (theirs is printed above it anyway).
fn saved_text(a: &crate::db::addresses::AddressRow, customer_name: &str) -> String {
    let p = crate::addresses::PostalAddress::from_row(a);
    if p.name.trim().eq_ignore_ascii_case(customer_name.trim()) {
        p.lines()
    } else {
        p.text()
    }
}

/// Reads the delivery and billing choices of the form: a saved address (customers) or the
/// typed one with its country; the billing address if it is another.
pub fn destination(
    state: &AppState,
    book: Option<&crate::addresses::Book>,
    input: &CheckoutInput,
    customer_name: &str,
    errors: &mut FieldErrors,
) -> Option<Destination> {
    let saved = |field: &str, raw: &str, errors: &mut FieldErrors| {
        let raw = raw.trim();
        if raw.is_empty() || raw == "new" {
            return None;
        }
        let found = raw
            .parse::<i64>()
            .ok()
            .and_then(|id| book.and_then(|b| b.get(id)));
        if found.is_none() {
            errors.add(field, "Choose one of your saved addresses.");
        }
        found
    };
    let (address, country) = match saved("address_id", &input.address_id, errors) {
        Some(a) => (Some(saved_text(a, customer_name)), Some(a.country.clone())),
        None if errors.has("address_id") => (None, None),
        None => {
            let text = errors.check(
                "shipping_address",
                required_text(&input.shipping_address, 500, "the shipping address"),
            );
            let country = if input.shipping_country.trim().is_empty() {
                Some(state.settings.store.country_code.clone())
            } else {
                errors.check(
                    "shipping_country",
                    crate::shipping::parse_country(&input.shipping_country),
                )
            };
            (text, country)
        }
    };
    let billing = match saved("billing_address_id", &input.billing_address_id, errors) {
        Some(a) => Some(saved_text(a, customer_name)),
        None if input.billing_address.trim().is_empty() => None,
        None => errors.check(
            "billing_address",
            required_text(&input.billing_address, 500, "the billing address"),
        ),
    };
    let address = address?;
    // Billing the delivery address is no separate billing address.
    let billing = billing.filter(|b| *b != address);
    Some(Destination {
        address,
        country: country?,
        billing,
        method: input.shipping_method.trim().to_string(),
    })
}

/// The total the checkout form showed, in cents (a positive whole number).
fn shown_total(input: &CheckoutInput) -> Option<Money> {
    input
        .expected_total_cents
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|c| *c > 0)
        .map(Money::from_cents)
}

/// No method delivers to the chosen country.
fn not_delivered(country: &str) -> OrderError {
    let mut e = FieldErrors::new();
    e.add(
        "shipping_country",
        format!(
            "We do not deliver to {} at the moment.",
            crate::shipping::country_name(country).unwrap_or(country)
        ),
    );
    OrderError::Invalid(e)
}

fn changed_total(state: &AppState, now_total: Money) -> OrderError {
    OrderError::Unavailable(vec![format!(
        "Your cart changed since this page was shown: the total is now {}. Please check it and pay again.",
        now_total.display(&state.settings.store.currency)
    )])
}

/// Reserves the amount on the card; a refusal is recorded (brand and last four digits only).
async fn authorise(
    state: &AppState,
    payer: &Payer,
    card: &Card,
    amount: Money,
    checkout_token: &str,
) -> Result<String, OrderError> {
    // One key per attempt: a retry with another card (or after a refusal) is a new request.
    let key = format!(
        "authorise-{checkout_token}-{}",
        hex::encode(rand::random::<[u8; 6]>())
    );
    match state.payments.authorise(card, amount, &key).await {
        Ok(reference) => Ok(reference),
        Err(GatewayError::Declined(decline)) => {
            let record = PaymentRecord {
                user_id: payer.user,
                order_id: None,
                outcome: decline.as_str(),
                amount,
                brand: card.brand,
                last4: &card.last4,
            };
            db::record_payment(state.db.pool(), &record, state.clock.unix()).await?;
            tracing::info!(user_id = ?payer.user.map(UserId::get), outcome = decline.as_str(), brand = card.brand, last4 = %card.last4, "payment refused");
            Err(OrderError::Payment(decline))
        }
        Err(e) => {
            tracing::warn!(error = %e, "authorisation failed");
            Err(OrderError::PaymentService)
        }
    }
}

/// The transaction of a checkout whose input is valid.
async fn buy(
    state: &AppState,
    payer: &Payer,
    input: &CheckoutInput,
    destination: &Destination,
    card: &Card,
    cart_id: CartId,
    reference: &str,
) -> Result<Placed, OrderError> {
    let now = state.clock.unix();
    let promotions = crate::discounts::promotions::running(state).await?;
    let plan = cart::ShippingPlan {
        methods: crate::shipping::methods(state).await?,
        country: destination.country.clone(),
        method: Some(destination.method.clone()).filter(|m| !m.is_empty()),
    };
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
    let lines = carts::lines(&mut *tx, cart_id)
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
    // Priced exactly as the page that showed the total priced it (promotions, voucher, VAT).
    let voucher = cart::voucher_state(state, &mut *tx, cart_id)
        .await
        .context("read the cart's voucher")?;
    let priced = cart::price(state, lines, &promotions, &voucher, &plan);
    let Some(method) = priced.shipping_method.clone() else {
        tx.rollback().await?;
        return Err(not_delivered(&destination.country));
    };
    if !destination.method.is_empty() && method.code != destination.method {
        tx.rollback().await?;
        let mut e = FieldErrors::new();
        e.add(
            "shipping_method",
            format!(
                "That shipping method is not available for deliveries to {}; please choose another.",
                crate::shipping::country_name(&destination.country).unwrap_or(&destination.country)
            ),
        );
        return Err(OrderError::Invalid(e));
    }
    let totals = priced.totals.clone();
    if shown_total(input) != Some(totals.total) {
        // The cart or a price changed after the page was shown: never take an unseen amount.
        tx.rollback().await?;
        return Err(match priced.voucher_problem {
            // The likeliest change: the code ran out or ended meanwhile; say so.
            Some(reason) => match changed_total(state, totals.total) {
                OrderError::Unavailable(mut m) => {
                    m.insert(0, reason);
                    OrderError::Unavailable(m)
                }
                other => other,
            },
            None => changed_total(state, totals.total),
        });
    }
    let store = &state.settings.store;
    let customer_name = payer.name.clone();
    let order = NewOrder {
        user_id: payer.user,
        checkout_token: &input.checkout_token,
        email: &payer.email,
        customer_name: &customer_name,
        shipping_address: &destination.address,
        shipping_country: &destination.country,
        shipping_method: &method.code,
        billing_address: destination.billing.as_deref(),
        currency: &store.currency,
        vat_percent: i64::from(store.vat_percent),
        shipping_vat_percent: totals.shipping_vat_percent,
        subtotal: totals.subtotal,
        discount: totals.discount,
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
    for l in &priced.lines {
        let name = if l.variant.is_empty() {
            l.name.clone()
        } else {
            format!("{} ({})", l.name, l.variant)
        };
        let line = NewLine {
            product_id: l.product_id,
            variant_id: (l.variant_id != 0).then_some(l.variant_id),
            sku: &l.sku,
            name: &name,
            unit_price: l.unit_price,
            quantity: l.quantity,
            discount: l.discount,
            vat_percent: l.vat_percent,
        };
        db::insert_line(&mut tx, order_id, &line)
            .await
            .context("insert an order line")?;
    }
    for d in &priced.discounts {
        let row = db::OrderDiscount {
            label: d.label.clone(),
            code: d.code.clone(),
            amount: Money::from_cents(d.cents),
        };
        db::insert_discount(&mut tx, order_id, &row)
            .await
            .context("record a discount")?;
    }
    // The voucher's use is counted here, in the order's transaction: of two buyers racing for
    // its last use, one gets the discount and the other is shown the new total.
    if let (Some(Ok(usable)), Some(part)) =
        (&voucher, priced.discounts.iter().find(|d| d.code.is_some()))
    {
        if let Err(reason) = vouchers::take_use(&mut tx, usable, payer.user, &payer.email)
            .await
            .context("count the voucher's use")?
        {
            tx.rollback().await?;
            return Err(OrderError::Unavailable(vec![reason]));
        }
        let redemption = crate::db::vouchers::Redemption {
            voucher: usable.voucher_id,
            code: usable.code_id,
            order: order_id,
            user: payer.user,
            email: &payer.email,
            discount_cents: part.cents,
        };
        crate::db::vouchers::redeem(&mut tx, &redemption, now)
            .await
            .context("record the voucher's use")?;
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

    db::set_payment(
        &mut tx,
        order_id,
        PaymentStatus::None,
        card.brand,
        &card.last4,
    )
    .await
    .context("record the card")?;
    order_payments::insert(&mut tx, order_id, reference, totals.total.cents(), now)
        .await
        .context("record the authorisation")?;
    let record = PaymentRecord {
        user_id: payer.user,
        order_id: Some(order_id),
        outcome: "authorised",
        amount: totals.total,
        brand: card.brand,
        last4: &card.last4,
    };
    db::record_payment(&mut *tx, &record, now)
        .await
        .context("record the authorisation")?;
    carts::clear(&mut tx, cart_id)
        .await
        .context("empty the cart")?;
    // Stock is taken last: a product's row stays locked from its update to the commit, and
    // every buyer of that product waits for it (measured: the one wait that bounds checkouts
    // of a popular product). Always in the same order, so two checkouts cannot deadlock.
    // Variants first (their rows, by id), then the products' sums (by id): every checkout
    // locks in that order, so two cannot wait for each other.
    let mut lines = priced.lines;
    lines.sort_by_key(|l| l.variant_id);
    for l in lines.iter().filter(|l| l.variant_id != 0) {
        if !crate::db::variants::take(&mut tx, l.variant_id, l.quantity)
            .await
            .context("take a variant's stock")?
        {
            tx.rollback().await?;
            return Err(OrderError::Unavailable(vec![format!(
                "{} ({}): not enough left in stock any more. Please lower the quantity.",
                l.name, l.variant
            )]));
        }
    }
    let mut per_product: std::collections::BTreeMap<crate::domain::ProductId, (i64, &str)> =
        std::collections::BTreeMap::new();
    for l in &lines {
        per_product.entry(l.product_id).or_insert((0, &l.name)).0 += l.quantity;
    }
    for (product, (quantity, name)) in per_product {
        if !db::take_stock(&mut tx, product, quantity)
            .await
            .context("take stock")?
        {
            // Someone bought the last units since the cart was read; nothing is kept.
            tx.rollback().await?;
            return Err(OrderError::Unavailable(vec![format!(
                "{name}: not enough left in stock any more. Please lower the quantity."
            )]));
        }
    }
    tx.commit().await.context("commit the checkout")?;
    tracing::info!(user_id = ?payer.user.map(UserId::get), %order_id, total_cents = totals.total.cents(), "order placed, payment authorised");
    Ok(Placed::Created(order_id))
}
