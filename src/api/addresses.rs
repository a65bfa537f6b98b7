//! `/api/v1/addresses`: the customer's address book, as `/account/addresses` shows it.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;
use super::auth::ApiUser;
use super::error::{ApiError, ErrorBody};
use crate::addresses::{self, AddressError, AddressInput};
use crate::http::Path;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Address {
    pub id: i64,
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub phone: String,
    pub default_shipping: bool,
    pub default_billing: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"name": "Ada Lovelace", "street": "12 Analytical Row", "postcode": "10115", "city": "Berlin", "country": "DE"}))]
pub struct NewAddress {
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub country: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub default_shipping: bool,
    #[serde(default)]
    pub default_billing: bool,
}

impl From<AddressError> for ApiError {
    fn from(e: AddressError) -> Self {
        match e {
            AddressError::Invalid(errors) => ApiError::invalid(errors),
            AddressError::NotFound => ApiError::not_found("No such address."),
            AddressError::Db(e) => ApiError::from(e),
        }
    }
}

async fn book(state: &AppState, user: crate::domain::UserId) -> Result<Vec<Address>, ApiError> {
    let b = addresses::book(state, user).await?;
    Ok(b.addresses
        .iter()
        .map(|a| Address {
            id: a.id,
            name: a.name.clone(),
            street: a.street.clone(),
            postcode: a.postcode.clone(),
            city: a.city.clone(),
            country: a.country.clone(),
            phone: a.phone.clone(),
            default_shipping: b.default_shipping == Some(a.id),
            default_billing: b.default_billing == Some(a.id),
        })
        .collect())
}

/// The customer's saved addresses.
#[utoipa::path(
    operation_id = "listAddresses",
    get,
    path = "/api/v1/addresses",
    tag = "addresses",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The address book", body = Vec<Address>),
        (status = 401, description = "No valid access token", body = ErrorBody),
    )
)]
pub async fn list(state: web::Data<AppState>, user: ApiUser) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(book(&state, user.0.user.id).await?))
}

/// Adds an address (the first becomes the default for shipping and billing).
#[utoipa::path(
    operation_id = "addAddress",
    post,
    path = "/api/v1/addresses",
    tag = "addresses",
    security(("bearer" = [])),
    request_body = NewAddress,
    responses(
        (status = 201, description = "The address book with the new address", body = Vec<Address>),
        (status = 400, description = "Invalid input, each field's problem under `errors`", body = ErrorBody),
        (status = 401, description = "No valid access token", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
    )
)]
pub async fn add(
    state: web::Data<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<NewAddress>,
) -> Result<HttpResponse, ApiError> {
    let flag = |b: bool| b.then(|| "on".to_string());
    let input = AddressInput {
        name: body.name,
        street: body.street,
        postcode: body.postcode,
        city: body.city,
        country: body.country,
        phone: body.phone,
        default_shipping: flag(body.default_shipping),
        default_billing: flag(body.default_billing),
    };
    let id = user.0.user.id;
    addresses::add(&state, id, &input).await?;
    Ok(HttpResponse::Created().json(book(&state, id).await?))
}

/// Deletes one of the customer's addresses (orders keep their copies).
#[utoipa::path(
    operation_id = "deleteAddress",
    delete,
    path = "/api/v1/addresses/{id}",
    tag = "addresses",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The address")),
    responses(
        (status = 200, description = "The address book after the change", body = Vec<Address>),
        (status = 401, description = "No valid access token", body = ErrorBody),
        (status = 404, description = "Not one of the customer's addresses", body = ErrorBody),
    )
)]
pub async fn delete(
    state: web::Data<AppState>,
    user: ApiUser,
    Path(address): Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = user.0.user.id;
    addresses::delete(&state, id, address).await?;
    Ok(HttpResponse::Ok().json(book(&state, id).await?))
}
