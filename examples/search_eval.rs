//! Search quality of a running store: runs the query set against `GET /api/v1/product/?q=`
//! and prints recall@10 and MRR per kind of query (see `emporium::catalog::search_eval`).
//!
//!   search_eval BASE_URL [QUERIES_TSV]      (default tests/data/search_queries.tsv)

// Test and benchmark code may panic on a broken setup; the store's code may not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use emporium::catalog::search_eval::{Report, parse, score};
use serde_json::Value;

async fn names(client: &reqwest::Client, url: &str) -> Vec<String> {
    let v: Value = client.get(url).send().await.unwrap().json().await.unwrap();
    v["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["name"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let base = args
        .get(1)
        .expect("usage: search_eval BASE_URL [QUERIES_TSV]");
    let path = args
        .get(2)
        .cloned()
        .unwrap_or_else(|| "tests/data/search_queries.tsv".into());
    let queries = parse(&std::fs::read_to_string(&path).unwrap());
    let client = reqwest::Client::new();
    let mut catalogue = Vec::new();
    for page in 1.. {
        let got = names(
            &client,
            &format!("{base}/api/v1/product/?sort=name&page={page}"),
        )
        .await;
        if got.is_empty() || catalogue.contains(&got[0]) {
            break;
        }
        catalogue.extend(got);
    }
    let mut report = Report::default();
    for q in &queries {
        let url =
            reqwest::Url::parse_with_params(&format!("{base}/api/v1/product/"), &[("q", &q.query)])
                .unwrap();
        let results = names(&client, url.as_str()).await;
        report.add(q, score(q, &results, &catalogue));
    }
    println!("{} products, {} queries", catalogue.len(), queries.len());
    print!("{}", report.table());
    if !report.unanswerable.is_empty() {
        println!("no relevant product for: {:?}", report.unanswerable);
    }
    for m in &report.misses {
        println!("missed: {m}");
    }
}
