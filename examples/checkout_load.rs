//! Checkout load: concurrent customers sign in and buy in a loop against a running store.
//! Used by `scripts/bench`; prints throughput, latency percentiles and errors.
//!
//!   checkout_load BASE_URL PRODUCT_IDS SECONDS USER_PREFIX CUSTOMERS PASSWORD
//!
//! The accounts USER_PREFIX0..USER_PREFIX{CUSTOMERS-1} must exist and be verified. PRODUCT_IDS
//! is one id (every customer buys it: a popular product) or a comma-separated list (customer i
//! buys the (i mod n)-th).

// A load driver: a broken setup should stop it loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

fn extract(html: &str, name: &str) -> Option<String> {
    let needle = format!(r#"name="{name}" value=""#);
    let start = html.find(&needle)? + needle.len();
    Some(html[start..].split('"').next()?.to_string())
}

#[derive(Default)]
struct Stats {
    latencies: Vec<Duration>,
    placed: u64,
    sold_out: u64,
    errors: u64,
}

async fn customer(
    base: String,
    product: String,
    login: String,
    password: String,
    until: Instant,
    stats: Arc<Mutex<Stats>>,
) {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let get = |path: &str| client.get(format!("{base}{path}")).send();
    let page = get("/forgot-password")
        .await
        .expect("csrf page")
        .text()
        .await
        .unwrap_or_default();
    let csrf = extract(&page, "csrf_token").expect("csrf token");
    let res = client
        .post(format!("{base}/login"))
        .form(&[
            ("email", login.as_str()),
            ("password", password.as_str()),
            ("csrf_token", csrf.as_str()),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(res.status().as_u16(), 303, "sign-in failed for {login}");
    let page = get("/account")
        .await
        .expect("account")
        .text()
        .await
        .unwrap_or_default();
    let csrf = extract(&page, "csrf_token").expect("csrf after login");
    while Instant::now() < until {
        let added = client
            .post(format!("{base}/cart/items"))
            .form(&[
                ("product_id", product.as_str()),
                ("quantity", "1"),
                ("csrf_token", csrf.as_str()),
            ])
            .send()
            .await;
        match added {
            Ok(r) if r.status().as_u16() == 303 => {}
            Ok(r) if r.status().as_u16() == 422 => {
                stats.lock().await.sold_out += 1;
                break;
            }
            _ => {
                stats.lock().await.errors += 1;
                continue;
            }
        }
        let page = match get("/checkout").await {
            Ok(r) => r.text().await.unwrap_or_default(),
            Err(_) => {
                stats.lock().await.errors += 1;
                continue;
            }
        };
        let (Some(token), Some(expected)) = (
            extract(&page, "checkout_token"),
            extract(&page, "expected_total_cents"),
        ) else {
            stats.lock().await.errors += 1;
            continue;
        };
        let started = Instant::now();
        let res = client
            .post(format!("{base}/checkout"))
            .form(&[
                ("checkout_token", token.as_str()),
                ("expected_total_cents", expected.as_str()),
                ("shipping_address", "1 Load Street"),
                ("card_name", "Load Test"),
                ("card_number", "4242424242424242"),
                ("card_expiry", "12/30"),
                ("card_cvc", "123"),
                ("csrf_token", csrf.as_str()),
            ])
            .send()
            .await;
        let took = started.elapsed();
        let mut s = stats.lock().await;
        match res.map(|r| r.status().as_u16()) {
            Ok(303) => {
                s.placed += 1;
                s.latencies.push(took);
            }
            Ok(409) => {
                s.sold_out += 1;
                // Empty the cart line that can no longer be bought, then stop.
                drop(s);
                let _ = client
                    .post(format!("{base}/cart/items/{product}"))
                    .form(&[("quantity", "0"), ("csrf_token", csrf.as_str())])
                    .send()
                    .await;
                break;
            }
            _ => s.errors += 1,
        }
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 7 {
        eprintln!(
            "usage: checkout_load BASE_URL PRODUCT_IDS SECONDS USER_PREFIX CUSTOMERS PASSWORD"
        );
        std::process::exit(2);
    }
    let base = args[1].clone();
    let products: Vec<String> = args[2].split(',').map(str::to_string).collect();
    let seconds: u64 = args[3].parse().expect("seconds");
    let customers: usize = args[5].parse().expect("customers");
    let stats = Arc::new(Mutex::new(Stats::default()));
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for i in 0..customers {
        let login = format!("{}{i}", args[4]);
        tasks.push(tokio::spawn(customer(
            base.clone(),
            products[i % products.len()].clone(),
            login,
            args[6].clone(),
            until,
            stats.clone(),
        )));
    }
    for t in tasks {
        t.await.expect("customer task");
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut s = stats.lock().await;
    s.latencies.sort();
    let pct = |p: f64| {
        if s.latencies.is_empty() {
            0.0
        } else {
            let i =
                ((s.latencies.len() as f64 * p).ceil() as usize).clamp(1, s.latencies.len()) - 1;
            s.latencies[i].as_secs_f64() * 1000.0
        }
    };
    println!(
        "checkouts: {} placed in {:.1} s = {:.1}/s; checkout POST p50 {:.1} ms, p99 {:.1} ms; sold out {}; errors {}",
        s.placed,
        elapsed,
        s.placed as f64 / elapsed,
        pct(0.50),
        pct(0.99),
        s.sold_out,
        s.errors
    );
}
