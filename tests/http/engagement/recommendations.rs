//! Recommendations: from what customers buy, view and wish for; never what the customer bought,
//! never what is not on sale; popularity from real orders; measured against a baseline.

use serde_json::Value;

use crate::helpers::api::text;
use crate::helpers::{Browser, TestApp};

fn section_names(page: &crate::helpers::Html, heading: &str) -> Vec<String> {
    page.texts(&format!("section[aria-labelledby={heading}] .card-name"))
}

/// Three kitchen products usually bought together, a lamp nobody buys with them.
async fn shop_with_history(app: &TestApp) -> (i64, i64, i64, i64) {
    let kettle = app
        .product("Copper Kettle", "Hearth", "Kitchen", 4900, 100)
        .await;
    let teapot = app
        .product("Enamel Teapot", "Hearth", "Kitchen", 2900, 100)
        .await;
    let cups = app
        .product("Tea Cups", "Hearth", "Kitchen", 1900, 100)
        .await;
    let lamp = app
        .product("Brass Lamp", "Lumen", "Lighting", 3000, 100)
        .await;
    for i in 0..3 {
        let (_, b) = app.signed_in(&format!("regular{i}")).await;
        app.add_to_cart(&b, kettle, 1).await;
        app.add_to_cart(&b, teapot, 1).await;
        app.bought(&b, cups, 1).await;
    }
    let (_, b) = app.signed_in("lampfan").await;
    app.bought(&b, lamp, 1).await;
    emporium::engagement::recommend::refresh::refresh(&app.state)
        .await
        .unwrap();
    (kettle, teapot, cups, lamp)
}

async fn recommended(app: &TestApp, b: &Browser) -> Vec<String> {
    section_names(&app.get_html(b, "/").await, "recommended-heading")
}

#[tokio::test]
async fn recommendations_follow_what_customers_buy_together_and_skip_what_you_bought() {
    let app = TestApp::spawn().await;
    let (kettle, teapot, _, _) = shop_with_history(&app).await;
    let (_, ada) = app.signed_in("ada").await;
    app.bought(&ada, kettle, 1).await;
    emporium::engagement::recommend::refresh::refresh(&app.state)
        .await
        .unwrap();
    let names = recommended(&app, &ada).await;
    assert!(
        !names.contains(&"Copper Kettle".to_string()),
        "bought: {names:?}"
    );
    let top2: Vec<&String> = names.iter().take(2).collect();
    assert!(
        top2.contains(&&"Enamel Teapot".to_string()) && top2.contains(&&"Tea Cups".to_string()),
        "{names:?}"
    );
    // The product page: customers who bought this also bought.
    let page = app
        .get_html(&app.browser, &format!("/products/{kettle}"))
        .await;
    let also = section_names(&page, "also-heading");
    assert!(
        also.contains(&"Enamel Teapot".to_string()) && !also.contains(&"Brass Lamp".to_string()),
        "{also:?}"
    );
    // The API gives the same list.
    let email = "ada@example.com";
    let token = text(&app.api_login(email).await, "access_token");
    let api: Value = app
        .api(
            reqwest::Method::GET,
            "/api/v1/recommendations",
            Some(&token),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let api_names: Vec<&str> = api
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        api_names,
        names.iter().map(String::as_str).collect::<Vec<_>>()
    );
    // The home page reuses its picks, but the customer's own order shows at once.
    app.bought(&ada, teapot, 1).await;
    let after = recommended(&app, &ada).await;
    assert!(
        !after.contains(&"Enamel Teapot".to_string()) && after.contains(&"Tea Cups".to_string()),
        "{after:?}"
    );
}

#[tokio::test]
async fn a_withdrawn_product_leaves_recommendations_and_is_marked_in_wishlists() {
    let app = TestApp::spawn().await;
    let (kettle, teapot, _, _) = shop_with_history(&app).await;
    let (_, ada) = app.signed_in("ada").await;
    app.bought(&ada, kettle, 1).await;
    app.post_form_as(&ada, &format!("/wishlist/{teapot}"), &[])
        .await;
    assert!(
        recommended(&app, &ada)
            .await
            .contains(&"Enamel Teapot".to_string())
    );
    sqlx::query("UPDATE products SET active = 0 WHERE id = $1")
        .bind(teapot)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    app.state.catalog_cache.invalidate();
    assert!(
        !recommended(&app, &ada)
            .await
            .contains(&"Enamel Teapot".to_string())
    );
    let wish = app
        .get_html(&ada, "/wishlist")
        .await
        .texts(".wish")
        .join(" ");
    assert!(
        wish.contains("Enamel Teapot") && wish.contains("No longer available"),
        "{wish}"
    );
}

#[tokio::test]
async fn a_new_customer_gets_popular_products_and_popularity_follows_real_orders() {
    let app = TestApp::spawn().await;
    let (_, _, _, _) = shop_with_history(&app).await;
    // Guests: the products bought most lately lead "Popular right now".
    let home = app.get_html(&app.browser, "/").await;
    let popular = section_names(&home, "popular-heading");
    assert_eq!(popular.len(), 4);
    assert!(
        popular[3] == "Brass Lamp",
        "bought once, after three of each of the others: {popular:?}"
    );
    // A customer with no history sees the popular ones as their recommendations.
    let (_, fresh) = app.signed_in("fresh").await;
    let names = recommended(&app, &fresh).await;
    assert_eq!(names, popular);
    // "Because you viewed": from the latest product page they opened.
    let lamp_id: i64 = sqlx::query_scalar("SELECT id FROM products WHERE name = 'Copper Kettle'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    app.get_as(&fresh, &format!("/products/{lamp_id}")).await;
    let home = app.get_html(&fresh, "/").await;
    let heading = home.texts("#because-heading").join("");
    assert_eq!(heading, "Because you viewed Copper Kettle");
    assert!(!section_names(&home, "because-heading").is_empty());
}

#[tokio::test]
async fn simulated_shoppers_are_served_better_than_by_popularity() {
    let app = TestApp::spawn().await;
    app.seed(240).await;
    let plan = emporium::engagement::simulate::Plan {
        customers: 150,
        orders_per_customer: 4,
        days: 60,
        seed: 7,
    };
    let report = emporium::engagement::simulate::run(&app.state, plan)
        .await
        .unwrap();
    assert_eq!(report.customers, 150);
    assert!(report.orders >= 300, "{report:?}");
    let figures = emporium::engagement::recommend::evaluate::run(&app.state)
        .await
        .unwrap();
    let (ours, popular) = (&figures[0], &figures[1]);
    assert!(
        ours.hit_rate >= 2.0 * popular.hit_rate && ours.hit_rate > 0.1,
        "{figures:?}"
    );
    // Simulated shoppers can never sign in (no password).
    assert!(
        !app.can_sign_in("sim7-0@simulated.example", crate::helpers::PASSWORD)
            .await
    );
}
