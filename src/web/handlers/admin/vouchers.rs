//! `/admin/vouchers`: voucher codes (one shared code, or batches of single-use codes), their
//! usage, and the codes of a batch as CSV.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::db::vouchers::{self as db, VoucherRow};
use crate::discounts::terms::day_of;
use crate::discounts::vouchers::{self, VoucherInput};
use crate::discounts::{COMBINATION_RULE, DiscountError};
use crate::domain::{FieldErrors, Money};
use crate::http::Path;
use crate::state::AppState;
use crate::web::context::{PageContext, Staff};
use crate::web::errors::AppError;
use crate::web::session::{self, FlashLevel};
use crate::web::{csv_download, render, see_other};

/// A voucher's rules in words.
pub struct VoucherView {
    pub id: i64,
    pub name: String,
    pub benefit: String,
    pub min_basket: String,
    pub period: String,
    pub usage: String,
    pub per_customer: String,
    pub active: bool,
    pub first_code: String,
    pub codes: i64,
}

fn view(state: &AppState, v: &VoucherRow, first_code: Option<String>, codes: i64) -> VoucherView {
    let c = &state.settings.store.currency;
    let zone = &state.settings.store.time_zone;
    let money = |cents: i64| Money::from_cents(cents).display(c);
    VoucherView {
        id: v.id,
        name: v.name.clone(),
        benefit: if v.kind == "fixed" {
            format!("{} off", money(v.amount))
        } else {
            format!("{} % off", v.amount)
        },
        min_basket: if v.min_basket_cents > 0 {
            money(v.min_basket_cents)
        } else {
            "none".into()
        },
        period: match (v.starts_at, v.ends_at) {
            (None, None) => "always".into(),
            (Some(s), None) => format!("from {}", day_of(s, zone)),
            (None, Some(e)) => format!("until {}", day_of(e - 1, zone)),
            (Some(s), Some(e)) => format!("{} to {}", day_of(s, zone), day_of(e - 1, zone)),
        },
        usage: match v.usage_limit {
            Some(l) => format!("{} of {l}", v.used),
            None => format!("{} (no limit)", v.used),
        },
        per_customer: v
            .per_customer_limit
            .map(|l| l.to_string())
            .unwrap_or_else(|| "no limit".into()),
        active: v.active.0,
        first_code: first_code.unwrap_or_default(),
        codes,
    }
}

#[derive(Template)]
#[template(path = "admin/vouchers.html")]
struct VouchersPage {
    ctx: PageContext,
    vouchers: Vec<VoucherView>,
}

pub async fn list(
    _staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let vouchers = db::list(state.db.pool())
        .await?
        .into_iter()
        .map(|l| view(&state, &l.voucher, l.first_code, l.codes))
        .collect();
    render(StatusCode::OK, &VouchersPage { ctx, vouchers })
}

#[derive(Template)]
#[template(path = "admin/voucher_form.html")]
struct VoucherFormPage {
    ctx: PageContext,
    form: VoucherInput,
    errors: FieldErrors,
    rule: &'static str,
    categories_hint: String,
}

async fn form_page(
    ctx: PageContext,
    state: &AppState,
    form: VoucherInput,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    render(
        status,
        &VoucherFormPage {
            ctx,
            form,
            errors,
            rule: COMBINATION_RULE,
            categories_hint: super::promotions::category_hint(state, "the whole basket").await?,
        },
    )
}

pub async fn new(
    _staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let form = VoucherInput {
        kind: "percent".into(),
        ..VoucherInput::default()
    };
    form_page(ctx, &state, form, FieldErrors::new(), StatusCode::OK).await
}

pub async fn create(
    staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<VoucherInput>,
) -> Result<HttpResponse, AppError> {
    let input = form.into_inner();
    match vouchers::create(&state, staff.0.id, &input).await {
        Ok(id) => {
            session::flash(&session, FlashLevel::Success, "Voucher created.");
            Ok(see_other(&format!("/admin/vouchers/{id}")))
        }
        Err(DiscountError::Invalid(errors)) => {
            form_page(ctx, &state, input, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

pub struct CodeView {
    pub code: String,
    pub used: String,
}

#[derive(Template)]
#[template(path = "admin/voucher.html")]
struct VoucherPage {
    ctx: PageContext,
    v: VoucherView,
    scope: String,
    codes: Vec<CodeView>,
    more_codes: i64,
    orders: i64,
    discounted: String,
    rule: &'static str,
}

/// Codes listed on the page; the CSV has them all.
const SHOWN_CODES: usize = 100;

pub async fn show(
    _staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    Path(id): Path<i64>,
) -> Result<HttpResponse, AppError> {
    let pool = state.db.pool();
    let v = db::find(pool, id).await?.ok_or(AppError::NotFound)?;
    let codes = db::codes(pool, id).await?;
    let (products, categories) = db::scope(pool, id).await?;
    let (orders, discounted) = db::redemption_totals(pool, id).await?;
    let scope = if products.is_empty() && categories.is_empty() {
        "The whole basket.".to_string()
    } else {
        super::promotions::describe_scope(&state, &products, &categories).await?
    };
    let more_codes = i64::try_from(codes.len().saturating_sub(SHOWN_CODES)).unwrap_or(0);
    let first = codes.first().map(|c| c.code.clone());
    let page = VoucherPage {
        ctx,
        v: view(&state, &v, first, i64::try_from(codes.len()).unwrap_or(0)),
        scope,
        codes: codes
            .iter()
            .take(SHOWN_CODES)
            .map(|c| CodeView {
                code: c.code.clone(),
                used: match c.max_uses {
                    Some(m) => format!("{} of {m}", c.used),
                    None => c.used.to_string(),
                },
            })
            .collect(),
        more_codes,
        orders,
        discounted: Money::from_cents(discounted).display(&state.settings.store.currency),
        rule: COMBINATION_RULE,
    };
    render(StatusCode::OK, &page)
}

/// All codes of a voucher with their use, for mailing single-use codes.
pub async fn codes_csv(
    _staff: Staff,
    state: web::Data<AppState>,
    Path(id): Path<i64>,
) -> Result<HttpResponse, AppError> {
    let pool = state.db.pool();
    db::find(pool, id).await?.ok_or(AppError::NotFound)?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let write = |w: &mut csv::Writer<Vec<u8>>, row: [&str; 3]| {
        w.write_record(row)
            .map_err(|e| AppError::Internal(e.into()))
    };
    write(&mut w, ["code", "max_uses", "used"])?;
    for c in db::codes(pool, id).await? {
        let max = c.max_uses.map(|m| m.to_string()).unwrap_or_default();
        write(&mut w, [&c.code, &max, &c.used.to_string()])?;
    }
    let body = w.into_inner().map_err(|e| AppError::Internal(e.into()))?;
    let today = day_of(state.clock.unix(), &state.settings.store.time_zone);
    Ok(csv_download(&format!("voucher-{id}-codes"), &today, body))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActiveForm {
    active: String,
}

impl ActiveForm {
    pub fn is_on(&self) -> bool {
        self.active.trim() == "1"
    }
}

pub async fn set_active(
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    Path(id): Path<i64>,
    form: web::Form<ActiveForm>,
) -> Result<HttpResponse, AppError> {
    let on = form.is_on();
    vouchers::set_active(&state, staff.0.id, id, on).await?;
    let note = if on {
        "The voucher is switched on."
    } else {
        "The voucher is switched off: its codes no longer work."
    };
    session::flash(&session, FlashLevel::Success, note);
    Ok(see_other(&format!("/admin/vouchers/{id}")))
}
