//! `/admin/shipping`: the shipping methods, their price per group of countries and free-shipping
//! threshold, and switching a method on or off.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::Money;
use crate::http::Path;
use crate::shipping::{self, ShippingError};
use crate::state::AppState;
use crate::web::context::{PageContext, Staff};
use crate::web::errors::AppError;
use crate::web::handlers::admin::vouchers::ActiveForm;
use crate::web::session::{self, FlashLevel};
use crate::web::{render, see_other};

pub struct RateView {
    pub id: i64,
    pub zone: String,
    pub countries: String,
    pub price: String,
    pub free_over: String,
}

pub struct MethodView {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub active: bool,
    pub rates: Vec<RateView>,
}

#[derive(Template)]
#[template(path = "admin/shipping.html")]
struct ShippingPage {
    ctx: PageContext,
    methods: Vec<MethodView>,
    /// The rate whose form was refused, and why.
    error: Option<(i64, String)>,
}

async fn page(
    ctx: PageContext,
    state: &AppState,
    error: Option<(i64, String)>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let methods = shipping::methods(state)
        .await?
        .into_iter()
        .map(|m| MethodView {
            id: m.row.id,
            name: m.row.name,
            description: m.row.description,
            active: m.row.active.0,
            rates: m
                .rates
                .into_iter()
                .map(|r| RateView {
                    id: r.id,
                    zone: r.zone,
                    countries: if r.countries == "*" {
                        "every other country".into()
                    } else {
                        r.countries.replace(',', ", ")
                    },
                    price: Money::from_cents(r.price_cents).to_decimal(),
                    free_over: r
                        .free_over_cents
                        .map(|c| Money::from_cents(c).to_decimal())
                        .unwrap_or_default(),
                })
                .collect(),
        })
        .collect();
    render(
        status,
        &ShippingPage {
            ctx,
            methods,
            error,
        },
    )
}

pub async fn show(
    _staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    page(ctx, &state, None, StatusCode::OK).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RateForm {
    price: String,
    free_over: String,
}

pub async fn set_rate(
    staff: Staff,
    ctx: PageContext,
    state: web::Data<AppState>,
    session: Session,
    Path(id): Path<i64>,
    form: web::Form<RateForm>,
) -> Result<HttpResponse, AppError> {
    match shipping::set_rate(&state, staff.0.id, id, &form.price, &form.free_over).await {
        Ok(()) => {
            session::flash(&session, FlashLevel::Success, "Shipping rate saved.");
            Ok(see_other("/admin/shipping"))
        }
        Err(ShippingError::Invalid(e)) => {
            let message = e
                .fields()
                .flat_map(|(_, m)| m.iter())
                .next()
                .cloned()
                .unwrap_or_default();
            page(
                ctx,
                &state,
                Some((id, message)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn set_active(
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    Path(id): Path<i64>,
    form: web::Form<ActiveForm>,
) -> Result<HttpResponse, AppError> {
    shipping::set_method_active(&state, staff.0.id, id, form.is_on()).await?;
    session::flash(&session, FlashLevel::Success, "Shipping method saved.");
    Ok(see_other("/admin/shipping"))
}
