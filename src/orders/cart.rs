//! Carts: a customer's persists across sessions and devices; a guest's lives with the session
//! and merges into the customer's cart at sign-in. Quantities never exceed the stock; prices are
//! always the current ones.

use super::OrderError;
use super::pricing::{PricingRules, Totals, VatRates};
use crate::db::carts::{self, Line, LineKey};
use crate::discounts::vouchers::{self, Usable};
use crate::discounts::{self, DiscountPart, Item, Promotion, promotions};
use crate::domain::{CartId, FieldErrors, Money, ProductId, Quantity, UserId};
use crate::shipping::{Method, Offer};
use crate::state::AppState;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    User(UserId),
    /// The random token a guest's session holds.
    Guest(String),
}

/// Why a product with variants cannot go in the cart as it is (the wishlist then sends the
/// shopper to its page).
pub const CHOOSE_VARIANT: &str = "This product comes in several variants; please choose one.";

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
    /// 0: no variant.
    pub variant_id: i64,
    /// The variant's options ("M / Blue"), empty without one.
    pub variant: String,
    pub sku: String,
    pub name: String,
    pub brand: String,
    pub thumb: Option<String>,
    pub unit_price: Money,
    pub quantity: i64,
    /// The list price × quantity (before discounts).
    pub line_total: Money,
    /// What promotions and the voucher take off this line.
    pub discount: Money,
    /// The promotion applied to the line, if one is.
    pub offer: Option<String>,
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
    /// The discount lines (promotions, then the voucher).
    pub discounts: Vec<DiscountPart>,
    /// The voucher code on the cart, and why it takes nothing off when it does not.
    pub voucher: Option<String>,
    pub voucher_problem: Option<String>,
    /// Where it ships to, the methods offered there (priced for this basket), and the one the
    /// totals hold (none: the shop does not deliver there).
    pub shipping_country: String,
    pub shipping_offers: Vec<Offer>,
    pub shipping_method: Option<Offer>,
    pub items: i64,
    pub blocked: bool,
}

/// Where a cart ships and how: the shop's methods, the destination country, and the method
/// chosen (none or one not offered there: the first offered).
#[derive(Debug, Clone)]
pub struct ShippingPlan {
    pub methods: Vec<Method>,
    pub country: String,
    pub method: Option<String>,
}

impl ShippingPlan {
    /// The plan a cart page shows: the customer's default shipping address's country (the
    /// shop's own otherwise) and the first method offered there.
    pub async fn default_for(state: &AppState, owner: &Owner) -> Result<Self, OrderError> {
        let country = match owner {
            Owner::User(u) => crate::addresses::book(state, *u)
                .await?
                .shipping()
                .map(|a| a.country.clone()),
            Owner::Guest(_) => None,
        };
        Ok(Self {
            methods: crate::shipping::methods(state).await?,
            country: country.unwrap_or_else(|| state.settings.store.country_code.clone()),
            method: None,
        })
    }
}

/// The voucher on a cart as pricing sees it: usable (with its terms), or why not.
pub type VoucherState = Option<Result<Usable, String>>;

/// Prices cart lines: promotions and the voucher (see `discounts`), then the totals. The
/// checkout uses the same function inside its transaction, so it charges what the page showed.
pub fn price(
    state: &AppState,
    lines: Vec<Line>,
    promotions: &[Promotion],
    voucher: &VoucherState,
    shipping: &ShippingPlan,
) -> CartView {
    let rules = rules(state);
    let items: Vec<Item> = lines
        .iter()
        .map(|l| Item {
            product_id: l.product_id,
            category_id: l.category_id,
            unit_cents: l.price.cents(),
            quantity: l.quantity,
        })
        .collect();
    let currency = state.settings.store.currency.clone();
    let terms = match voucher {
        Some(Ok(u)) => Some(&u.terms),
        _ => None,
    };
    let outcome = discounts::apply(&items, promotions, terms, |c| {
        Money::from_cents(c).display(&currency)
    });
    let lines: Vec<CartLine> = lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| CartLine {
            problem: line_problem(&l),
            product_id: l.product_id,
            variant_id: l.variant_id,
            variant: l.variant,
            sku: l.sku,
            name: l.name,
            brand: l.brand,
            thumb: l.thumb,
            unit_price: l.price,
            quantity: l.quantity,
            line_total: Money::from_cents(l.price.cents() * l.quantity),
            discount: Money::from_cents(outcome.line_discounts.get(i).copied().unwrap_or(0)),
            offer: outcome.line_offers.get(i).cloned().flatten(),
            stock: l.stock,
            vat_percent: rules.rates.of(l.tax_class),
        })
        .collect();
    let voucher_problem = match voucher {
        Some(Err(reason)) => Some(reason.clone()),
        _ => outcome.voucher_problem.clone(),
    };
    let goods: i64 = lines
        .iter()
        .map(|l| l.line_total.cents() - l.discount.cents())
        .sum();
    let offers = crate::shipping::offers(
        &shipping.methods,
        &shipping.country,
        goods,
        lines.is_empty(),
    );
    let chosen = shipping
        .method
        .as_deref()
        .and_then(|m| offers.iter().find(|o| o.code == m))
        .or_else(|| offers.first())
        .cloned();
    CartView {
        totals: rules.discounted_totals(
            lines
                .iter()
                .map(|l| (l.line_total.cents(), l.discount.cents(), l.vat_percent)),
            chosen.as_ref().map_or(0, |o| o.price_cents),
        ),
        shipping_country: shipping.country.clone(),
        shipping_offers: offers,
        shipping_method: chosen,
        discounts: outcome.parts,
        voucher: match voucher {
            Some(Ok(u)) => Some(u.terms.code.clone()),
            _ => None,
        },
        voucher_problem,
        items: lines.iter().map(|l| l.quantity).sum(),
        blocked: lines.iter().any(|l| l.problem.is_some()),
        lines,
    }
}

/// The cart's voucher, looked up now (`None`: the cart carries no code).
pub async fn voucher_state<'c, A>(
    state: &AppState,
    conn: A,
    cart: CartId,
) -> Result<VoucherState, sqlx::Error>
where
    A: sqlx::Acquire<'c, Database = sqlx::Any>,
{
    let mut conn = conn.acquire().await?;
    let Some(code) = carts::voucher_code(&mut *conn, cart).await? else {
        return Ok(None);
    };
    Ok(Some(vouchers::lookup(state, &mut *conn, &code).await?))
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

pub async fn view(state: &AppState, owner: &Owner) -> Result<CartView, OrderError> {
    let Some(cart) = find(state, owner).await? else {
        return Ok(CartView::default());
    };
    let pool = state.db.pool();
    let lines = carts::lines(pool, cart).await?;
    let promotions = promotions::running(state).await?;
    let voucher = voucher_state(state, pool, cart).await?;
    let shipping = ShippingPlan::default_for(state, owner).await?;
    Ok(price(state, lines, &promotions, &voucher, &shipping))
}

/// The cart priced for a chosen destination and method (the checkout page).
pub async fn view_shipped(
    state: &AppState,
    owner: &Owner,
    shipping: &ShippingPlan,
) -> Result<CartView, OrderError> {
    let Some(cart) = find(state, owner).await? else {
        return Ok(CartView::default());
    };
    let pool = state.db.pool();
    let lines = carts::lines(pool, cart).await?;
    let promotions = promotions::running(state).await?;
    let voucher = voucher_state(state, pool, cart).await?;
    Ok(price(state, lines, &promotions, &voucher, shipping))
}

/// Puts a voucher code on the cart after checking it applies to the cart as it is now (and,
/// for a signed-in customer, that their uses are not spent). Returns the discount line.
pub async fn apply_voucher(
    state: &AppState,
    owner: &Owner,
    code: &str,
    customer: Option<(UserId, &str)>,
    ip: &str,
) -> Result<DiscountPart, OrderError> {
    count_change(state, ip).await?;
    let refuse = |reason: String| {
        let mut e = FieldErrors::new();
        e.add("code", reason);
        OrderError::Invalid(e)
    };
    if vouchers::normalise(code).is_empty() {
        return Err(refuse("Enter a voucher code.".into()));
    }
    let Some(cart) = find(state, owner).await? else {
        return Err(refuse("Your cart is empty.".into()));
    };
    let pool = state.db.pool();
    let usable = match vouchers::lookup(state, pool, code).await? {
        Ok(u) => u,
        Err(reason) => return Err(refuse(reason)),
    };
    if let Some((user, email)) = customer
        && let Some(reason) = vouchers::spent_for(state, &usable, user, email).await?
    {
        return Err(refuse(reason));
    }
    let code = usable.terms.code.clone();
    let lines = carts::lines(pool, cart).await?;
    if lines.is_empty() {
        return Err(refuse("Your cart is empty.".into()));
    }
    let promotions = promotions::running(state).await?;
    let shipping = ShippingPlan::default_for(state, owner).await?;
    let view = price(state, lines, &promotions, &Some(Ok(usable)), &shipping);
    if let Some(reason) = view.voucher_problem {
        return Err(refuse(reason));
    }
    let part = view
        .discounts
        .into_iter()
        .find(|p| p.code.as_deref() == Some(code.as_str()))
        .ok_or_else(|| refuse(format!("The code {code} takes nothing off your cart.")))?;
    let mut tx = state.db.begin_write().await?;
    carts::set_voucher(&mut tx, cart, Some(&code)).await?;
    tx.commit().await?;
    Ok(part)
}

/// Takes the voucher code off the cart.
pub async fn remove_voucher(state: &AppState, owner: &Owner, ip: &str) -> Result<(), OrderError> {
    count_change(state, ip).await?;
    if let Some(cart) = find(state, owner).await? {
        let mut tx = state.db.begin_write().await?;
        carts::set_voucher(&mut tx, cart, None).await?;
        tx.commit().await?;
    }
    Ok(())
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
#[tracing::instrument(name = "cart add", skip_all, fields(product = %product.0, variant = product.1, quantity = quantity.get()))]
pub async fn add(
    state: &AppState,
    owner: &Owner,
    product: LineKey,
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
        if product.1 == 0 && crate::db::variants::count_for(&mut tx, product.0).await? > 0 {
            return Err(quantity_error(CHOOSE_VARIANT.into()));
        }
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

/// The variant a shopper chose with the product page's option fields (`chosen`: the values of
/// options 1–3, or a variant id); 0 for a product without variants. A combination that does
/// not exist or is not sold is refused with a sentence naming it.
pub async fn resolve_variant(
    state: &AppState,
    product: ProductId,
    variant_id: &str,
    chosen: [&str; 3],
) -> Result<i64, OrderError> {
    let pool = state.db.pool();
    let variants = crate::db::variants::variants(pool, product).await?;
    if variants.is_empty() {
        return Ok(0);
    }
    let names = crate::db::variants::options(pool, product).await?;
    let refuse = |message: String| {
        let mut e = FieldErrors::new();
        e.add("quantity", message);
        OrderError::NotEnoughStock(e)
    };
    let found = match variant_id.trim().parse::<i64>() {
        Ok(id) => variants.iter().find(|v| v.id == id),
        Err(_) => {
            let chosen: Vec<&str> = chosen.iter().map(|c| c.trim()).collect();
            if chosen.iter().take(names.len().max(1)).any(|c| c.is_empty()) {
                return Err(refuse(format!(
                    "Please choose the {}.",
                    names.join(" and ").to_lowercase()
                )));
            }
            variants.iter().find(|v| {
                v.values()
                    .iter()
                    .zip(&chosen)
                    .all(|(a, b)| a.eq_ignore_ascii_case(b))
            })
        }
    };
    let describe = |values: &[&str]| {
        names
            .iter()
            .zip(values)
            .map(|(n, v)| format!("{n} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match found {
        Some(v) if v.active.0 && v.stock > 0 => Ok(v.id),
        Some(v) => Err(refuse(format!(
            "{} is sold out; please choose another.",
            describe(&v.values())
        ))),
        None => Err(refuse(format!(
            "{} is not available; please choose another combination.",
            describe(&chosen)
        ))),
    }
}

/// Sets a line's quantity (0 removes it); refuses more than the stock.
pub async fn set(
    state: &AppState,
    owner: &Owner,
    product: LineKey,
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
            let product = (l.product_id, l.variant_id);
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
    // The code the guest entered comes along unless the customer's cart has one.
    if let Some(code) = carts::voucher_code(&mut *tx, guest_cart).await? {
        let cart = carts::ensure_for_user(&mut tx, user, now).await?;
        if carts::voucher_code(&mut *tx, cart).await?.is_none() {
            carts::set_voucher(&mut tx, cart, Some(&code)).await?;
        }
    }
    carts::delete(&mut tx, guest_cart).await?;
    tx.commit().await?;
    Ok(notes)
}
