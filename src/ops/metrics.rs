//! `/metrics` in Prometheus' text format (prometheus-client, one registry per store, so the
//! many stores of a test process never mix): requests and their latency by route and status,
//! the database pool, the listing cache, orders, sign-in failures and locks, mail failures.
//! Served only when `metrics.enabled`, and only to `metrics.allow` addresses.

use std::sync::Mutex;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::state::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    /// The route's pattern (`/products/{id}`), never the raw path: a bounded set of values.
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

/// `primary`, or a replica's host, port and database.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SourceLabels {
    source: String,
}

type LatencyFamily = Family<RequestLabels, Histogram, fn() -> Histogram>;

fn latency_buckets() -> Histogram {
    Histogram::new([
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
    ])
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    pool_size: Gauge,
    pool_idle: Gauge,
    listing_cache: Family<OutcomeLabels, Counter>,
    orders: Counter,
    sign_in_failures: Counter,
    sign_in_locks: Counter,
    mail_failures: Counter,
    replica_up: Family<SourceLabels, Gauge>,
    replica_reads: Family<SourceLabels, Counter>,
    /// Rendering reads the pool's gauges first; one render at a time keeps them coherent.
    render: Mutex<()>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("emporium");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: LatencyFamily = Family::new_with_constructor(latency_buckets);
        let (pool_size, pool_idle) = (Gauge::default(), Gauge::default());
        let listing_cache = Family::<OutcomeLabels, Counter>::default();
        let (orders, sign_in_failures, sign_in_locks, mail_failures): (
            Counter,
            Counter,
            Counter,
            Counter,
        ) = Default::default();
        registry.register(
            "http_requests",
            "HTTP requests by method, route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer HTTP requests, by method, route and status",
            latency.clone(),
        );
        registry.register(
            "db_pool_connections",
            "Database connections open",
            pool_size.clone(),
        );
        registry.register(
            "db_pool_idle_connections",
            "Database connections open and idle",
            pool_idle.clone(),
        );
        registry.register(
            "listing_cache_lookups",
            "Listing lookups answered from the cache (hit) or the database (miss)",
            listing_cache.clone(),
        );
        registry.register("orders", "Orders placed", orders.clone());
        registry.register(
            "sign_in_failures",
            "Sign-ins refused for a wrong password",
            sign_in_failures.clone(),
        );
        registry.register(
            "sign_in_locks",
            "Accounts or addresses locked after too many failures",
            sign_in_locks.clone(),
        );
        registry.register(
            "mail_failures",
            "Mail delivery attempts that failed",
            mail_failures.clone(),
        );
        let replica_up = Family::<SourceLabels, Gauge>::default();
        let replica_reads = Family::<SourceLabels, Counter>::default();
        registry.register(
            "db_replica_up",
            "1 while a read replica answers and is close enough to the primary to be used",
            replica_up.clone(),
        );
        registry.register(
            "db_replica_reads",
            "Catalogue and dashboard reads by where they were answered (with replicas configured)",
            replica_reads.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            pool_size,
            pool_idle,
            listing_cache,
            orders,
            sign_in_failures,
            sign_in_locks,
            mail_failures,
            replica_up,
            replica_reads,
            render: Mutex::new(()),
        }
    }
}

impl Metrics {
    pub fn listing_cache(&self, hit: bool) {
        let outcome = if hit { "hit" } else { "miss" };
        self.listing_cache
            .get_or_create(&OutcomeLabels { outcome })
            .inc();
    }

    pub fn order_placed(&self) {
        self.orders.inc();
    }

    pub fn sign_in_failed(&self) {
        self.sign_in_failures.inc();
    }

    pub fn sign_in_locked(&self) {
        self.sign_in_locks.inc();
    }

    pub fn mail_failed(&self) {
        self.mail_failures.inc();
    }

    /// The text exposition, with the pool's state as of now.
    fn render(&self, state: &AppState) -> Result<String, std::fmt::Error> {
        let _one = self.render.lock().unwrap_or_else(|e| e.into_inner());
        let pool = state.db.pool();
        self.pool_size.set(i64::from(pool.size()));
        self.pool_idle
            .set(i64::try_from(pool.num_idle()).unwrap_or(i64::MAX));
        let replicas = state.db.replicas();
        let mut reads = vec![("primary".to_string(), replicas.primary_reads())];
        for r in replicas.list() {
            let source = SourceLabels {
                source: r.label.clone(),
            };
            self.replica_up
                .get_or_create(&source)
                .set(i64::from(r.is_up()));
            reads.push((r.label.clone(), r.reads()));
        }
        if !replicas.is_empty() {
            for (source, n) in reads {
                let counter = self.replica_reads.get_or_create(&SourceLabels { source });
                counter.inc_by(n.saturating_sub(counter.get()));
            }
        }
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// Counts every request and its time, by the route's pattern (`unmatched` when no route
/// matched, so odd paths cannot grow the label set).
pub async fn record_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let res = next.call(req).await;
    if let Some(state) = state {
        let (status, route) = match &res {
            Ok(r) => (r.status().as_u16(), r.request().match_pattern()),
            Err(e) => (e.as_response_error().status_code().as_u16(), None),
        };
        let labels = RequestLabels {
            method,
            route: route.unwrap_or_else(|| "unmatched".into()),
            status,
        };
        state.metrics.requests.get_or_create(&labels).inc();
        state
            .metrics
            .latency
            .get_or_create(&labels)
            .observe(started.elapsed().as_secs_f64());
    }
    res
}

/// `GET /metrics`: 404 unless enabled (the store does not say it has them), 403 from an address
/// outside `metrics.allow`.
pub async fn page(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let settings = &state.settings.metrics;
    if !settings.enabled {
        return HttpResponse::NotFound().finish();
    }
    // The connection's address: a proxy in front is what must be allowed.
    let allowed = crate::http::peer_ip(&req).is_some_and(|ip| settings.allow.contains(ip));
    if !allowed {
        return HttpResponse::Forbidden().finish();
    }
    match state.metrics.render(&state) {
        Ok(text) => HttpResponse::Ok()
            .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
            .body(text),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}
