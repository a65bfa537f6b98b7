//! `/api/v1/customer/…`: registration and the signed-in customer's profile. The same
//! validation and rules as the registration and profile pages.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;
use super::auth::ApiUser;
use super::error::{ApiError, ErrorBody};
use crate::accounts::profile::{self, ProfileInput, ProfileOutcome};
use crate::accounts::registration::{self, RegistrationInput};
use crate::db::users::User;
use crate::http::client_ip;
use crate::state::AppState;

/// The registration fields as plain values.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "username": "ada", "first_name": "Ada", "last_name": "Lovelace",
    "email": "ada@example.com", "password": "Analytical-Engine-1843",
    "address": "12 St James's Square, London", "phone": "+44 20 7946 0000",
    "title": "Countess", "birthday": "1990-12-10"
}))]
pub struct RegistrationRequest {
    /// 3-30 letters, digits, `.`, `_` or `-`.
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// 12-128 characters with lower- and upper-case letters, a digit and another character; not
    /// a common or easily guessed password.
    pub password: String,
    /// When given, must equal `password`.
    #[serde(default)]
    pub password_confirm: Option<String>,
    pub address: String,
    pub phone: String,
    #[serde(default)]
    pub title: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub birthday: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"username": "ada", "first_name": "Ada", "email": "ada@example.com"}))]
pub struct Registered {
    pub username: String,
    pub first_name: String,
    pub email: String,
}

/// Creates an account and mails the link that confirms the email address; signing in works
/// once it has been opened.
#[utoipa::path(
    operation_id = "register",
    post,
    path = "/api/v1/customer/registration/",
    tag = "customer",
    request_body = RegistrationRequest,
    responses(
        (status = 201, description = "Account created; a confirmation link was mailed", body = Registered),
        (status = 400, description = "Invalid input, per field", body = ErrorBody),
        (status = 409, description = "Username or email address already taken", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 429, description = "Too many registrations from this address", body = ErrorBody),
    )
)]
pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<HttpResponse, ApiError> {
    // Field by field, so a missing field or one of the wrong type is reported in `errors` like
    // any other invalid value (`RegistrationRequest` documents the shape).
    let mut type_errors = crate::domain::FieldErrors::new();
    let mut text = |field: &str| match body.get(field) {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(_) => {
            type_errors.add(field, "Must be a string.");
            String::new()
        }
    };
    let password = text("password");
    let password_confirm = match body.get("password_confirm") {
        None | Some(serde_json::Value::Null) => password.clone(),
        _ => text("password_confirm"),
    };
    let input = RegistrationInput {
        username: text("username"),
        first_name: text("first_name"),
        last_name: text("last_name"),
        email: text("email"),
        address: text("address"),
        phone: text("phone"),
        title: text("title"),
        birthday: text("birthday"),
        password,
        password_confirm,
    };
    let valid = match registration::validate(&state, &input) {
        Ok(valid) if type_errors.is_empty() => valid,
        Ok(_) => return Err(ApiError::invalid(type_errors)),
        Err(mut errors) => {
            errors.merge(type_errors);
            return Err(ApiError::invalid(errors));
        }
    };
    let answer = Registered {
        username: valid.username.as_str().to_string(),
        first_name: valid.details.first_name.clone(),
        email: valid.email.as_str().to_string(),
    };
    registration::register(&state, valid, &client_ip(&req)).await?;
    Ok(HttpResponse::Created().json(answer))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Profile {
    pub id: i64,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub address: String,
    pub phone: String,
    pub title: Option<String>,
    /// `YYYY-MM-DD`.
    pub birthday: Option<String>,
    pub email_verified: bool,
    /// A new address waiting for its confirmation link to be opened (after a PATCH).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_email: Option<String>,
}

impl Profile {
    fn of(u: &User, pending_email: Option<String>) -> Self {
        Self {
            id: u.id.get(),
            username: u.username.as_str().to_string(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            email: u.email.as_str().to_string(),
            address: u.address.clone(),
            phone: u.phone.clone(),
            title: u.title.clone(),
            birthday: u.birthday.clone(),
            email_verified: u.is_verified(),
            pending_email,
        }
    }
}

/// The fields to change; the others keep their values. An empty `title` or `birthday` clears it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
#[schema(example = json!({"phone": "+44 20 7946 0001", "address": "1 Analytical Row, London"}))]
pub struct ProfilePatch {
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Takes effect when the confirmation link mailed to the new address is opened; needs
    /// `current_password`.
    pub email: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    pub birthday: Option<String>,
    pub current_password: Option<String>,
}

/// The signed-in customer's profile.
#[utoipa::path(
    operation_id = "getProfile",
    get,
    path = "/api/v1/customer/me",
    tag = "customer",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The profile", body = Profile),
        (status = 401, description = "No valid access token", body = ErrorBody),
    )
)]
pub async fn me(user: ApiUser) -> HttpResponse {
    HttpResponse::Ok().json(Profile::of(&user.0.user, None))
}

/// Changes the profile, with the same rules as the profile page.
#[utoipa::path(
    operation_id = "updateProfile",
    patch,
    path = "/api/v1/customer/me",
    tag = "customer",
    security(("bearer" = [])),
    request_body = ProfilePatch,
    responses(
        (status = 200, description = "Saved", body = Profile),
        (status = 400, description = "Invalid input, per field", body = ErrorBody),
        (status = 401, description = "No valid access token", body = ErrorBody),
        (status = 409, description = "Username or email address already taken", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 429, description = "Too many wrong current passwords (the sign-in lock)", body = ErrorBody),
    )
)]
pub async fn update_me(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<ProfilePatch>,
) -> Result<HttpResponse, ApiError> {
    let user = user.0.user;
    let p = body;
    let current = ProfileInput::from_user(&user);
    let input = ProfileInput {
        username: p.username.unwrap_or(current.username),
        first_name: p.first_name.unwrap_or(current.first_name),
        last_name: p.last_name.unwrap_or(current.last_name),
        email: p.email.unwrap_or(current.email),
        address: p.address.unwrap_or(current.address),
        phone: p.phone.unwrap_or(current.phone),
        title: p.title.unwrap_or(current.title),
        birthday: p.birthday.unwrap_or(current.birthday),
        current_password: p.current_password.unwrap_or_default(),
    };
    let outcome = profile::update(&state, &user, &input, &client_ip(&req)).await?;
    let pending = match outcome {
        ProfileOutcome::Saved => None,
        ProfileOutcome::EmailPending(m) => Some(m),
    };
    let fresh = crate::db::users::find(state.db.pool(), user.id)
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "The account no longer exists."))?;
    Ok(HttpResponse::Ok().json(Profile::of(&fresh, pending)))
}
