//! Voucher codes: staff create them (one shared code, or a batch of single-use codes); a
//! shopper puts one on the cart, sees its discount line or why it does not apply, and the
//! checkout counts its use in the order's transaction.

use serde::Deserialize;

use super::{Benefit, DiscountError, Scope, VoucherTerms, terms};
use crate::db::vouchers::{self as db, CodeRow, NewVoucher, VoucherRow};
use crate::db::{Tx, is_unique_violation};
use crate::domain::{FieldErrors, Money, UserId, required_text};
use crate::state::AppState;

/// A code as typed, in the form codes are stored: trimmed, upper case, inner spaces dropped.
pub fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
}

/// 3–32 letters, digits, `-` or `_`.
pub fn valid_code(code: &str) -> Result<String, String> {
    let c = normalise(code);
    if c.len() < 3
        || c.len() > 32
        || !c
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
    {
        return Err("A code has 3 to 32 letters, digits, “-” or “_”.".into());
    }
    Ok(c)
}

/// Whether the voucher itself may be used now (dates, switched on, uses left); the basket rules
/// (minimum value, what it covers) are [`super::apply`]'s.
pub fn status(v: &VoucherRow, c: &CodeRow, now: i64, zone: &str) -> Result<(), String> {
    if !v.active.0 {
        return Err(format!("The code {} is no longer valid.", c.code));
    }
    if let Some(s) = v.starts_at.filter(|s| now < *s) {
        return Err(format!(
            "The code {} is valid from {}.",
            c.code,
            terms::day_of(s, zone)
        ));
    }
    if let Some(e) = v.ends_at.filter(|e| now >= *e) {
        return Err(format!(
            "The code {} expired on {}.",
            c.code,
            terms::day_of(e - 1, zone)
        ));
    }
    let voucher_used_up = v.usage_limit.is_some_and(|l| v.used >= l);
    let code_used_up = c.max_uses.is_some_and(|l| c.used >= l);
    if voucher_used_up || code_used_up {
        return Err(format!("The code {} has been used up.", c.code));
    }
    Ok(())
}

/// A code found and usable now, with the ids the checkout counts its use on.
#[derive(Debug, Clone)]
pub struct Usable {
    pub voucher_id: i64,
    pub code_id: i64,
    pub per_customer_limit: Option<i64>,
    pub terms: VoucherTerms,
}

fn terms_of(v: &VoucherRow, c: &CodeRow, scope: Scope) -> VoucherTerms {
    VoucherTerms {
        code: c.code.clone(),
        benefit: if v.kind == "fixed" {
            Benefit::Fixed(v.amount)
        } else {
            Benefit::Percent(v.amount)
        },
        scope,
        min_basket_cents: v.min_basket_cents,
    }
}

/// Looks a code up: `Ok(Err(reason))` when it exists but cannot be used (unknown codes too).
pub async fn lookup<'c, A>(
    state: &AppState,
    conn: A,
    code: &str,
) -> Result<Result<Usable, String>, sqlx::Error>
where
    A: sqlx::Acquire<'c, Database = sqlx::Any>,
{
    let code = normalise(code);
    let mut conn = conn.acquire().await?;
    let Some((v, c)) = db::by_code(&mut *conn, &code).await? else {
        return Ok(Err(format!("There is no voucher with the code {code}.")));
    };
    if let Err(reason) = status(&v, &c, state.clock.unix(), &state.settings.store.time_zone) {
        return Ok(Err(reason));
    }
    let (products, categories) = db::scope(&mut *conn, v.id).await?;
    Ok(Ok(Usable {
        voucher_id: v.id,
        code_id: c.id,
        per_customer_limit: v.per_customer_limit,
        terms: terms_of(
            &v,
            &c,
            Scope {
                products,
                categories,
            },
        ),
    }))
}

/// Inside the checkout transaction: counts one use of the code for this order's buyer, or says
/// why it cannot (used up meanwhile, or this customer's uses are spent). Nothing is counted
/// when it says no; the caller rolls back.
pub async fn take_use(
    tx: &mut Tx,
    usable: &Usable,
    user: Option<UserId>,
    email: &str,
) -> Result<Result<(), String>, sqlx::Error> {
    let code = &usable.terms.code;
    if !db::take_use(tx, usable.voucher_id, usable.code_id).await? {
        return Ok(Err(format!(
            "The code {code} has just been used up, so your total changed."
        )));
    }
    if let Some(limit) = usable.per_customer_limit {
        let used = db::uses_by(&mut **tx, usable.voucher_id, user, email).await?;
        if used >= limit {
            return Ok(Err(format!(
                "You have already used the code {code}{}.",
                if limit == 1 {
                    String::new()
                } else {
                    format!(" {limit} times")
                }
            )));
        }
    }
    Ok(Ok(()))
}

/// How often a customer has used a voucher (checked when they put its code on the cart).
pub async fn spent_for(
    state: &AppState,
    usable: &Usable,
    user: UserId,
    email: &str,
) -> Result<Option<String>, sqlx::Error> {
    let Some(limit) = usable.per_customer_limit else {
        return Ok(None);
    };
    let used = db::uses_by(state.db.pool(), usable.voucher_id, Some(user), email).await?;
    Ok((used >= limit).then(|| format!("You have already used the code {}.", usable.terms.code)))
}

/// The voucher form.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct VoucherInput {
    pub name: String,
    /// `percent` or `fixed`.
    pub kind: String,
    /// The percentage, or the amount as a decimal (`5.00`).
    pub amount: String,
    pub min_basket: String,
    pub starts_on: String,
    pub ends_on: String,
    pub usage_limit: String,
    pub per_customer_limit: String,
    /// The shared code; with `batch_size`, the prefix of the generated codes.
    pub code: String,
    /// How many single-use codes to generate (empty: one shared code).
    pub batch_size: String,
    pub categories: String,
    pub products: String,
}

/// The most single-use codes one form makes.
pub const MAX_BATCH: i64 = 10_000;

/// A random single-use code: the prefix, a dash and 10 characters without look-alikes.
fn generated(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let tail: String = rand::random::<[u8; 10]>()
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect();
    if prefix.is_empty() {
        tail
    } else {
        format!("{prefix}-{tail}")
    }
}

pub async fn create(
    state: &AppState,
    actor: UserId,
    input: &VoucherInput,
) -> Result<i64, DiscountError> {
    let mut errors = FieldErrors::new();
    let zone = &state.settings.store.time_zone;
    let now = state.clock.unix();
    let name = errors.check("name", required_text(&input.name, 120, "a name"));
    let amount = match input.kind.as_str() {
        "percent" => {
            let p = terms::optional_number(&mut errors, "amount", &input.amount, 1, 100);
            if p.is_none() && !errors.has("amount") {
                errors.add("amount", "Enter the percentage off (1 to 100).");
            }
            p
        }
        "fixed" => errors
            .check("amount", Money::parse_decimal(&input.amount))
            .and_then(|m| {
                if m.cents() == 0 {
                    errors.add("amount", "Enter an amount above zero.");
                    None
                } else {
                    Some(m.cents())
                }
            }),
        _ => {
            errors.add("kind", "Choose a percentage or a fixed amount off.");
            None
        }
    };
    let min_basket = if input.min_basket.trim().is_empty() {
        Some(0)
    } else {
        errors
            .check("min_basket", Money::parse_decimal(&input.min_basket))
            .map(Money::cents)
    };
    let (starts, ends) = terms::period(&mut errors, &input.starts_on, &input.ends_on, now, zone);
    let usage_limit = terms::optional_number(
        &mut errors,
        "usage_limit",
        &input.usage_limit,
        1,
        1_000_000_000,
    );
    let per_customer = terms::optional_number(
        &mut errors,
        "per_customer_limit",
        &input.per_customer_limit,
        1,
        1_000_000,
    );
    let batch = terms::optional_number(&mut errors, "batch_size", &input.batch_size, 1, MAX_BATCH);
    // A batch's prefix may be empty (a shared code may not), and leaves room for the dash and
    // the 10 drawn characters within a code's 32.
    let code = if batch.is_some() && input.code.trim().is_empty() {
        Some(String::new())
    } else {
        errors.check("code", valid_code(&input.code))
    };
    if batch.is_some() && code.as_ref().is_some_and(|c| c.len() > 21) {
        errors.add(
            "code",
            "A prefix of single-use codes has at most 21 characters.",
        );
    }
    let mut tx = state.db.begin_write().await?;
    let (products, categories) =
        terms::scope(&mut tx, &mut errors, &input.categories, &input.products).await?;
    let (Some(name), Some(amount), Some(min_basket), Some(code)) = (name, amount, min_basket, code)
    else {
        return Err(DiscountError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(DiscountError::Invalid(errors));
    }
    let new = NewVoucher {
        name: &name,
        kind: &input.kind,
        amount,
        min_basket_cents: min_basket,
        starts_at: starts,
        ends_at: ends,
        usage_limit,
        per_customer_limit: per_customer,
    };
    let id = db::insert(&mut tx, &new, now).await?;
    match batch {
        None => {
            if let Err(e) = db::add_code(&mut tx, id, &code, None).await {
                if is_unique_violation(&e) {
                    errors.add("code", format!("The code {code} exists already."));
                    return Err(DiscountError::Invalid(errors));
                }
                return Err(e.into());
            }
        }
        Some(n) => {
            let mut made = 0;
            while made < n {
                // 32^10 codes: a collision is rare, and then another code is drawn.
                if db::add_new_code(&mut tx, id, &generated(&code), Some(1)).await? {
                    made += 1;
                }
            }
        }
    }
    db::set_scope(&mut tx, id, &products, &categories).await?;
    let details = format!(
        "{name}: {} {}, {} code(s)",
        input.kind,
        input.amount.trim(),
        batch.unwrap_or(1)
    );
    super::audit(&mut tx, actor, "create", "voucher", id, &details, now).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn set_active(
    state: &AppState,
    actor: UserId,
    id: i64,
    active: bool,
) -> Result<(), DiscountError> {
    super::switch(state, actor, super::Switchable::Voucher, id, active).await
}
