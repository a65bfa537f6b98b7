//! The API's one error type: always JSON `{"errorMessage": …}` with the right status, never a
//! Rust or SQL message. Causes of 500s go to the log only.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::accounts::AccountError;
use crate::accounts::api_tokens::TokenError;
use crate::catalog::CatalogError;
use crate::domain::FieldErrors;
use crate::orders::OrderError;

/// Every error answer of the API.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, for people.
    #[serde(rename = "errorMessage")]
    #[schema(example = "Invalid Input")]
    pub error_message: String,
    /// Messages per input field (validation errors and conflicts).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<std::collections::HashMap<String, Vec<String>>>)]
    pub errors: Option<FieldErrors>,
    /// Cart lines that cannot be bought as they are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems: Option<Vec<String>>,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
    retry_after: Option<i64>,
    cause: Option<anyhow::Error>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.status, self.body.error_message)
    }
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody {
                error_message: message.into(),
                errors: None,
                problems: None,
            },
            retry_after: None,
            cause: None,
        }
    }

    pub fn invalid(errors: FieldErrors) -> Self {
        let mut e = Self::new(StatusCode::BAD_REQUEST, "Invalid Input");
        e.body.errors = Some(errors);
        e
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "A valid access token is required (Authorization: Bearer …).",
        )
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, message)
    }

    pub fn too_many(until: i64, now: i64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many attempts. Please wait before trying again.",
        );
        e.retry_after = Some((until - now).max(1));
        e
    }

    pub fn internal(cause: anyhow::Error) -> Self {
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong on our side. It has been logged; please try again.",
        );
        e.cause = Some(cause);
        e
    }

    /// The generic answer for a status, for errors raised outside our handlers.
    pub fn for_status(status: StatusCode) -> Self {
        let message = match status.as_u16() {
            400 => "The request could not be understood.",
            401 => "A valid access token is required (Authorization: Bearer …).",
            403 => "You are not allowed to do this.",
            404 => "There is nothing at this address.",
            405 => "This address does not accept that method.",
            413 => "The request body is too large.",
            415 => "Send the body as JSON (Content-Type: application/json).",
            422 => "The request could not be processed.",
            429 => "Too many requests. Please wait before trying again.",
            s if s >= 500 => {
                "Something went wrong on our side. It has been logged; please try again."
            }
            _ => "The request could not be completed.",
        };
        Self::new(status, message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(cause) = &self.cause {
            crate::db::note_cause(cause.as_ref());
            tracing::error!(error = %cause, cause = ?cause, "API request failed");
        }
        let mut res = HttpResponse::build(self.status);
        if self.status == StatusCode::UNAUTHORIZED {
            res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        if let Some(wait) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, wait.to_string()));
        }
        res.json(&self.body)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        Self::internal(e.into())
    }
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Invalid(errors) => Self::invalid(errors),
            AccountError::Taken(errors) => {
                let mut e = Self::new(
                    StatusCode::CONFLICT,
                    "The username or email address is already taken.",
                );
                e.body.errors = Some(errors);
                e
            }
            AccountError::InvalidCredentials { .. } => Self::new(
                StatusCode::UNAUTHORIZED,
                "The email address or password is not correct.",
            ),
            AccountError::Unverified => Self::new(
                StatusCode::FORBIDDEN,
                "Confirm your email address first: open the link we mailed you.",
            ),
            AccountError::Deactivated => Self::new(
                StatusCode::FORBIDDEN,
                "This account has been closed by the shop. Write to us if you think this is a mistake.",
            ),
            AccountError::Throttled { until, now } => Self::too_many(until, now),
            AccountError::Busy => {
                let mut e = Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Too many sign-ins at once. Please try again in a few seconds.",
                );
                e.retry_after = Some(5);
                e
            }
            AccountError::InvalidToken => {
                Self::bad_request("This link is invalid, already used or expired.")
            }
            other => Self::internal(other.into()),
        }
    }
}

impl From<TokenError> for ApiError {
    fn from(e: TokenError) -> Self {
        match e {
            TokenError::Refused(why) => {
                tracing::info!(reason = why, "API token refused");
                Self::unauthorized()
            }
            other => Self::internal(other.into()),
        }
    }
}

impl From<OrderError> for ApiError {
    fn from(e: OrderError) -> Self {
        match e {
            OrderError::Invalid(errors) => Self::invalid(errors),
            // About the shop's stock, not the request's form.
            OrderError::NotEnoughStock(errors) => {
                let mut e = Self::unprocessable("Not enough in stock.");
                e.body.errors = Some(errors);
                e
            }
            OrderError::NotFound => Self::not_found("No such product or order."),
            // The cart or the stock is not in a state to buy: 409, as on the checkout page.
            OrderError::Unavailable(problems) => {
                let mut e = Self::new(
                    StatusCode::CONFLICT,
                    "Some products cannot be bought as they are.",
                );
                e.body.problems = Some(problems);
                e
            }
            OrderError::Payment(decline) => {
                Self::new(StatusCode::PAYMENT_REQUIRED, decline.message())
            }
            OrderError::PaymentService => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                crate::orders::PAYMENT_SERVICE,
            ),
            OrderError::NotAllowed(message) => Self::new(StatusCode::CONFLICT, message),
            OrderError::Throttled { until, now } => Self::too_many(until, now),
            other => Self::internal(other.into()),
        }
    }
}

impl From<crate::engagement::EngagementError> for ApiError {
    fn from(e: crate::engagement::EngagementError) -> Self {
        use crate::engagement::EngagementError;
        match e {
            EngagementError::Invalid(errors) => {
                let mut e = Self::unprocessable("The input is not valid.");
                e.body.errors = Some(errors);
                e
            }
            EngagementError::NotFound => Self::not_found("No such product or review."),
            EngagementError::NotAllowed(m) => Self::new(StatusCode::FORBIDDEN, m),
            other => Self::internal(other.into()),
        }
    }
}

impl From<CatalogError> for ApiError {
    fn from(e: CatalogError) -> Self {
        match e {
            CatalogError::NotFound => Self::not_found("No such product."),
            CatalogError::TooBroad => {
                let mut e = Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "This search asks for too much at once. Narrow it (more words, a category, a brand or a price range) or try again in a few seconds.",
                );
                e.retry_after = Some(2);
                e
            }
            CatalogError::Invalid(errors) => Self::invalid(errors),
            other => Self::internal(other.into()),
        }
    }
}

/// Gives every API error response without a JSON body of its own (unknown path, wrong method,
/// errors of the framework's extractors) the JSON error shape.
pub async fn json_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = match next.call(req).await {
        Ok(res) => res.map_into_boxed_body(),
        Err(e) => {
            let status = e.as_response_error().status_code();
            return Err(ApiError::for_status(status).into());
        }
    };
    if !crate::http::needs_dressing(&res, "application/json") {
        return Ok(res);
    }
    let mut json = ApiError::for_status(res.status()).error_response();
    crate::http::keep_headers(&res, &mut json);
    Ok(res.into_response(json))
}
