//! Uncached listings and searches under load, for `scripts/bench listings`.
//!
//!   listing_load mix BASE RATE COUNT SEED      (open loop: COUNT distinct URLs at RATE per second)
//!   listing_load letters BASE SECONDS WORKERS  (closed loop: WORKERS clients sending one-letter
//!                                               searches that never repeat, for SECONDS)
//!   listing_load urls SEED COUNT               (prints the URLs `mix` would send)
//!
//! `mix` never repeats a URL, so no listing comes from the store's page cache: searches from
//! `tests/data/search_queries.tsv` (exact words, plurals, typos, prefixes, several words), one-
//! and two-letter searches, listings by category, brand and price, every sort, first and deep
//! pages. Latency counts from each request's scheduled start. Prints
//! `sent p50 p90 p99 max ok narrow other` (ms; `narrow` = 503 "please narrow your search"),
//! for all URLs and then for those without a word of one or two letters.

// A load driver: a broken setup should stop it loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use emporium::rng::Rng;
use tokio::sync::Mutex;

use emporium::catalog::seed::{BRANDS, category_slugs};

const SORTS: &[&str] = &[
    "",
    "relevance",
    "rating",
    "price_asc",
    "price_desc",
    "name",
    "newest",
];

fn pick<'a>(rng: &mut Rng, from: &[&'a str]) -> &'a str {
    from[rng.below(from.len() as u64) as usize]
}

fn queries() -> Vec<String> {
    let text = std::fs::read_to_string("tests/data/search_queries.tsv")
        .expect("run from the repository (tests/data/search_queries.tsv)");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split('\t').nth(1).map(str::to_string))
        .collect()
}

/// One random listing URL (path and query).
fn url(rng: &mut Rng, queries: &[String]) -> String {
    let mut params: Vec<(&str, String)> = Vec::new();
    let kind = rng.below(100);
    let letters = "abcdefghijklmnopqrstuvwxyz".as_bytes();
    let letter = |rng: &mut Rng| letters[rng.below(26) as usize] as char;
    let deep = kind < 25 || rng.chance(0.1);
    if kind < 25 {
        // Browsing without words.
    } else if kind < 70 {
        params.push((
            "q",
            queries[rng.below(queries.len() as u64) as usize].clone(),
        ));
    } else if kind < 80 {
        let a = &queries[rng.below(queries.len() as u64) as usize];
        let b = &queries[rng.below(queries.len() as u64) as usize];
        params.push(("q", format!("{a} {b}")));
    } else if kind < 90 {
        let mut q = letter(rng).to_string();
        if rng.chance(0.5) {
            q.push(letter(rng));
        }
        params.push(("q", q));
    } else {
        // A prefix being typed: the first 3 to 5 letters of a query.
        let q = &queries[rng.below(queries.len() as u64) as usize];
        let n = 3 + rng.below(3) as usize;
        params.push(("q", q.chars().take(n).collect()));
    }
    if rng.chance(0.35) {
        let slugs = category_slugs();
        params.push((
            "category",
            slugs[rng.below(slugs.len() as u64) as usize].clone(),
        ));
    }
    if rng.chance(0.2) {
        params.push(("brand", pick(rng, BRANDS).into()));
    }
    if rng.chance(0.25) {
        let min = rng.below(40);
        params.push(("min_price", min.to_string()));
        params.push(("max_price", (min + 5 + rng.below(80)).to_string()));
    }
    let sort = pick(rng, SORTS);
    if !sort.is_empty() && (rng.chance(0.5) || kind < 25) {
        params.push(("sort", sort.into()));
    }
    let page = if deep && rng.chance(0.4) {
        2 + rng.below(399)
    } else if rng.chance(0.2) {
        2 + rng.below(5)
    } else {
        1
    };
    if page > 1 {
        params.push(("page", page.to_string()));
    }
    format!(
        "/products?{}",
        serde_urlencoded::to_string(&params).expect("encodable")
    )
}

/// `count` distinct URLs.
fn urls(seed: u64, count: usize) -> Vec<String> {
    let queries = queries();
    let mut rng = Rng::new(seed);
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let u = url(&mut rng, &queries);
        if seen.insert(u.clone()) {
            out.push(u);
        }
    }
    out
}

#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    /// (latency, URL, status) of every request, for `LISTING_SLOWEST`.
    slowest: Vec<(Duration, String, u16)>,
    ok: u64,
    narrow: u64,
    other: u64,
}

impl Tally {
    fn report(&mut self) -> String {
        self.latencies.sort();
        // LISTING_SLOWEST=N prints the N slowest requests to stderr, to see what the tail is.
        let show: usize = std::env::var("LISTING_SLOWEST")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        self.slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
        for (d, url, status) in self.slowest.iter().take(show) {
            eprintln!("{:8.1} ms {status} {url}", d.as_secs_f64() * 1000.0);
        }
        let n = self.latencies.len();
        let pct = |l: &[Duration], p: f64| {
            if n == 0 {
                0.0
            } else {
                l[((n as f64 * p).ceil() as usize).clamp(1, n) - 1].as_secs_f64() * 1000.0
            }
        };
        format!(
            "{} {:.2} {:.2} {:.2} {:.2} {} {} {}",
            n,
            pct(&self.latencies, 0.50),
            pct(&self.latencies, 0.90),
            pct(&self.latencies, 0.99),
            pct(&self.latencies, 1.0),
            self.ok,
            self.narrow,
            self.other
        )
    }
}

async fn send(client: &reqwest::Client, url: &str) -> u16 {
    match client.get(url).send().await {
        Ok(r) => {
            let status = r.status().as_u16();
            match r.bytes().await {
                Ok(_) => status,
                Err(_) => 0,
            }
        }
        Err(_) => 0,
    }
}

fn count(t: &mut Tally, status: u16) {
    match status {
        200..=299 => t.ok += 1,
        503 => t.narrow += 1,
        _ => t.other += 1,
    }
}

async fn mix(base: &str, rate: u64, count_urls: usize, seed: u64) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .expect("client");
    let tally = Arc::new(Mutex::new(Tally::default()));
    // The same, for the URLs without a word of one or two letters (those share a lane with
    // the one-letter clients of `letters`).
    let long = Arc::new(Mutex::new(Tally::default()));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (i, path) in urls(seed, count_urls).into_iter().enumerate() {
        let scheduled = start + Duration::from_nanos(i as u64 * 1_000_000_000 / rate);
        tokio::time::sleep_until(scheduled.into()).await;
        let short = has_short_word(&path);
        let (client, tally, long) = (client.clone(), tally.clone(), long.clone());
        let url = format!("{base}{path}");
        tasks.push(tokio::spawn(async move {
            let status = send(&client, &url).await;
            let took = scheduled.elapsed();
            if !short {
                let mut l = long.lock().await;
                l.latencies.push(took);
                count(&mut l, status);
            }
            let mut t = tally.lock().await;
            t.latencies.push(took);
            t.slowest.push((took, url, status));
            count(&mut t, status);
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    println!("{}", tally.lock().await.report());
    println!("{}", long.lock().await.report());
}

/// Whether a listing URL searches for a word of one or two letters.
fn has_short_word(path: &str) -> bool {
    let query = path.split_once('?').map(|(_, q)| q).unwrap_or_default();
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .unwrap_or_default()
        .iter()
        .filter(|(k, _)| k == "q")
        .any(|(_, v)| {
            v.split(|c: char| !c.is_alphanumeric())
                .any(|w| (1..=2).contains(&w.chars().count()))
        })
}

async fn letters(base: &str, seconds: u64, workers: usize) {
    let client = reqwest::Client::new();
    let tally = Arc::new(Mutex::new(Tally::default()));
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for w in 0..workers {
        let (client, tally, base) = (client.clone(), tally.clone(), base.to_string());
        tasks.push(tokio::spawn(async move {
            let letter = (b'a' + (w % 26) as u8) as char;
            let mut n = 0u64;
            while Instant::now() < until {
                n += 1;
                // A price bound no one else asks for: the page cache never helps.
                let url = format!("{base}/products?q={letter}&max_price={}", 100_000 + n);
                let sent = Instant::now();
                let status = send(&client, &url).await;
                let mut t = tally.lock().await;
                t.latencies.push(sent.elapsed());
                count(&mut t, status);
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    println!("{}", tally.lock().await.report());
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
    match arg(1).as_str() {
        "mix" => {
            mix(
                &arg(2),
                arg(3).parse().expect("rate"),
                arg(4).parse().expect("count"),
                arg(5).parse().expect("seed"),
            )
            .await
        }
        "letters" => {
            letters(
                &arg(2),
                arg(3).parse().expect("seconds"),
                arg(4).parse().expect("workers"),
            )
            .await
        }
        "urls" => {
            for u in urls(
                arg(2).parse().expect("seed"),
                arg(3).parse().expect("count"),
            ) {
                println!("{u}");
            }
        }
        _ => {
            eprintln!(
                "usage: listing_load mix BASE RATE COUNT SEED | letters BASE SECONDS WORKERS | urls SEED COUNT"
            );
            std::process::exit(2);
        }
    }
}
