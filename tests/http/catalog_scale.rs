//! The listing's shortcuts at scale (maintained counts per category, brand and price band; the
//! relevance page joined only above its last score; common short words left out; broad
//! searches limited) return what the plain method returns, and refuse clearly when they must.

use emporium::catalog::admin::{ProductInput, delete, update, validate};
use emporium::catalog::lanes::Lane;
use emporium::catalog::search::{PAGE_SIZE, SearchQuery};
use emporium::db::catalog::{Method, search_by};
use emporium::domain::{Money, ProductId, Sort};

use crate::helpers::{TestApp, product_ids};

const SORTS: [Sort; 7] = [
    Sort::Relevance,
    Sort::Rating,
    Sort::PriceAsc,
    Sort::PriceDesc,
    Sort::Name,
    Sort::Newest,
    Sort::Relevance,
];

/// Moves products between categories, brands and price bands, takes some off sale and deletes
/// one, through the admin's own functions, so the maintained counts have followed every kind
/// of write.
async fn edit_some(app: &TestApp) {
    let admin = app.admin_id().await;
    for (id, category, brand, cents, active) in [
        (5, "Garden", "Northwind", 1050, true),
        (6, "Kitchen", "Oakridge", 1999, false),
        (7, "Bath", "Brand New Co", 2000, true),
        (8, "Lighting", "Oakridge", 99, true),
    ] {
        let input = ProductInput {
            name: format!("Edited Oak Thing {id}"),
            brand: brand.into(),
            category: category.into(),
            description: "Moved by a test.".into(),
            price: Money::from_cents(cents).to_decimal(),
            stock: "3".into(),
            active,
            sku: format!("EDIT-{id}"),
            ..ProductInput::default()
        };
        let valid = validate(&input).expect("valid edit");
        update(&app.state, admin, ProductId::new(id), &valid, None)
            .await
            .expect("updated");
    }
    delete(&app.state, admin, ProductId::new(9))
        .await
        .expect("deleted");
}

#[tokio::test]
async fn every_shortcut_returns_the_plain_methods_counts_facets_and_pages() {
    let app = TestApp::spawn().await;
    app.seed(240).await;
    app.product("Seed Admin Oak", "Oakridge", "Kitchen", 1234, 4)
        .await;
    edit_some(&app).await;
    let prices = [
        (None, None),
        (Some(1050), Some(2049)),
        (Some(1000), Some(1999)),
        (None, Some(999)),
        (Some(4550), None),
        (Some(1234), Some(1250)),
        (Some(1299), Some(1300)),
        (Some(0), Some(99)),
    ];
    let texts = ["", "oak", "teapots", "oak mug", "kettle copper", "edited"];
    let facets = [
        ("", ""),
        ("kitchen", ""),
        ("", "Oakridge"),
        ("bath", "brand new co"),
    ];
    let mut conn = app.state.db.pool().acquire().await.unwrap();
    let mut compared = 0;
    for text in texts {
        for (category, brand) in facets {
            for (i, (min, max)) in prices.into_iter().enumerate() {
                let sort = SORTS[i % SORTS.len()];
                let q = SearchQuery::from_parts(
                    text,
                    category,
                    brand,
                    min.map(Money::from_cents),
                    max.map(Money::from_cents),
                    sort,
                    1,
                )
                .query;
                let f = q.filter();
                for offset in [0, PAGE_SIZE, 2 * PAGE_SIZE] {
                    let fast = search_by(&mut conn, &f, sort, PAGE_SIZE, offset, Method::Fast)
                        .await
                        .unwrap();
                    let exact = search_by(&mut conn, &f, sort, PAGE_SIZE, offset, Method::Exact)
                        .await
                        .unwrap();
                    let what = format!("{q:?} offset {offset}");
                    assert_eq!(fast.total, exact.total, "total of {what}");
                    let shape = |v: &[emporium::db::catalog::Facet]| {
                        v.iter()
                            .map(|f| (f.key.clone(), f.label.clone(), f.count))
                            .collect::<Vec<_>>()
                    };
                    assert_eq!(shape(&fast.categories), shape(&exact.categories), "{what}");
                    assert_eq!(shape(&fast.brands), shape(&exact.brands), "{what}");
                    assert_eq!(fast.ids, exact.ids, "page of {what}");
                    compared += 1;
                }
            }
        }
    }
    assert_eq!(compared, texts.len() * facets.len() * prices.len() * 3);
    // And the counts are right, not merely equal: all products on sale.
    let all = search_by(
        &mut conn,
        &SearchQuery::all(Sort::Relevance).filter(),
        Sort::Relevance,
        1,
        0,
        Method::Fast,
    )
    .await
    .unwrap();
    let on_sale: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products WHERE active = 1")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!((all.total, on_sale), (240 - 2 + 1, 240 - 2 + 1));
}

#[tokio::test]
async fn a_common_short_word_is_left_out_with_a_notice_and_short_words_match_whole() {
    // At 240 products "by" (in every description) is used by more than 200.
    let app = TestApp::spawn_with(|s| s.catalog.broad_search_entries = 200).await;
    app.seed(240).await;
    let res = app.get("/products?q=by+teapot").await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("\u{201c}by\u{201d} is in too many products"),
        "{body}"
    );
    let with_by = product_ids(&body);
    let alone = app.get("/products?q=teapot").await.text().await.unwrap();
    assert_eq!(with_by, product_ids(&alone));
    assert!(!with_by.is_empty());
    // "te" is not a prefix of every "teapot" and "tea": only a word "te" would match.
    let body = app.get("/products?q=te").await.text().await.unwrap();
    assert!(body.contains("No products found"), "{body}");
}

#[tokio::test]
async fn a_search_past_its_time_limit_asks_to_narrow_it_and_never_fails() {
    // A limit no statement can meet: the page is the clear refusal, with the query logged.
    let app = TestApp::spawn_with(|s| s.catalog.statement_timeout_ms = 1).await;
    app.seed(240).await;
    // Make the statement slow enough on both databases: many words, each matching everywhere.
    let mut refused = 0;
    for n in 0..20 {
        let res = app
            .get(&format!(
                "/products?q=made+pleasant+sturdy+sustainably+favourite+day&max_price={}",
                100_000 + n
            ))
            .await;
        match res.status().as_u16() {
            200 => {}
            503 => {
                assert_eq!(res.headers()["retry-after"], "2");
                let body = res.text().await.unwrap();
                assert!(body.contains("Please narrow it"), "{body}");
                refused += 1;
            }
            other => panic!("status {other}"),
        }
    }
    // With one millisecond most of the twenty fail on any machine; none is a 500.
    assert!(refused > 0, "no search reached the 1 ms limit");
}

#[tokio::test]
async fn broad_searches_beyond_their_places_are_refused_while_others_answer() {
    let app = TestApp::spawn_with(|s| s.catalog.broad_search_entries = 1).await;
    app.seed(240).await;
    // Hold the only place for broad searches, as a running broad search would.
    let place = app.state.search_lanes.occupy(Lane::Broad).await.unwrap();
    let res = app.get("/products?q=teapot").await;
    assert_eq!(res.status(), 503);
    let api = app.get("/api/v1/product/?q=teapot").await;
    assert_eq!(api.status(), 503);
    // A listing without words, and a product page, do not need the place.
    assert_eq!(app.get("/products?category=kitchen").await.status(), 200);
    assert_eq!(app.get("/products/3").await.status(), 200);
    drop(place);
    assert_eq!(app.get("/products?q=teapot").await.status(), 200);
}

#[tokio::test]
async fn short_word_searches_have_a_lane_of_their_own() {
    let app = TestApp::spawn().await;
    app.seed(240).await;
    // A full lane of broad searches does not hold up a short word's search.
    let broad = app.state.search_lanes.occupy(Lane::Broad).await.unwrap();
    assert_eq!(app.get("/products?q=ab").await.status(), 200);
    drop(broad);
    // A full lane of short-word searches refuses the next one, and no other search.
    let short = app.state.search_lanes.occupy(Lane::Short).await.unwrap();
    assert_eq!(app.get("/products?q=ab&max_price=1000").await.status(), 503);
    assert_eq!(app.get("/products?q=teapot").await.status(), 200);
    drop(short);
    assert_eq!(app.get("/products?q=ab&max_price=1000").await.status(), 200);
}
