//! `/api/v1/orders`: the customer's orders and placing one from the cart (the same checkout as
//! the page). An `Idempotency-Key` makes a retried POST return the order the first one made.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::auth::ApiUser;
use super::error::{ApiError, ErrorBody};
use super::{ApiJson, rfc3339};
use crate::db::orders::Order as OrderRow;
use crate::domain::{OrderId, ProductId, UserId};
use crate::http::Path;
use crate::orders::checkout::{self, CheckoutInput, Placed};
use crate::orders::detail::{self, OrderDetail, Viewer};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderSummary {
    #[schema(value_type = i64)]
    pub id: OrderId,
    /// pending, paid, shipped, delivered, cancelled or refunded.
    pub status: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub currency: String,
    pub total_cents: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderLine {
    #[schema(value_type = i64)]
    pub product_id: ProductId,
    pub sku: String,
    pub name: String,
    pub unit_price_cents: i64,
    pub quantity: i64,
    /// What was charged for the line: unit price × quantity − discount.
    pub line_total_cents: i64,
    pub discount_cents: i64,
    pub vat_percent: i64,
}

/// The part of a total at one VAT rate.
#[derive(Debug, Serialize, ToSchema)]
pub struct VatAmount {
    pub percent: i64,
    pub net_cents: i64,
    pub vat_cents: i64,
}

pub fn vat_amounts(lines: &[crate::orders::pricing::VatLine]) -> Vec<VatAmount> {
    lines
        .iter()
        .map(|v| VatAmount {
            percent: v.percent,
            net_cents: v.net_cents,
            vat_cents: v.vat_cents,
        })
        .collect()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrderEvent {
    pub status: String,
    pub note: String,
    /// RFC 3339, UTC.
    pub at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Order {
    #[schema(value_type = i64)]
    pub id: OrderId,
    pub status: String,
    pub created_at: String,
    pub currency: String,
    pub subtotal_cents: i64,
    /// What promotions and the voucher took off (`total = subtotal − discount + shipping`).
    pub discount_cents: i64,
    /// The discount lines as applied at checkout.
    pub discounts: Vec<super::cart::Discount>,
    pub shipping_cents: i64,
    /// Net of VAT.
    pub net_cents: i64,
    /// The standard rate when the order was placed (see `vat` for each rate it holds).
    pub vat_percent: i64,
    pub vat_cents: i64,
    /// Net and VAT per rate, highest rate first.
    pub vat: Vec<VatAmount>,
    pub total_cents: i64,
    pub shipping_address: String,
    /// ISO code (absent on orders placed before shipping methods).
    pub shipping_country: Option<String>,
    /// `standard`, `express`, `pickup`.
    pub shipping_method: Option<String>,
    /// The billing address when it is not the delivery address.
    pub billing_address: Option<String>,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
    pub payment_status: String,
    pub tracking_number: Option<String>,
    pub invoice_number: Option<String>,
    pub lines: Vec<OrderLine>,
    /// The status history, oldest first.
    pub history: Vec<OrderEvent>,
}

fn summary(o: &OrderRow) -> OrderSummary {
    OrderSummary {
        id: o.id,
        status: o.status.as_str().to_string(),
        created_at: rfc3339(o.created_at),
        currency: o.currency.clone(),
        total_cents: o.total.cents(),
    }
}

impl From<OrderDetail> for Order {
    fn from(d: OrderDetail) -> Self {
        let vat = vat_amounts(&crate::orders::detail::vat_lines(&d.order, &d.lines));
        let o = d.order;
        Self {
            vat,
            id: o.id,
            status: o.status.as_str().to_string(),
            created_at: rfc3339(o.created_at),
            subtotal_cents: o.subtotal.cents(),
            discount_cents: o.discount.cents(),
            discounts: d
                .discounts
                .into_iter()
                .map(|x| super::cart::Discount {
                    label: x.label,
                    code: x.code,
                    amount_cents: x.amount.cents(),
                })
                .collect(),
            shipping_cents: o.shipping.cents(),
            net_cents: o.net.cents(),
            vat_percent: o.vat_percent,
            vat_cents: o.vat.cents(),
            total_cents: o.total.cents(),
            payment_status: o.payment_status.as_str().to_string(),
            currency: o.currency,
            shipping_address: o.shipping_address,
            shipping_country: o.shipping_country,
            shipping_method: o.shipping_method,
            billing_address: o.billing_address,
            card_brand: o.card_brand,
            card_last4: o.card_last4,
            tracking_number: o.tracking_number,
            invoice_number: d.invoice_number,
            lines: d
                .lines
                .into_iter()
                .map(|l| OrderLine {
                    product_id: l.product_id,
                    sku: l.sku,
                    name: l.name,
                    unit_price_cents: l.unit_price.cents(),
                    quantity: l.quantity,
                    line_total_cents: l.line_total.cents(),
                    discount_cents: l.discount.cents(),
                    vat_percent: l.vat_percent,
                })
                .collect(),
            history: d
                .events
                .into_iter()
                .map(|e| OrderEvent {
                    status: e.status.as_str().to_string(),
                    note: e.note,
                    at: rfc3339(e.at),
                })
                .collect(),
        }
    }
}

/// The customer's orders, newest first.
#[utoipa::path(
    operation_id = "listOrders",
    get,
    path = "/api/v1/orders",
    tag = "orders",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The orders", body = Vec<OrderSummary>),
        (status = 401, description = "No valid access token", body = ErrorBody),
    )
)]
pub async fn list(state: web::Data<AppState>, user: ApiUser) -> Result<HttpResponse, ApiError> {
    let orders = detail::list_for_customer(&state, user.0.user.id).await?;
    Ok(HttpResponse::Ok().json(orders.iter().map(summary).collect::<Vec<_>>()))
}

/// One of the customer's orders with its lines and status history. Another customer's order is
/// "not found".
#[utoipa::path(
    operation_id = "getOrder",
    get,
    path = "/api/v1/orders/{id}",
    tag = "orders",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Order id")),
    responses(
        (status = 200, description = "The order", body = Order),
        (status = 401, description = "No valid access token", body = ErrorBody),
        (status = 404, description = "No such order", body = ErrorBody),
    )
)]
pub async fn show(
    state: web::Data<AppState>,
    user: ApiUser,
    Path(id): Path<OrderId>,
) -> Result<HttpResponse, ApiError> {
    let order = detail::detail(&state, Viewer::Customer(user.0.user.id), id).await?;
    Ok(HttpResponse::Ok().json(Order::from(order)))
}

/// The mock card and where to ship. Card numbers that pass the Luhn check are accepted, except
/// the test numbers that are declined: `4000 0000 0000 0002` (declined) and
/// `4000 0000 0000 9995` (insufficient funds).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "card_name": "Ada Lovelace", "card_number": "4242424242424242",
    "card_expiry": "12/30", "card_cvc": "123", "expected_total_cents": 5480
}))]
pub struct PlaceOrder {
    /// Defaults to the address in the profile.
    #[serde(default)]
    pub shipping_address: Option<String>,
    /// The country of `shipping_address` (ISO code; defaults to the shop's).
    #[serde(default)]
    pub shipping_country: Option<String>,
    /// One of the customer's saved addresses (`/api/v1/addresses`) instead of
    /// `shipping_address`.
    #[serde(default)]
    pub address_id: Option<i64>,
    /// A billing address other than the delivery address.
    #[serde(default)]
    pub billing_address: Option<String>,
    /// `standard`, `express`, `pickup` (what the country is offered; defaults to the first).
    #[serde(default)]
    pub shipping_method: Option<String>,
    pub card_name: String,
    pub card_number: String,
    /// `MM/YY`.
    pub card_expiry: String,
    pub card_cvc: String,
    /// The total the client showed the customer (`total_cents` of `GET /cart`); the order is
    /// refused (409) if the cart's total differs, so the card is never charged an amount nobody saw.
    pub expected_total_cents: i64,
}

/// The checkout token of an API order: a digest of the customer and their idempotency key, so
/// the same key always names the same order and keys of different customers never meet.
fn token_for(user: UserId, key: &str) -> String {
    hex::encode(Sha256::digest(format!("api:{user}:{key}").as_bytes()))
}

fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(raw) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    match raw.to_str() {
        Ok(k) if (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(Some(k.to_string()))
        }
        _ => Err(ApiError::bad_request(
            "Idempotency-Key must be 1 to 255 visible ASCII characters.",
        )),
    }
}

/// Places an order from the cart and charges the card.
#[utoipa::path(
    operation_id = "placeOrder",
    post,
    path = "/api/v1/orders",
    tag = "orders",
    security(("bearer" = [])),
    params(
        ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = r"^[!-~]+$",
         description = "Any unique value (a UUID); retrying with the same key returns the same order instead of buying twice")
    ),
    request_body = PlaceOrder,
    responses(
        (status = 201, description = "Order placed: paid, or (payment_status none) waiting for the shop because the capture failed", body = Order,
         headers(("Location" = String, description = "The order's address"))),
        (status = 200, description = "This Idempotency-Key already placed this order", body = Order),
        (status = 400, description = "Invalid card or address fields, or Idempotency-Key", body = ErrorBody),
        (status = 401, description = "No valid access token", body = ErrorBody),
        (status = 402, description = "The card was declined", body = ErrorBody),
        (status = 409, description = "Empty cart, stock or total changed, unavailable lines", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 503, description = "The payment service did not answer; nothing was charged", body = ErrorBody),
    )
)]
pub async fn place(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<PlaceOrder>,
) -> Result<HttpResponse, ApiError> {
    let user = user.0.user;
    let key = idempotency_key(&req)?;
    let b = body;
    // Without an address in the request the customer's default one is used, as the cart's
    // shipping was priced for it.
    let default_address = match (&b.address_id, &b.shipping_address) {
        (None, None) => crate::addresses::book(&state, user.id)
            .await
            .map_err(crate::orders::OrderError::from)?
            .shipping()
            .map(|a| a.id),
        _ => None,
    };
    let input = CheckoutInput {
        checkout_token: match &key {
            Some(k) => token_for(user.id, k),
            None => checkout::new_token(),
        },
        email: String::new(),
        shipping_address: b.shipping_address.unwrap_or_else(|| user.address.clone()),
        card_name: b.card_name,
        card_number: b.card_number,
        card_expiry: b.card_expiry,
        card_cvc: b.card_cvc,
        expected_total_cents: b.expected_total_cents.to_string(),
        shipping_country: b.shipping_country.unwrap_or_default(),
        shipping_method: b.shipping_method.unwrap_or_default(),
        address_id: b
            .address_id
            .or(default_address)
            .map(|id| id.to_string())
            .unwrap_or_default(),
        billing_address: b.billing_address.unwrap_or_default(),
        billing_address_id: String::new(),
        update: String::new(),
    };
    let placed = checkout::place(&state, checkout::Buyer::Customer(&user), &input).await?;
    let order = detail::detail(&state, Viewer::Customer(user.id), placed.order_id()).await?;
    let body = Order::from(order);
    Ok(match placed {
        // Made either way; an order whose capture failed says so in `payment_status` (none).
        Placed::Created(id) | Placed::AwaitingPayment(id) => HttpResponse::Created()
            .insert_header((header::LOCATION, format!("/api/v1/orders/{id}")))
            .json(body),
        Placed::AlreadyPlaced(_) => HttpResponse::Ok().json(body),
    })
}
