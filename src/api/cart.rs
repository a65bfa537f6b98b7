//! `/api/v1/cart`: the signed-in customer's cart, the same cart the pages show.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::ApiJson;
use super::auth::ApiUser;
use super::error::{ApiError, ErrorBody};
use crate::domain::{FieldErrors, ProductId, Quantity};
use crate::http::client_ip;
use crate::orders::cart::{self, CartView, Owner};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct CartItem {
    #[schema(value_type = i64)]
    pub product_id: ProductId,
    /// The variant (0: none) and its options ("M / Blue").
    pub variant_id: i64,
    pub variant: String,
    pub sku: String,
    pub name: String,
    pub brand: String,
    pub unit_price_cents: i64,
    pub quantity: i64,
    /// The list price × quantity, before discounts.
    pub line_total_cents: i64,
    /// What promotions and the voucher take off this line.
    pub discount_cents: i64,
    /// The promotion applied to the line.
    pub offer: Option<String>,
    /// Units in stock now.
    pub stock: i64,
    /// Why this line blocks checkout (no longer sold, out of stock, fewer left), if it does.
    pub problem: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Cart {
    pub items: Vec<CartItem>,
    /// Units in the cart.
    pub item_count: i64,
    pub currency: String,
    /// The lines at their list prices.
    pub subtotal_cents: i64,
    /// The discount lines: promotions, then the voucher.
    pub discounts: Vec<Discount>,
    /// All discounts together (`total = subtotal − discount + shipping`).
    pub discount_cents: i64,
    /// The voucher code on the cart, and why it takes nothing off when it does not.
    pub voucher: Option<String>,
    pub voucher_problem: Option<String>,
    pub shipping_cents: i64,
    /// The VAT included in the total.
    pub vat_cents: i64,
    /// The VAT included, per rate.
    pub vat: Vec<super::orders::VatAmount>,
    pub total_cents: i64,
    /// True when a line must be changed before the order can be placed.
    pub blocked: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Discount {
    pub label: String,
    /// The voucher code, for the voucher's line.
    pub code: Option<String>,
    pub amount_cents: i64,
}

pub fn to_json(state: &AppState, v: CartView) -> Cart {
    Cart {
        items: v
            .lines
            .into_iter()
            .map(|l| CartItem {
                product_id: l.product_id,
                variant_id: l.variant_id,
                variant: l.variant,
                sku: l.sku,
                name: l.name,
                brand: l.brand,
                unit_price_cents: l.unit_price.cents(),
                quantity: l.quantity,
                line_total_cents: l.line_total.cents(),
                discount_cents: l.discount.cents(),
                offer: l.offer,
                stock: l.stock,
                problem: l.problem,
            })
            .collect(),
        item_count: v.items,
        currency: state.settings.store.currency.clone(),
        subtotal_cents: v.totals.subtotal.cents(),
        discounts: v
            .discounts
            .into_iter()
            .map(|d| Discount {
                label: d.label,
                code: d.code,
                amount_cents: d.cents,
            })
            .collect(),
        discount_cents: v.totals.discount.cents(),
        voucher: v.voucher,
        voucher_problem: v.voucher_problem,
        shipping_cents: v.totals.shipping.cents(),
        vat_cents: v.totals.vat.cents(),
        vat: super::orders::vat_amounts(&v.totals.vat_lines),
        total_cents: v.totals.total.cents(),
        blocked: v.blocked,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"product_id": 7, "quantity": 2}))]
pub struct CartAdd {
    #[schema(value_type = i64)]
    pub product_id: ProductId,
    /// The variant (required for a product with variants; see the product's `variants`).
    #[serde(default)]
    pub variant_id: Option<i64>,
    /// Units to add.
    #[schema(minimum = 1, maximum = 999)] // MAX_QUANTITY
    pub quantity: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"product_id": 7, "quantity": 3}))]
pub struct CartSet {
    #[schema(value_type = i64)]
    pub product_id: ProductId,
    #[serde(default)]
    pub variant_id: Option<i64>,
    /// The line's new quantity; 0 removes it.
    #[schema(minimum = 0, maximum = 999)] // MAX_QUANTITY
    pub quantity: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CartRemove {
    /// The product to take out of the cart; without it the whole cart is emptied.
    #[param(value_type = Option<i64>)]
    pub product_id: Option<ProductId>,
    /// The line's variant, for a product with variants.
    pub variant_id: Option<i64>,
}

fn quantity(n: i64, allow_zero: bool) -> Result<Quantity, ApiError> {
    let mut e = FieldErrors::new();
    e.check("quantity", Quantity::from_number(n, allow_zero))
        .ok_or_else(|| ApiError::invalid(e))
}

async fn current(state: &AppState, owner: &Owner) -> Result<HttpResponse, ApiError> {
    let view = cart::view(state, owner).await?;
    Ok(HttpResponse::Ok().json(to_json(state, view)))
}

/// The cart with current prices, totals and any lines that block checkout.
#[utoipa::path(
    operation_id = "getCart",
    get,
    path = "/api/v1/cart",
    tag = "cart",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The cart", body = Cart),
        (status = 401, description = "No valid access token", body = ErrorBody),
    )
)]
pub async fn show(state: web::Data<AppState>, user: ApiUser) -> Result<HttpResponse, ApiError> {
    current(&state, &Owner::User(user.0.user.id)).await
}

/// Adds units of a product (never more than the stock, counting what is in the cart).
#[utoipa::path(
    operation_id = "addToCart",
    post,
    path = "/api/v1/cart",
    tag = "cart",
    security(("bearer" = [])),
    request_body = CartAdd,
    responses(
        (status = 200, description = "The cart after the change", body = Cart),
        (status = 400, description = "Invalid quantity or body", body = ErrorBody),
        (status = 401, description = "No valid access token", body = ErrorBody),
        (status = 404, description = "No such product on sale", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Not enough in stock", body = ErrorBody),
        (status = 429, description = "Too many cart changes from this address", body = ErrorBody),
    )
)]
pub async fn add(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<CartAdd>,
) -> Result<HttpResponse, ApiError> {
    let owner = Owner::User(user.0.user.id);
    let q = quantity(body.quantity, false)?;
    let line = (body.product_id, body.variant_id.unwrap_or(0));
    cart::add(&state, &owner, line, q, &client_ip(&req)).await?;
    current(&state, &owner).await
}

/// Sets a line's quantity; 0 removes the line.
#[utoipa::path(
    operation_id = "setCartQuantity",
    patch,
    path = "/api/v1/cart",
    tag = "cart",
    security(("bearer" = [])),
    request_body = CartSet,
    responses(
        (status = 200, description = "The cart after the change", body = Cart),
        (status = 400, description = "Invalid quantity or body", body = ErrorBody),
        (status = 401, description = "No valid access token", body = ErrorBody),
        (status = 404, description = "The product is not in the cart or not sold", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Not enough in stock", body = ErrorBody),
        (status = 429, description = "Too many cart changes from this address", body = ErrorBody),
    )
)]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<CartSet>,
) -> Result<HttpResponse, ApiError> {
    let owner = Owner::User(user.0.user.id);
    let q = quantity(body.quantity, true)?;
    let product = (body.product_id, body.variant_id.unwrap_or(0));
    let view = cart::view(&state, &owner).await?;
    if !view
        .lines
        .iter()
        .any(|l| (l.product_id, l.variant_id) == product)
    {
        return Err(ApiError::not_found("This product is not in your cart."));
    }
    cart::set(&state, &owner, product, q, &client_ip(&req)).await?;
    current(&state, &owner).await
}

/// Removes one product (`?product_id=`) or empties the cart.
#[utoipa::path(
    operation_id = "removeFromCart",
    delete,
    path = "/api/v1/cart",
    tag = "cart",
    security(("bearer" = [])),
    params(CartRemove),
    responses(
        (status = 200, description = "The cart after the change", body = Cart),
        (status = 400, description = "Invalid parameter", body = ErrorBody),
        (status = 401, description = "No valid access token", body = ErrorBody),
        (status = 429, description = "Too many cart changes from this address", body = ErrorBody),
    )
)]
pub async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ApiUser,
    query: web::Query<CartRemove>,
) -> Result<HttpResponse, ApiError> {
    let owner = Owner::User(user.0.user.id);
    match query.product_id {
        Some(product) => {
            let product = (product, query.variant_id.unwrap_or(0));
            let view = cart::view(&state, &owner).await?;
            if view
                .lines
                .iter()
                .any(|l| (l.product_id, l.variant_id) == product)
            {
                cart::set(
                    &state,
                    &owner,
                    product,
                    quantity(0, true)?,
                    &client_ip(&req),
                )
                .await?;
            }
        }
        None => cart::clear(&state, &owner, &client_ip(&req)).await?,
    }
    current(&state, &owner).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"code": "WELCOME10"}))]
pub struct VoucherCode {
    pub code: String,
}

/// Puts a voucher code on the cart; a code that is unknown or does not apply to the cart is
/// refused (422) with the reason under `errors.code`.
#[utoipa::path(
    operation_id = "applyVoucher",
    post,
    path = "/api/v1/cart/voucher",
    tag = "cart",
    security(("bearer" = [])),
    request_body = VoucherCode,
    responses(
        (status = 200, description = "The cart with the voucher's discount", body = Cart),
        (status = 400, description = "The body is not valid", body = ErrorBody),
        (status = 401, description = "No valid access token", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "The code is unknown, expired, used up or does not apply", body = ErrorBody),
        (status = 429, description = "Too many cart changes from this address", body = ErrorBody),
    )
)]
pub async fn apply_voucher(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<VoucherCode>,
) -> Result<HttpResponse, ApiError> {
    let u = &user.0.user;
    let owner = Owner::User(u.id);
    let customer = Some((u.id, u.email.as_str()));
    match cart::apply_voucher(&state, &owner, &body.code, customer, &client_ip(&req)).await {
        Ok(_) => current(&state, &owner).await,
        Err(crate::orders::OrderError::Invalid(errors)) => {
            let reason = errors
                .get("code")
                .first()
                .cloned()
                .unwrap_or_else(|| "The code cannot be used.".into());
            let mut e = ApiError::unprocessable(reason);
            e.body.errors = Some(errors);
            Err(e)
        }
        Err(e) => Err(e.into()),
    }
}

/// Takes the voucher code off the cart.
#[utoipa::path(
    operation_id = "removeVoucher",
    delete,
    path = "/api/v1/cart/voucher",
    tag = "cart",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The cart without a voucher", body = Cart),
        (status = 401, description = "No valid access token", body = ErrorBody),
        (status = 429, description = "Too many cart changes from this address", body = ErrorBody),
    )
)]
pub async fn remove_voucher(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ApiUser,
) -> Result<HttpResponse, ApiError> {
    let owner = Owner::User(user.0.user.id);
    cart::remove_voucher(&state, &owner, &client_ip(&req)).await?;
    current(&state, &owner).await
}
