use crate::helpers::{Html, TestApp, prices, product_ids};

#[tokio::test]
async fn the_listing_pages_by_24_with_a_count_and_links() {
    let app = TestApp::spawn().await;
    app.seed(60).await;
    let html = app.get("/products").await.text().await.unwrap();
    assert!(html.contains("60 products"));
    assert_eq!(product_ids(&html).len(), 24);
    assert!(html.contains(r#"href="/products?page=3""#));
    let html = app.get("/products?page=3").await.text().await.unwrap();
    assert_eq!(product_ids(&html).len(), 12);
    let page = Html::parse(&html);
    assert_eq!(page.texts(".pagination a[aria-current=page]"), ["Page 3"]);
    assert_eq!(
        page.texts(".pagination a[rel=prev]"),
        ["Previous page"],
        "a step back from the last page"
    );
    assert!(page.select(".pagination a[rel=next]").is_empty());
    assert!(html.contains("<title>Catalogue, page 3 · Emporium</title>"));
    // Page numbers that make no sense still give a page.
    for bad in ["page=-1", "page=abc", "page=0", "page=99999999999999999999"] {
        let res = app.get(&format!("/products?{bad}")).await;
        assert_eq!(res.status(), 200, "{bad}");
        assert!(!product_ids(&res.text().await.unwrap()).is_empty(), "{bad}");
    }
    let past_end = app.get("/products?page=99").await.text().await.unwrap();
    assert_eq!(
        product_ids(&past_end).len(),
        12,
        "past the end shows the last page"
    );
}

#[tokio::test]
async fn search_covers_name_brand_description_and_sku_ignoring_case() {
    let app = TestApp::spawn().await;
    let kettle = app
        .product("Copper Kettle", "Hearth & Co", "Kitchen", 4900, 10)
        .await;
    let lamp = app
        .product("Desk Lamp", "Lumen Works", "Lighting", 3500, 10)
        .await;
    let sku: String = sqlx::query_scalar("SELECT sku FROM products WHERE id = $1")
        .bind(lamp)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    for (q, expected) in [
        ("copper", vec![kettle]),
        ("KETTLE", vec![kettle]),
        ("kett", vec![kettle]),
        ("lumen", vec![lamp]),
        ("made by hearth", vec![kettle]),
        (sku.as_str(), vec![lamp]),
        (&sku.to_lowercase(), vec![lamp]),
        ("copper lamp", vec![]),
        ("teapot", vec![]),
    ] {
        let html = app
            .get(&format!("/products?q={}", urlencode(q)))
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(product_ids(&html), expected, "q={q}");
    }
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)]).unwrap()[2..].to_string()
}

#[tokio::test]
async fn special_characters_are_text_and_odd_queries_are_handled() {
    let app = TestApp::spawn().await;
    app.product("100% Cotton Towel", "Tidewater", "Bath", 1500, 10)
        .await;
    app.product("Plain Towel", "Tidewater", "Bath", 1200, 10)
        .await;
    for (q, n) in [
        ("100%", 1),
        ("%", 0),
        ("_", 0),
        ("' OR 1=1 --", 0),
        ("<script>", 0),
        ("towel", 2),
    ] {
        let res = app.get(&format!("/products?q={}", urlencode(q))).await;
        assert_eq!(res.status(), 200, "{q}");
        let html = res.text().await.unwrap();
        assert_eq!(product_ids(&html).len(), n, "q={q}");
        assert!(!html.contains("<script>"), "the query is escaped");
    }
    let long = "towel ".repeat(2000);
    let res = app.get(&format!("/products?q={}", urlencode(&long))).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("shortened"));
}

#[tokio::test]
async fn filters_combine_and_stay_in_page_and_sort_links() {
    let app = TestApp::spawn().await;
    for i in 0..30 {
        app.product(
            &format!("Teapot {i}"),
            if i % 2 == 0 { "Kettleby" } else { "Northwind" },
            "Tea & Coffee",
            1000 + i * 100,
            5,
        )
        .await;
    }
    app.product("Garden Gloves", "Kettleby", "Garden", 1500, 5)
        .await;
    let html = app
        .get("/products?category=tea-coffee&brand=KETTLEBY&min_price=15&max_price=30")
        .await
        .text()
        .await
        .unwrap();
    // Teapots 6..=20 with even i: 6,8,...,20 → 8 products.
    assert!(html.contains("8 products"), "filters did not combine");
    assert!(prices(&html).iter().all(|p| (1500..=3000).contains(p)));
    assert!(
        html.contains("Tea &#38; Coffee (8)"),
        "category counts under the other filters"
    );
    let html = app
        .get("/products?category=tea-coffee")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("30 products"));
    assert!(
        html.contains(r#"href="/products?category=tea-coffee&#38;page=2""#),
        "page links keep filters"
    );
    let html = app
        .get("/products?brand=kettleby&sort=price_desc")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("16 products"));
    assert!(
        html.contains("Garden"),
        "categories counted under the brand filter"
    );
    let html = app
        .get("/products?brand=kettleby&sort=price_desc&category=garden")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("1 product"));
}

#[tokio::test]
async fn every_sort_orders_as_named() {
    let app = TestApp::spawn().await;
    for (name, price) in [
        ("Banana Bowl", 1500),
        ("Apple Crate", 2500),
        ("Cherry Box", 500),
    ] {
        app.product(name, "Oakridge", "Kitchen", price, 5).await;
    }
    let order = |html: &str| prices(html);
    assert_eq!(
        order(
            &app.get("/products?sort=price_asc")
                .await
                .text()
                .await
                .unwrap()
        ),
        [500, 1500, 2500]
    );
    assert_eq!(
        order(
            &app.get("/products?sort=price_desc")
                .await
                .text()
                .await
                .unwrap()
        ),
        [2500, 1500, 500]
    );
    assert_eq!(
        order(&app.get("/products?sort=name").await.text().await.unwrap()),
        [2500, 1500, 500]
    );
    for sort in ["newest", "relevance", "rating", "bogus", ""] {
        let res = app.get(&format!("/products?sort={sort}")).await;
        assert_eq!(res.status(), 200, "{sort}");
        assert_eq!(prices(&res.text().await.unwrap()).len(), 3);
    }
    let html = app.get("/products?sort=bogus").await.text().await.unwrap();
    assert!(html.contains("sort order does not exist"));
    let html = app
        .get("/products?min_price=abc&max_price=-5")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("is not an amount and was ignored"));
    assert_eq!(prices(&html).len(), 3);
}

#[tokio::test]
async fn the_product_page_shows_stock_state_and_the_cart_form() {
    let app = TestApp::spawn().await;
    let plenty = app
        .product("Oak Tray", "Oakridge", "Kitchen", 2000, 50)
        .await;
    let few = app
        .product("Oak Spoon", "Oakridge", "Kitchen", 500, 3)
        .await;
    let none = app
        .product("Oak Bowl", "Oakridge", "Kitchen", 3000, 0)
        .await;
    let html = app
        .get(&format!("/products/{plenty}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("In stock")
            && html.contains("€20.00")
            && html.contains(r#"action="/cart/items""#)
    );
    assert!(html.contains(r#"name="quantity""#) && html.contains(r#"name="csrf_token""#));
    assert!(
        app.get(&format!("/products/{few}"))
            .await
            .text()
            .await
            .unwrap()
            .contains("Only 3 left")
    );
    let html = app
        .get(&format!("/products/{none}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Out of stock"));
    assert!(html.contains(r#"<button type="submit" class="button" disabled>"#));
}

#[tokio::test]
async fn unknown_and_inactive_products_are_not_found() {
    let app = TestApp::spawn().await;
    let id = app
        .product("Hidden Vase", "Oakridge", "Home", 2000, 5)
        .await;
    sqlx::query("UPDATE products SET active = 0 WHERE id = $1")
        .bind(id)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    app.state.catalog_cache.invalidate();
    for path in [
        format!("/products/{id}"),
        "/products/999999".into(),
        "/products/abc".into(),
        "/products/-1".into(),
    ] {
        let res = app.get(&path).await;
        assert_eq!(res.status(), 404, "{path}");
        assert!(res.text().await.unwrap().contains("Page not found"));
    }
    assert!(product_ids(&app.get("/products").await.text().await.unwrap()).is_empty());
}

#[tokio::test]
async fn demo_products_have_images_with_size_and_alt_text_cached_for_long() {
    let app = TestApp::spawn().await;
    app.seed(30).await;
    let html = app.get("/products").await.text().await.unwrap();
    let page = crate::helpers::Html::parse(&html);
    let imgs = page.select(".card img.card-img");
    assert_eq!(imgs.len(), 24, "every card has an image");
    for img in &imgs {
        let a = img.value();
        let src = a.attr("src").unwrap();
        assert!(src.starts_with("/media/") && src.ends_with(".svg"), "{src}");
        assert!(
            a.attr("width").is_some() && a.attr("height").is_some(),
            "{src}: sized"
        );
        // The card's link already says the name; the image must not say it again.
        assert_eq!(a.attr("alt"), Some(""), "{src}: decorative in the card");
    }
    let lazy: Vec<bool> = imgs
        .iter()
        .map(|i| i.value().attr("loading") == Some("lazy"))
        .collect();
    assert!(
        lazy[..8].iter().all(|l| !l),
        "images above the fold load at once"
    );
    assert!(
        lazy[8..].iter().all(|l| *l),
        "images below the fold load lazily"
    );
    let first = imgs[0].value().attr("src").unwrap().to_string();
    let res = app.get(&first).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(res.text().await.unwrap().starts_with("<svg"));
}

#[tokio::test]
async fn the_home_page_shows_popular_and_new_products() {
    let app = TestApp::spawn().await;
    app.seed(30).await;
    let html = app.get("/").await.text().await.unwrap();
    assert!(html.contains("Popular right now") && html.contains("New in the shop"));
    let cards = crate::helpers::Html::parse(&html).links(".card a.card-link");
    assert_eq!(cards.len(), 16);
}

#[tokio::test]
async fn browsing_the_catalogue_writes_nothing() {
    let app = TestApp::spawn().await;
    app.seed(30).await;
    let count = |table: &'static str| {
        let pool = app.state.db.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM {table}"
            )))
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let before = (
        count("sessions").await,
        count("products").await,
        count("throttle_counters").await,
        count("mail_queue").await,
    );
    for path in [
        "/",
        "/products",
        "/products?q=oak&sort=price_asc",
        "/products?category=kitchen&page=2",
    ] {
        let res = app.get_as(&app.new_browser(), path).await;
        assert_eq!(res.status(), 200);
        // A page with forms may give the browser its CSRF cookie; never a session.
        assert!(
            !res.headers()
                .get_all("set-cookie")
                .iter()
                .any(|c| c.to_str().unwrap().starts_with("emporium_session")),
            "{path} started a session"
        );
    }
    assert_eq!(
        before,
        (
            count("sessions").await,
            count("products").await,
            count("throttle_counters").await,
            count("mail_queue").await
        )
    );
}

/// The query set of `tests/data/search_queries.tsv` (217 queries: exact, plural, prefix, one
/// and two typos, wrong case, accents, several words) over the demo catalogue, through the API.
#[tokio::test]
async fn search_forgives_plurals_typos_case_and_accents() {
    use emporium::catalog::search_eval::{Report, parse, score};
    let app = TestApp::spawn().await;
    app.seed(240).await;
    let catalogue: Vec<String> = sqlx::query_scalar("SELECT name FROM products")
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    let queries = parse(include_str!("../data/search_queries.tsv"));
    assert!(queries.len() >= 150);
    let mut report = Report::default();
    for q in &queries {
        let res: serde_json::Value = app
            .api_products(&format!("?q={}", urlencode(&q.query)))
            .await
            .json()
            .await
            .unwrap();
        let names: Vec<String> = res["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap().to_string())
            .collect();
        report.add(q, score(q, &names, &catalogue));
    }
    println!("{}", report.table());
    assert!(report.unanswerable.is_empty(), "{:?}", report.unanswerable);
    let (_, recall, mrr) = report.overall();
    assert!(
        recall >= 0.95,
        "recall@10 {recall:.3}\n{:#?}",
        report.misses
    );
    assert!(mrr >= 0.9, "MRR {mrr:.3}");
    for (kind, (n, r, _)) in &report.kinds {
        assert!(r / *n as f64 >= 0.9, "{kind}: {:#?}", report.misses);
    }
}

#[tokio::test]
async fn a_search_that_finds_nothing_suggests_and_shows_popular_products() {
    let app = TestApp::spawn().await;
    let teapot = app.product("Oak Teapot", "Hearth", "Tea", 2900, 10).await;
    app.product("Brass Lamp", "Lumen", "Lighting", 3000, 10)
        .await;
    // A typo finds the product, says so, and exact words still rank first.
    let html = app.get("/products?q=teapto").await.text().await.unwrap();
    assert_eq!(product_ids(&html), vec![teapot]);
    assert!(
        Html::parse(&html)
            .text_of(".search-note")
            .contains("“teapot”")
    );
    // Two words that never meet: nothing, "Did you mean" the word that finds most, and
    // popular products instead of an empty page.
    let html = app.get("/products?q=oak+lampp").await.text().await.unwrap();
    let page = Html::parse(&html);
    assert!(product_ids(&html).is_empty());
    assert!(
        page.text_of(".suggestion").starts_with("Did you mean"),
        "{}",
        page.text_of("main")
    );
    assert_eq!(page.texts("#popular-heading").len(), 1);
    assert_eq!(
        page.select("section[aria-labelledby=popular-heading] .card")
            .len(),
        2
    );
    // Gibberish: no suggestion, still popular products.
    let page = Html::parse(&app.get("/products?q=xqzvw").await.text().await.unwrap());
    assert!(page.select(".suggestion").is_empty());
    assert_eq!(page.texts("#popular-heading").len(), 1);
}
