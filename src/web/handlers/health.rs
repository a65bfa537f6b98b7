//! Liveness and readiness for load balancers and monitors.

use actix_web::{HttpResponse, web};

use crate::state::AppState;

fn text(mut res: actix_web::HttpResponseBuilder, body: &'static str) -> HttpResponse {
    res.content_type("text/plain; charset=utf-8").body(body)
}

/// Liveness: `200 ok` whenever the process answers.
pub async fn healthz() -> HttpResponse {
    text(HttpResponse::Ok(), "ok")
}

/// Readiness: `200 ready` when the database answers and takes writes, `503` otherwise (a
/// read-only or unreachable database cannot take orders or sign-ins).
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    if let Err(e) = state.db.ping().await {
        tracing::error!(error = %e, "readiness: database unavailable");
        return text(HttpResponse::ServiceUnavailable(), "database unavailable");
    }
    match state.db.check_writable().await {
        Ok(()) => text(HttpResponse::Ok(), "ready"),
        Err(e) => {
            tracing::error!(error = %e, "readiness: database does not take writes");
            text(HttpResponse::ServiceUnavailable(), "database read-only")
        }
    }
}
