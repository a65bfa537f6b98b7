//! `/admin/promotions`: automatic offers with dates, and the rule of how they combine.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::db::promotions::PromotionRow;
use crate::discounts::promotions::{self, PromotionInput, offer_of};
use crate::discounts::terms::day_of;
use crate::discounts::{COMBINATION_RULE, DiscountError};
use crate::domain::{CategoryId, FieldErrors, ProductId};
use crate::http::Path;
use crate::state::AppState;
use crate::web::context::{PageContext, Staff};
use crate::web::errors::AppError;
use crate::web::handlers::admin::vouchers::ActiveForm;
use crate::web::session::{self, FlashLevel};
use crate::web::{render, see_other};

pub struct PromotionView {
    pub id: i64,
    pub name: String,
    pub offer: String,
    pub period: String,
    /// Running now, to come, ended, or switched off.
    pub state: &'static str,
    pub active: bool,
}

fn view(state: &AppState, p: &PromotionRow) -> PromotionView {
    let zone = &state.settings.store.time_zone;
    let now = state.clock.unix();
    PromotionView {
        id: p.id,
        name: p.name.clone(),
        offer: offer_of(p).map(|o| o.badge()).unwrap_or_default(),
        period: match p.ends_at {
            Some(e) => format!("{} to {}", day_of(p.starts_at, zone), day_of(e - 1, zone)),
            None => format!("from {}", day_of(p.starts_at, zone)),
        },
        state: if !p.active.0 {
            "switched off"
        } else if now < p.starts_at {
            "starts later"
        } else if p.ends_at.is_some_and(|e| now >= e) {
            "ended"
        } else {
            "running"
        },
        active: p.active.0,
    }
}

/// The scope fields' hint: the category slugs there are, and what an empty scope means.
pub async fn category_hint(state: &AppState, empty_means: &str) -> Result<String, AppError> {
    let slugs: Vec<String> = crate::db::catalog::categories(state.db.pool())
        .await?
        .into_iter()
        .map(|c| c.slug)
        .collect();
    Ok(format!(
        "Category slugs, comma separated: {}. Empty with no products: {empty_means}.",
        slugs.join(", ")
    ))
}

/// "Kitchen (category); Copper Kettle (EMP-1)".
pub async fn describe_scope(
    state: &AppState,
    products: &[ProductId],
    categories: &[CategoryId],
) -> Result<String, AppError> {
    let pool = state.db.pool();
    let mut parts: Vec<String> = crate::db::catalog::categories(pool)
        .await?
        .into_iter()
        .filter(|c| categories.contains(&c.id))
        .map(|c| format!("{} (category)", c.name))
        .collect();
    for p in products {
        if let Some(p) = crate::db::catalog::find(pool, *p).await? {
            parts.push(format!("{} ({})", p.name, p.sku));
        }
    }
    Ok(parts.join("; "))
}

#[derive(Template)]
#[template(path = "admin/promotions.html")]
struct PromotionsPage {
    ctx: PageContext,
    promotions: Vec<PromotionView>,
    rule: &'static str,
}

pub async fn list(
    _staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let promotions = promotions::list(&state)
        .await?
        .iter()
        .map(|p| view(&state, p))
        .collect();
    render(
        StatusCode::OK,
        &PromotionsPage {
            ctx,
            promotions,
            rule: COMBINATION_RULE,
        },
    )
}

#[derive(Template)]
#[template(path = "admin/promotion_form.html")]
struct PromotionFormPage {
    ctx: PageContext,
    form: PromotionInput,
    errors: FieldErrors,
    rule: &'static str,
    categories_hint: String,
}

async fn form_page(
    ctx: PageContext,
    state: &AppState,
    form: PromotionInput,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    render(
        status,
        &PromotionFormPage {
            ctx,
            form,
            errors,
            rule: COMBINATION_RULE,
            categories_hint: category_hint(state, "every product").await?,
        },
    )
}

pub async fn new(
    _staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let form = PromotionInput {
        kind: "percent".into(),
        starts_on: day_of(state.clock.unix(), &state.settings.store.time_zone),
        ..PromotionInput::default()
    };
    form_page(ctx, &state, form, FieldErrors::new(), StatusCode::OK).await
}

pub async fn create(
    staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<PromotionInput>,
) -> Result<HttpResponse, AppError> {
    let input = form.into_inner();
    match promotions::create(&state, staff.0.id, &input).await {
        Ok(id) => {
            session::flash(&session, FlashLevel::Success, "Promotion created.");
            Ok(see_other(&format!("/admin/promotions/{id}")))
        }
        Err(DiscountError::Invalid(errors)) => {
            form_page(ctx, &state, input, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "admin/promotion.html")]
struct PromotionPage {
    ctx: PageContext,
    p: PromotionView,
    scope: String,
    rule: &'static str,
}

pub async fn show(
    _staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    Path(id): Path<i64>,
) -> Result<HttpResponse, AppError> {
    let d = promotions::detail(&state, id).await?;
    let scope = if d.products.is_empty() && d.categories.is_empty() {
        "Every product.".to_string()
    } else {
        describe_scope(&state, &d.products, &d.categories).await?
    };
    let page = PromotionPage {
        ctx,
        p: view(&state, &d.row),
        scope,
        rule: COMBINATION_RULE,
    };
    render(StatusCode::OK, &page)
}

pub async fn set_active(
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    Path(id): Path<i64>,
    form: web::Form<ActiveForm>,
) -> Result<HttpResponse, AppError> {
    let on = form.is_on();
    promotions::set_active(&state, staff.0.id, id, on).await?;
    let note = if on {
        "The promotion is switched on."
    } else {
        "The promotion is switched off."
    };
    session::flash(&session, FlashLevel::Success, note);
    Ok(see_other(&format!("/admin/promotions/{id}")))
}
