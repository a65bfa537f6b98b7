//! Open-loop load: sends GET requests at a fixed rate over at most CONCURRENCY connections and
//! reports latency measured from each request's scheduled start (so waiting for a free
//! connection counts, unlike a closed-loop tool whose latency is only connections/throughput).
//!
//!   rate_load URL RATE_PER_SECOND SECONDS CONCURRENCY
//!
//! The first second (connections opening, caches filling) is sent but not counted. With
//! `RATE_LOAD_COOKIE` set, every request carries that Cookie header (a signed-in customer).

// A load driver: a broken setup should stop it loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Mutex, Semaphore};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        eprintln!("usage: rate_load URL RATE_PER_SECOND SECONDS CONCURRENCY");
        std::process::exit(2);
    }
    let url = args[1].clone();
    let rate: u64 = args[2].parse().expect("rate");
    let seconds: u64 = args[3].parse().expect("seconds");
    let concurrency: usize = args[4].parse().expect("concurrency");
    let mut headers = reqwest::header::HeaderMap::new();
    if let Ok(cookie) = std::env::var("RATE_LOAD_COOKIE") {
        headers.insert(
            reqwest::header::COOKIE,
            cookie.parse().expect("a valid Cookie header"),
        );
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .default_headers(headers)
        .build()
        .expect("client");
    let slots = Arc::new(Semaphore::new(concurrency));
    let results = Arc::new(Mutex::new((Vec::<Duration>::new(), 0u64)));
    let total = rate * seconds;
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(total as usize);
    for i in 0..total {
        let scheduled = start + Duration::from_nanos(i * 1_000_000_000 / rate);
        tokio::time::sleep_until(scheduled.into()).await;
        let (client, url, slots, results) =
            (client.clone(), url.clone(), slots.clone(), results.clone());
        tasks.push(tokio::spawn(async move {
            let Ok(_permit) = slots.acquire().await else {
                return;
            };
            let ok = match client.get(&url).send().await {
                Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                Err(_) => false,
            };
            if scheduled.duration_since(start) < Duration::from_secs(1) {
                return;
            }
            let mut res = results.lock().await;
            if ok {
                res.0.push(scheduled.elapsed());
            } else {
                res.1 += 1;
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = start.elapsed().as_secs_f64() - 1.0;
    let mut res = results.lock().await;
    res.0.sort();
    let n = res.0.len();
    let pct = |p: f64| {
        if n == 0 {
            0.0
        } else {
            res.0[((n as f64 * p).ceil() as usize).clamp(1, n) - 1].as_secs_f64() * 1000.0
        }
    };
    println!(
        "{:.0} {:.2} {:.2} {:.2} {}",
        n as f64 / elapsed,
        pct(0.50),
        pct(0.90),
        pct(0.99),
        res.1
    );
}
