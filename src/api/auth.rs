//! `/api/v1/auth/…`: sign-in for API clients, token refresh and logout, and the extractor that
//! authenticates every other API request from its bearer token (never from the session cookie).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiJson;
use super::error::{ApiError, ErrorBody};
use crate::accounts::api_tokens::{self, Bearer, TokenPair};
use crate::http::client_ip;
use crate::state::AppState;

/// The customer an API request speaks for, checked against the database on every request.
pub struct ApiUser(pub Bearer);

impl FromRequest for ApiUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                let (scheme, token) = v.trim().split_once(' ')?;
                scheme
                    .eq_ignore_ascii_case("bearer")
                    .then(|| token.trim().to_string())
            });
        Box::pin(async move {
            let (Some(state), Some(token)) = (state, token) else {
                return Err(ApiError::unauthorized());
            };
            let bearer = api_tokens::authenticate(&state, &token).await?;
            Ok(ApiUser(bearer))
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"email": "ada@example.com", "password": "correct horse battery staple"}))]
pub struct LoginRequest {
    /// The account's email address (a username works too).
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…",
    "token_type": "Bearer",
    "expires_in": 900,
    "refresh_token": "3f1c…64 hex digits…"
}))]
pub struct TokenResponse {
    /// JWT (HS256) to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Opaque; trade it at `/api/v1/auth/refresh` for a new pair. Works once.
    pub refresh_token: String,
}

impl From<TokenPair> for TokenResponse {
    fn from(p: TokenPair) -> Self {
        Self {
            access_token: p.access_token,
            token_type: "Bearer".into(),
            expires_in: p.expires_in,
            refresh_token: p.refresh_token,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// Signs in and returns an access token and a refresh token.
#[utoipa::path(
    operation_id = "login",
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 400, description = "The body is not valid", body = ErrorBody),
        (status = 401, description = "Wrong email address or password", body = ErrorBody),
        (status = 403, description = "The email address is not confirmed yet", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 429, description = "Too many failed attempts", body = ErrorBody),
        (status = 503, description = "Too many sign-ins at once; retry after Retry-After seconds", body = ErrorBody),
    )
)]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let pair = api_tokens::login(&state, &body.email, &body.password, &client_ip(&req)).await?;
    Ok(HttpResponse::Ok().json(TokenResponse::from(pair)))
}

/// Trades a refresh token for a new pair. The old refresh token stops working; presenting it
/// again revokes every token of that sign-in.
#[utoipa::path(
    operation_id = "refreshTokens",
    post,
    path = "/api/v1/auth/refresh",
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair", body = TokenResponse),
        (status = 400, description = "The body is not valid", body = ErrorBody),
        (status = 401, description = "Unknown, used, expired or revoked refresh token", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
    )
)]
pub async fn refresh(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let pair = api_tokens::refresh(&state, &body.refresh_token, &client_ip(&req)).await?;
    Ok(HttpResponse::Ok().json(TokenResponse::from(pair)))
}

/// Revokes the bearer's access token and every refresh token of its sign-in.
#[utoipa::path(
    operation_id = "logout",
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "No valid access token", body = ErrorBody),
    )
)]
pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: ApiUser,
) -> Result<HttpResponse, ApiError> {
    api_tokens::logout(&state, &user.0, &client_ip(&req)).await?;
    Ok(HttpResponse::NoContent().finish())
}
