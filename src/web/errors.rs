//! The web layer's error type and the styled error pages. A 500 shows nothing internal; the log
//! gets the cause chain.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use super::context::PageContext;
use crate::accounts::AccountError;
use crate::clock::format_unix;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// Not allowed, and the page says why.
    #[error("refused: {0}")]
    Refused(String),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("sign-in required")]
    LoginRequired { next: String },
    #[error("too many requests")]
    TooManyRequests { until: i64, now: i64 },
    /// Overloaded for a moment (password checks): come back in a few seconds.
    #[error("busy")]
    Busy,
    /// A listing too broad to answer now: the page asks to narrow it.
    #[error("search too broad")]
    TooBroad,
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl From<AccountError> for AppError {
    /// For the account errors a handler does not turn into a form of its own.
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Throttled { until, now } => AppError::TooManyRequests { until, now },
            AccountError::Busy => AppError::Busy,
            AccountError::InvalidToken => {
                AppError::BadRequest("This link is invalid, already used or expired.".into())
            }
            AccountError::Invalid(_)
            | AccountError::Taken(_)
            | AccountError::InvalidCredentials { .. }
            | AccountError::Unverified => {
                AppError::BadRequest("The request could not be processed.".into())
            }
            AccountError::Deactivated => AppError::Forbidden,
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<crate::catalog::CatalogError> for AppError {
    fn from(e: crate::catalog::CatalogError) -> Self {
        use crate::catalog::CatalogError;
        match e {
            CatalogError::NotFound => AppError::NotFound,
            CatalogError::TooBroad => AppError::TooBroad,
            CatalogError::Invalid(_) => {
                AppError::BadRequest("The request could not be processed.".into())
            }
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<crate::addresses::AddressError> for AppError {
    fn from(e: crate::addresses::AddressError) -> Self {
        use crate::addresses::AddressError;
        match e {
            AddressError::NotFound => AppError::NotFound,
            AddressError::Invalid(_) => {
                AppError::BadRequest("The request could not be processed.".into())
            }
            AddressError::Db(e) => AppError::Internal(e.into()),
        }
    }
}

impl From<crate::shipping::ShippingError> for AppError {
    fn from(e: crate::shipping::ShippingError) -> Self {
        use crate::shipping::ShippingError;
        match e {
            ShippingError::NotFound => AppError::NotFound,
            ShippingError::Invalid(_) => {
                AppError::BadRequest("The request could not be processed.".into())
            }
            ShippingError::Db(e) => AppError::Internal(e.into()),
        }
    }
}

impl From<crate::discounts::DiscountError> for AppError {
    fn from(e: crate::discounts::DiscountError) -> Self {
        use crate::discounts::DiscountError;
        match e {
            DiscountError::NotFound => AppError::NotFound,
            DiscountError::NotApplicable(m) => AppError::Refused(m),
            DiscountError::Invalid(_) => {
                AppError::BadRequest("The request could not be processed.".into())
            }
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<crate::engagement::EngagementError> for AppError {
    fn from(e: crate::engagement::EngagementError) -> Self {
        use crate::engagement::EngagementError;
        match e {
            EngagementError::NotFound => AppError::NotFound,
            EngagementError::NotAllowed(m) => AppError::Refused(m),
            EngagementError::Invalid(_) => {
                AppError::BadRequest("The request could not be processed.".into())
            }
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<crate::orders::OrderError> for AppError {
    fn from(e: crate::orders::OrderError) -> Self {
        use crate::orders::OrderError;
        match e {
            OrderError::NotFound => AppError::NotFound,
            OrderError::NotAllowed(m) => AppError::BadRequest(m),
            OrderError::Throttled { until, now } => AppError::TooManyRequests { until, now },
            OrderError::Invalid(_)
            | OrderError::NotEnoughStock(_)
            | OrderError::Unavailable(_)
            | OrderError::Payment(_) => {
                AppError::BadRequest("The request could not be processed.".into())
            }
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<crate::reports::ReportError> for AppError {
    fn from(e: crate::reports::ReportError) -> Self {
        use crate::reports::ReportError;
        match e {
            ReportError::Invalid(_) => AppError::BadRequest("The period is not valid.".into()),
            ReportError::Db(e) => AppError::Internal(e.into()),
            ReportError::Internal(e) => AppError::Internal(e),
        }
    }
}

impl From<crate::support::SupportError> for AppError {
    fn from(e: crate::support::SupportError) -> Self {
        use crate::support::SupportError;
        match e {
            SupportError::NotFound => AppError::NotFound,
            SupportError::Throttled { until, now } => AppError::TooManyRequests { until, now },
            SupportError::Invalid(_) => {
                AppError::BadRequest("The request could not be processed.".into())
            }
            SupportError::Db(e) => AppError::Internal(e.into()),
        }
    }
}

impl From<crate::staff::StaffError> for AppError {
    fn from(e: crate::staff::StaffError) -> Self {
        use crate::staff::StaffError;
        match e {
            StaffError::NotFound => AppError::NotFound,
            StaffError::NotAllowed(m) => AppError::Refused(m),
            StaffError::Invalid(_) => {
                AppError::BadRequest("The request could not be processed.".into())
            }
            StaffError::Db(e) => AppError::Internal(e.into()),
            StaffError::Internal(e) => AppError::Internal(e),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub ctx: PageContext,
    pub status: u16,
    pub title: String,
    pub message: String,
}

fn describe(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => (
            "Bad request",
            "The request could not be understood. Please check what you entered and try again.",
        ),
        403 => (
            "Access denied",
            "You are not allowed to do this. If you submitted a form, reload the page and try again.",
        ),
        404 => (
            "Page not found",
            "We could not find that page. It may have moved, or the address may be mistyped.",
        ),
        405 => (
            "Method not allowed",
            "This address does not accept that kind of request.",
        ),
        413 => ("Too large", "What you sent is larger than we accept."),
        415 => (
            "Unsupported format",
            "This address does not accept that kind of content.",
        ),
        422 => ("Check your input", "Some of what you entered is not valid."),
        429 => (
            "Too many attempts",
            "Please wait a moment before trying again.",
        ),
        503 => (
            "Temporarily unavailable",
            "The shop cannot answer right now. Please try again in a minute.",
        ),
        _ if status.is_server_error() => (
            "Something went wrong",
            "Sorry, something went wrong on our side. It has been logged; please try again.",
        ),
        _ => ("Error", "The request could not be completed."),
    }
}

pub fn error_page(status: StatusCode, message: Option<String>) -> HttpResponse {
    let (title, default_message) = describe(status);
    let page = ErrorPage {
        ctx: PageContext::bare(),
        status: status.as_u16(),
        title: title.to_string(),
        message: message.unwrap_or_else(|| default_message.to_string()),
    };
    let body = page
        .render()
        .unwrap_or_else(|_| format!("{} {title}", status.as_u16()));
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body)
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::Refused(_) => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::LoginRequired { .. } => StatusCode::SEE_OTHER,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy | AppError::TooBroad => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            AppError::LoginRequired { next } => {
                let target = format!("/login?next={}", urlencode(next));
                HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, target))
                    .finish()
            }
            AppError::TooManyRequests { until, now } => {
                let message = format!("Too many attempts. {}", try_again(*until, *now));
                let mut res = error_page(StatusCode::TOO_MANY_REQUESTS, Some(message));
                retry_after(&mut res, *until, *now);
                res
            }
            AppError::BadRequest(msg) => error_page(StatusCode::BAD_REQUEST, Some(msg.clone())),
            AppError::Refused(msg) => error_page(StatusCode::FORBIDDEN, Some(msg.clone())),
            AppError::Busy => {
                let message = "The shop is very busy right now. Please try again in a few seconds.";
                let mut res = error_page(StatusCode::SERVICE_UNAVAILABLE, Some(message.into()));
                res.headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
                res
            }
            AppError::TooBroad => {
                let message = "This search asks for too much at once. Please narrow it: add a word, \
                               choose a category or a brand, or set a price range. Or try again in \
                               a few seconds.";
                let mut res = error_page(StatusCode::SERVICE_UNAVAILABLE, Some(message.into()));
                res.headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from_static("2"));
                res
            }
            AppError::Internal(e) => {
                crate::db::note_cause(e.as_ref());
                tracing::error!(error = %e, cause = ?e, "request failed");
                error_page(StatusCode::INTERNAL_SERVER_ERROR, None)
            }
            other => error_page(other.status_code(), None),
        }
    }
}

/// "Please try again in 3 minutes (after 2026-11-27 14:05 UTC)."
pub fn try_again(until: i64, now: i64) -> String {
    let minutes = ((until - now).max(1) + 59) / 60;
    format!(
        "Please try again in {minutes} minute{} (after {}).",
        if minutes == 1 { "" } else { "s" },
        format_unix(until)
    )
}

/// Adds `Retry-After` (seconds) to a 429 or 503.
pub fn retry_after(res: &mut HttpResponse, until: i64, now: i64) {
    if let Ok(v) = header::HeaderValue::from_str(&(until - now).max(1).to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|v| v.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

/// An error raised by a middleware (e.g. the session store failing). It renders as the styled
/// page; it cannot pass through the header middleware, so it carries the essential headers itself.
#[derive(Debug, thiserror::Error)]
#[error("request failed with status {0}")]
struct StyledFailure(StatusCode);

impl ResponseError for StyledFailure {
    fn status_code(&self) -> StatusCode {
        self.0
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = error_page(self.0, None);
        let h = res.headers_mut();
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            header::HeaderValue::from_static("nosniff"),
        );
        h.insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            header::HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'"),
        );
        res
    }
}

/// The HTML skin's error edge (it wraps the page routes only; the API has its own): gives every
/// error response without a page of its own (unknown route, wrong method, bad form encoding,
/// oversized body, a path id that does not parse) the styled page, and turns errors raised by
/// inner middleware into styled pages so nothing reaches the client as bare text.
pub async fn error_pages(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = match next.call(req).await {
        Ok(res) => res.map_into_boxed_body(),
        Err(e) => {
            let status = e.as_response_error().status_code();
            if status.is_server_error() {
                tracing::error!(error = %e, "request failed in middleware");
            }
            return Err(StyledFailure(status).into());
        }
    };
    if !crate::http::needs_dressing(&res, "text/html") {
        return Ok(res);
    }
    let mut page = error_page(res.status(), None);
    crate::http::keep_headers(&res, &mut page);
    Ok(res.into_response(page))
}
