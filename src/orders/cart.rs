//! Carts: a customer's persists across sessions and devices; a guest's lives with the session
//! and merges into the customer's cart at sign-in. Quantities never exceed the stock; prices are
//! always the current ones.

use super::OrderError;
use super::pricing::{PricingRules, Totals, VatRates};
use crate::db::carts::{self, Line};
use crate::domain::{CartId, FieldErrors, Money, ProductId, Quantity, UserId};
use crate::state::AppState;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    User(UserId),
    /// The random token a guest's session holds.
    Guest(String),
}

pub fn rules(state: &AppState) -> PricingRules {
    let s = &state.settings.store;
    PricingRules {
        rates: VatRates {
            standard: i64::from(s.vat_percent),
            reduced: i64::from(s.reduced_vat_percent),
            zero: i64::from(s.zero_vat_percent),
            shipping: s.shipping_tax_class,
        },
        shipping_cents: s.shipping_cents,
        free_shipping_over_cents: s.free_shipping_over_cents,
    }
}

#[derive(Debug, Clone)]
pub struct CartLine {
    pub product_id: ProductId,
    pub sku: String,
    pub name: String,
    pub brand: String,
    pub thumb: Option<String>,
    pub unit_price: Money,
    pub quantity: i64,
    pub line_total: Money,
    pub stock: i64,
    /// The VAT rate of the product's tax class.
    pub vat_percent: i64,
    /// Why this line blocks checkout, if it does.
    pub problem: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct CartView {
    pub lines: Vec<CartLine>,
    pub totals: Totals,
    pub items: i64,
    pub blocked: bool,
}

/// Why a line cannot be bought as it is.
pub fn line_problem(l: &Line) -> Option<String> {
    if !l.active {
        Some("No longer available. Please remove it.".into())
    } else if l.stock <= 0 {
        Some("Out of stock. Please remove it.".into())
    } else if l.quantity > l.stock {
        Some(format!("Only {} left. Please lower the quantity.", l.stock))
    } else {
        None
    }
}

pub async fn find(state: &AppState, owner: &Owner) -> Result<Option<CartId>, sqlx::Error> {
    let pool = state.db.pool();
    match owner {
        Owner::User(u) => carts::id_for_user(pool, *u).await,
        Owner::Guest(t) => carts::id_for_token(pool, t).await,
    }
}

pub fn build_view(state: &AppState, lines: Vec<Line>) -> CartView {
    let rules = rules(state);
    let lines: Vec<CartLine> = lines
        .into_iter()
        .map(|l| CartLine {
            problem: line_problem(&l),
            product_id: l.product_id,
            sku: l.sku,
            name: l.name,
            brand: l.brand,
            thumb: l.thumb,
            unit_price: l.price,
            quantity: l.quantity,
            line_total: Money::from_cents(l.price.cents() * l.quantity),
            stock: l.stock,
            vat_percent: rules.rates.of(l.tax_class),
        })
        .collect();
    CartView {
        totals: rules.totals(lines.iter().map(|l| (l.line_total.cents(), l.vat_percent))),
        items: lines.iter().map(|l| l.quantity).sum(),
        blocked: lines.iter().any(|l| l.problem.is_some()),
        lines,
    }
}

pub async fn view(state: &AppState, owner: &Owner) -> Result<CartView, OrderError> {
    let Some(cart) = find(state, owner).await? else {
        return Ok(CartView::default());
    };
    Ok(build_view(
        state,
        carts::lines(state.db.pool(), cart).await?,
    ))
}

pub async fn item_count(state: &AppState, owner: &Owner) -> Result<i64, sqlx::Error> {
    match find(state, owner).await? {
        Some(cart) => carts::item_count(state.db.pool(), cart).await,
        None => Ok(0),
    }
}

fn quantity_error(message: String) -> OrderError {
    let mut e = FieldErrors::new();
    e.add("quantity", message);
    OrderError::NotEnoughStock(e)
}

/// Every cart write counts against the address's limit (`security.cart_changes_per_minute`), so
/// a script cannot make the store write without end.
async fn count_change(state: &AppState, ip: &str) -> Result<(), OrderError> {
    use crate::accounts::limits::{self, Verdict};
    let limit = state.settings.security.cart_changes_per_minute;
    match limits::hit(state, "cart", ip, limit, limits::MINUTE).await? {
        Verdict::Allowed => Ok(()),
        Verdict::Refused { until, now } => Err(OrderError::Throttled { until, now }),
    }
}

async fn ensure(tx: &mut crate::db::Tx, owner: &Owner, now: i64) -> Result<CartId, sqlx::Error> {
    match owner {
        Owner::User(u) => carts::ensure_for_user(tx, *u, now).await,
        Owner::Guest(t) => carts::ensure_for_token(tx, t, now).await,
    }
}

/// Adds units of a product; refuses more than the stock, counting what is already in the cart.
#[tracing::instrument(name = "cart add", skip_all, fields(%product, quantity = quantity.get()))]
pub async fn add(
    state: &AppState,
    owner: &Owner,
    product: ProductId,
    quantity: Quantity,
    ip: &str,
) -> Result<String, OrderError> {
    count_change(state, ip).await?;
    let now = state.clock.unix();
    let mut tx = state.db.begin_write().await?;
    let Some(carts::CartProduct {
        name,
        stock,
        active: true,
    }) = carts::product(&mut tx, product).await?
    else {
        return Err(OrderError::NotFound);
    };
    let cart = ensure(&mut tx, owner, now).await?;
    let already = carts::quantity_of(&mut tx, cart, product).await?;
    let wanted = already + quantity.get();
    if wanted > stock {
        return Err(quantity_error(match (stock, already) {
            (0, _) => format!("{name} is out of stock."),
            (_, 0) => format!(
                "Only {stock} of {name} in stock; you asked for {}.",
                quantity.get()
            ),
            _ => {
                format!("Only {stock} of {name} in stock, and {already} are already in your cart.")
            }
        }));
    }
    carts::set_quantity(&mut tx, cart, product, wanted, now).await?;
    tx.commit().await?;
    Ok(name)
}

/// Sets a line's quantity (0 removes it); refuses more than the stock.
pub async fn set(
    state: &AppState,
    owner: &Owner,
    product: ProductId,
    quantity: Quantity,
    ip: &str,
) -> Result<(), OrderError> {
    count_change(state, ip).await?;
    let now = state.clock.unix();
    let Some(cart) = find(state, owner).await? else {
        return Err(OrderError::NotFound);
    };
    let mut tx = state.db.begin_write().await?;
    carts::lock(&mut tx, cart, now).await?;
    if quantity.get() > 0 {
        let Some(carts::CartProduct { name, stock, .. }) = carts::product(&mut tx, product).await?
        else {
            return Err(OrderError::NotFound);
        };
        if quantity.get() > stock {
            return Err(quantity_error(if stock == 0 {
                format!("{name} is out of stock.")
            } else {
                format!("Only {stock} of {name} in stock.")
            }));
        }
    }
    carts::set_quantity(&mut tx, cart, product, quantity.get(), now).await?;
    tx.commit().await?;
    Ok(())
}

/// Empties the cart in one transaction.
pub async fn clear(state: &AppState, owner: &Owner, ip: &str) -> Result<(), OrderError> {
    count_change(state, ip).await?;
    let Some(cart) = find(state, owner).await? else {
        return Ok(());
    };
    let now = state.clock.unix();
    let mut tx = state.db.begin_write().await?;
    carts::lock(&mut tx, cart, now).await?;
    carts::clear(&mut tx, cart).await?;
    tx.commit().await?;
    Ok(())
}

/// Moves a guest's cart into the customer's at sign-in: quantities are added and capped at the
/// stock; unavailable products are dropped. Returns what the customer should be told.
pub async fn merge(state: &AppState, token: &str, user: UserId) -> Result<Vec<String>, OrderError> {
    let pool = state.db.pool();
    let Some(guest_cart) = carts::id_for_token(pool, token).await? else {
        return Ok(Vec::new());
    };
    let now = state.clock.unix();
    let mut tx = state.db.begin_write().await?;
    let guest_lines = carts::lines(&mut *tx, guest_cart).await?;
    let mut notes = Vec::new();
    if !guest_lines.is_empty() {
        let cart = carts::ensure_for_user(&mut tx, user, now).await?;
        let mut moved = 0;
        for l in &guest_lines {
            let product = l.product_id;
            if !l.active || l.stock <= 0 {
                notes.push(format!(
                    "{} is no longer available and was not added.",
                    l.name
                ));
                continue;
            }
            let already = carts::quantity_of(&mut tx, cart, product).await?;
            let combined = already + l.quantity;
            let capped = combined.min(l.stock);
            if capped < combined {
                notes.push(format!(
                    "{}: only {} in stock, so your cart has {capped}.",
                    l.name, l.stock
                ));
            }
            carts::set_quantity(&mut tx, cart, product, capped, now).await?;
            moved += l.quantity.min(capped - already).max(0);
        }
        if moved > 0 {
            notes.insert(
                0,
                format!(
                    "We kept the {moved} item{} you added before signing in.",
                    if moved == 1 { "" } else { "s" }
                ),
            );
        }
    }
    carts::delete(&mut tx, guest_cart).await?;
    tx.commit().await?;
    Ok(notes)
}
