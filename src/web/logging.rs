//! One log line per request: method, path (never the query string, which may hold a token),
//! status and latency. Cookies and bodies are never logged.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

pub async fn log_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let path = req.path().to_string();
    let ip = crate::http::client_ip(req.request());
    let res = next.call(req).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let status = match &res {
        Ok(r) => r.status().as_u16(),
        Err(e) => e.as_response_error().status_code().as_u16(),
    };
    tracing::info!(target: "emporium::http", %method, %path, status, latency_ms = format!("{latency_ms:.2}"), %ip, "request");
    res
}
