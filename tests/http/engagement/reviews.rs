//! Verified-purchase ratings and reviews: who may write one, one per customer, the page's
//! figures, escaping, moderation, the rating sort and the API.

use serde_json::{Value, json};

use crate::helpers::api::{json_error, text};
use crate::helpers::{Browser, Html, PASSWORD, TestApp, assert_is_redirect_to};

async fn review(
    app: &TestApp,
    b: &Browser,
    product: i64,
    rating: &str,
    comment: &str,
) -> reqwest::Response {
    app.post_form_as(
        b,
        &format!("/products/{product}/reviews"),
        &[("rating", rating), ("comment", comment)],
    )
    .await
}

/// A kettle, and a signed-in customer who bought it.
async fn kettle_and_buyer(app: &TestApp) -> (i64, Browser) {
    let kettle = app
        .product("Copper Kettle", "Hearth", "Kitchen", 4900, 10)
        .await;
    let (_, ada) = app.signed_in("ada").await;
    app.bought(&ada, kettle, 1).await;
    (kettle, ada)
}

async fn count_reviews(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM reviews")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn only_buyers_review_and_a_second_review_edits_the_first() {
    let app = TestApp::spawn().await;
    let kettle = app
        .product("Copper Kettle", "Hearth", "Kitchen", 4900, 10)
        .await;
    // A guest is sent to sign in; a customer who did not buy it is refused, clearly.
    let guest = app.new_browser();
    let res = review(&app, &guest, kettle, "5", "").await;
    assert_eq!(res.status(), 303);
    assert!(crate::helpers::location(&res).starts_with("/login"));
    let (_, bob) = app.signed_in("bob").await;
    let res = review(&app, &bob, kettle, "5", "Great").await;
    assert_eq!(res.status(), 403);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Only customers who bought this product")
    );
    let page = app.get_html(&bob, &format!("/products/{kettle}")).await;
    assert!(
        page.select("#review-form").is_empty(),
        "no form for a non-buyer"
    );

    let (_, ada) = app.signed_in("ada").await;
    app.bought(&ada, kettle, 1).await;
    let page = app.get_html(&ada, &format!("/products/{kettle}")).await;
    assert_eq!(page.select("#review-form").len(), 1);
    let res = review(&app, &ada, kettle, "4", "Boils fast.").await;
    assert_is_redirect_to(&res, &format!("/products/{kettle}#reviews"));
    let res = review(&app, &ada, kettle, "5", "Boils fast.\nAnd quietly.").await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        count_reviews(&app).await,
        1,
        "the second post edited the first"
    );
    let (count, sum): (i64, i64) =
        sqlx::query_as("SELECT rating_count, rating_sum FROM products WHERE id = $1")
            .bind(kettle)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!((count, sum), (1, 5));
    // The form now shows the saved review, and it can be deleted.
    let page = app.get_html(&ada, &format!("/products/{kettle}")).await;
    assert_eq!(page.text_of("#comment"), "Boils fast.\nAnd quietly.");
    let res = app
        .post_form_as(&ada, &format!("/products/{kettle}/reviews/delete"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(count_reviews(&app).await, 0);
}

#[tokio::test]
async fn bad_ratings_come_back_with_the_error_at_the_field() {
    let app = TestApp::spawn().await;
    let (kettle, ada) = kettle_and_buyer(&app).await;
    for bad in ["0", "6", "4.5", "five", ""] {
        let res = review(&app, &ada, kettle, bad, "Kept text").await;
        assert_eq!(res.status(), 422, "{bad}");
        let page = Html::parse(&res.text().await.unwrap());
        assert!(
            page.texts("#rating-error li")
                .iter()
                .any(|t| t.contains("whole number of stars from 1 to 5")),
            "{bad}"
        );
        assert_eq!(page.text_of("#comment"), "Kept text", "the comment is kept");
    }
    let res = review(&app, &ada, kettle, "3", &"x".repeat(2001)).await;
    assert_eq!(res.status(), 422);
    assert_eq!(count_reviews(&app).await, 0);
}

#[tokio::test]
async fn two_simultaneous_reviews_by_one_customer_leave_one() {
    let app = TestApp::spawn().await;
    let (kettle, ada) = kettle_and_buyer(&app).await;
    let (a, b) = tokio::join!(
        review(&app, &ada, kettle, "2", "first"),
        review(&app, &ada, kettle, "4", "second")
    );
    assert_eq!(
        (a.status(), b.status()),
        (303.try_into().unwrap(), 303.try_into().unwrap())
    );
    assert_eq!(count_reviews(&app).await, 1);
    let count: i64 = sqlx::query_scalar("SELECT rating_count FROM products WHERE id = $1")
        .bind(kettle)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn the_product_page_shows_the_figures_and_escaped_reviews_newest_first() {
    let app = TestApp::spawn().await;
    let lamp = app
        .product("Brass Lamp", "Lumen", "Lighting", 3000, 50)
        .await;
    let mut buyers = Vec::new();
    for (i, stars) in [5, 4, 4, 2].iter().enumerate() {
        let (_, b) = app.signed_in(&format!("buyer{i}")).await;
        app.bought(&b, lamp, 1).await;
        let comment = if i == 3 {
            "<script>alert(1)</script>\nSecond line".to_string()
        } else {
            format!("Review {i}")
        };
        assert_eq!(
            review(&app, &b, lamp, &stars.to_string(), &comment)
                .await
                .status(),
            303
        );
        app.state.clock.advance(std::time::Duration::from_secs(60));
        buyers.push(b);
    }
    let page = app
        .get_html(&app.browser, &format!("/products/{lamp}"))
        .await;
    let summary = page.texts(".rating-average").join(" ");
    assert!(
        summary.contains("3.8") && summary.contains("from 4 verified buyers"),
        "{summary}"
    );
    let bars: Vec<String> = page.texts(".rating-bars tr");
    assert_eq!(bars.len(), 5);
    assert!(
        bars[0].starts_with("5 stars") && bars[0].ends_with('1'),
        "{bars:?}"
    );
    assert!(
        bars[1].starts_with("4 stars") && bars[1].ends_with('2'),
        "{bars:?}"
    );
    // Newest first, each with the first name and the verified mark; the markup stays text.
    let reviews = page.select(".review");
    assert_eq!(reviews.len(), 4);
    let first = page.texts(".review").remove(0);
    assert!(
        first.contains("Ada") && first.contains("Verified purchase"),
        "{first}"
    );
    assert_eq!(
        page.text_of(".review-comment"),
        "<script>alert(1)</script>\nSecond line"
    );
    assert!(page.select(".review script").is_empty());
    // Cards show the average and count too.
    let listing = app.get_html(&app.browser, "/products").await;
    assert!(
        listing
            .texts(".card-rating")
            .iter()
            .any(|t| t.contains("3.8") && t.contains("(4"))
    );
}

#[tokio::test]
async fn staff_hide_a_review_and_the_figures_follow() {
    let app = TestApp::spawn().await;
    let lamp = app
        .product("Brass Lamp", "Lumen", "Lighting", 3000, 50)
        .await;
    let (_, ada) = app.signed_in("ada").await;
    app.bought(&ada, lamp, 1).await;
    review(&app, &ada, lamp, "1", "Rude words").await;
    let admin = app.admin().await;
    let page = app.get_html(&admin, "/admin/reviews").await;
    assert!(page.texts("td").iter().any(|t| t.contains("Rude words")));
    let id: i64 = sqlx::query_scalar("SELECT id FROM reviews")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let res = app
        .post_form_as(
            &admin,
            &format!("/admin/reviews/{id}/visibility"),
            &[("hidden", "1")],
        )
        .await;
    assert_is_redirect_to(&res, "/admin/reviews");
    let product = app
        .get_html(&app.browser, &format!("/products/{lamp}"))
        .await;
    assert!(product.select(".review").is_empty());
    assert!(
        product
            .texts("#reviews p")
            .iter()
            .any(|t| t.contains("No ratings yet"))
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE entity = 'review' AND action = 'hide'",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(audited, 1);
    // Customers cannot moderate.
    let res = app
        .post_form_as(
            &ada,
            &format!("/admin/reviews/{id}/visibility"),
            &[("hidden", "0")],
        )
        .await;
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn the_rating_sort_trusts_many_good_ratings_over_one_perfect_one_and_puts_unrated_last() {
    let app = TestApp::spawn().await;
    let one = app.product("Aster One", "Acme", "Garden", 1000, 50).await;
    let many = app.product("Birch Many", "Acme", "Garden", 1000, 50).await;
    let none = app.product("Cedar None", "Acme", "Garden", 1000, 50).await;
    let dull = app.product("Dull Spade", "Acme", "Garden", 1000, 50).await;
    let (_, first) = app.signed_in("first").await;
    app.bought(&first, one, 1).await;
    review(&app, &first, one, "5", "").await;
    for (i, stars) in ["5", "5", "5", "4", "4", "4"].iter().enumerate() {
        let (_, b) = app.signed_in(&format!("fan{i}")).await;
        app.bought(&b, many, 1).await;
        assert_eq!(review(&app, &b, many, stars, "").await.status(), 303);
    }
    for i in 0..2 {
        let (_, b) = app.signed_in(&format!("critic{i}")).await;
        app.bought(&b, dull, 1).await;
        assert_eq!(review(&app, &b, dull, "1", "").await.status(), 303);
    }
    // The prior is the catalogue's mean rating (34 / 9 = 3.78), which the background refresh
    // keeps; orders start one while the reviews come in, so the test runs one after them and
    // every score is then computed from the same mean.
    emporium::engagement::recommend::refresh::refresh(&app.state)
        .await
        .unwrap();
    let html = app.get("/products?sort=rating").await.text().await.unwrap();
    let ids = crate::helpers::product_ids(&html);
    assert_eq!(
        ids,
        vec![many, one, dull, none],
        "4.5 from six beats 5 from one against a mean of 3.78; unrated last"
    );
    // The API: the average to one decimal, null when unrated.
    let list: Value = app.api_products("?sort=rating").await.json().await.unwrap();
    let ratings: Vec<Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["rating"].clone())
        .collect();
    assert_eq!(
        ratings,
        vec![json!(4.5), json!(5.0), json!(1.0), Value::Null]
    );
}

#[tokio::test]
async fn the_api_lists_posts_and_deletes_reviews() {
    let app = TestApp::spawn().await;
    let kettle = app
        .product("Copper Kettle", "Hearth", "Kitchen", 4900, 10)
        .await;
    let email = app.api_customer("ada").await;
    let token = text(&app.api_login(&email).await, "access_token");
    let t = Some(token.as_str());
    let path = format!("/api/v1/product/{kettle}/reviews");
    let post = |body: Value| app.api(reqwest::Method::POST, &path, t, Some(body));
    json_error(post(json!({"rating": 5})).await, 403).await;
    // Buy it through the API.
    app.api_cart_add(t, json!({"product_id": kettle, "quantity": 1}))
        .await;
    let cart: Value = app.api_cart(t).await.json().await.unwrap();
    let res = app
        .api_place_order(
            t,
            json!({"card_name": "Ada", "card_number": crate::helpers::GOOD_CARD, "card_expiry": "12/30",
                   "card_cvc": "123", "expected_total_cents": cart["total_cents"]}),
        )
        .await;
    assert_eq!(res.status(), 201);
    for bad in [
        json!({"rating": 4.5}),
        json!({"rating": 0}),
        json!({"rating": 6}),
    ] {
        let body = json_error(post(bad).await, 422).await;
        assert!(body["errors"]["rating"].is_array(), "{body}");
    }
    assert_eq!(
        post(json!({"rating": 4, "comment": "Good"})).await.status(),
        204
    );
    assert_eq!(
        post(json!({"rating": 5, "comment": "Better"}))
            .await
            .status(),
        204
    );
    let list: Value = app
        .api(reqwest::Method::GET, &path, None, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["count"], 1);
    assert_eq!(list["average"], 5.0);
    assert_eq!(list["items"][0]["comment"], "Better");
    assert_eq!(list["items"][0]["reviewer"], "Ada");
    assert_eq!(list["items"][0]["verified_purchase"], true);
    let product: Value = app
        .api(
            reqwest::Method::GET,
            &format!("/api/v1/product/{kettle}"),
            None,
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(product["rating"], 5.0);
    assert_eq!(
        app.api(reqwest::Method::DELETE, &path, t, None)
            .await
            .status(),
        204
    );
    json_error(app.api(reqwest::Method::DELETE, &path, t, None).await, 404).await;
    for bad in ["page=0", "page=-1", "page=100001"] {
        let res = app
            .api(reqwest::Method::GET, &format!("{path}?{bad}"), None, None)
            .await;
        let body = json_error(res, 400).await;
        assert!(
            body.to_string().contains("Pages are numbered"),
            "{bad}: {body}"
        );
    }
    json_error(
        app.api(
            reqwest::Method::GET,
            "/api/v1/product/999999/reviews",
            None,
            None,
        )
        .await,
        404,
    )
    .await;
    assert!(app.can_sign_in(&email, PASSWORD).await);
}

#[tokio::test]
async fn a_refunded_purchase_closes_the_review_form_unless_another_paid_order_holds_it() {
    let app = TestApp::spawn().await;
    let kettle = app
        .product("Copper Kettle", "Hearth", "Kitchen", 4900, 10)
        .await;
    let path = format!("/products/{kettle}");
    let (_, ada) = app.signed_in("ada").await;
    let first = app.bought(&ada, kettle, 1).await;
    let second = app.bought(&ada, kettle, 1).await;
    let admin = app.admin().await;
    let refund = |id: i64| {
        let path = format!("/admin/orders/{id}/status");
        let admin = &admin;
        let app = &app;
        async move {
            app.post_form_as(admin, &path, &[("status", "refunded")])
                .await
                .status()
        }
    };
    assert_eq!(refund(first).await, 303);
    let page = app.get_html(&ada, &path).await;
    assert_eq!(
        page.select("#review-form").len(),
        1,
        "the second order holds it"
    );
    assert_eq!(refund(second).await, 303);
    let page = app.get_html(&ada, &path).await;
    assert!(
        page.select("#review-form").is_empty(),
        "nothing bought is left"
    );
    assert_eq!(review(&app, &ada, kettle, "5", "").await.status(), 403);

    // A guest's paid order counts once it joins the account made with its address.
    let guest = app.new_browser();
    app.add_to_cart(&guest, kettle, 1).await;
    assert_eq!(
        app.guest_checkout(&guest, "gina@example.com")
            .await
            .status(),
        303
    );
    let (_, gina) = app.signed_in("gina").await;
    let page = app.get_html(&gina, &path).await;
    assert_eq!(page.select("#review-form").len(), 1);
    assert_eq!(review(&app, &gina, kettle, "5", "").await.status(), 303);
}
