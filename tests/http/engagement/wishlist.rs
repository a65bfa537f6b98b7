//! The wishlist (pages and API) and recently viewed products.

use serde_json::{Value, json};

use crate::helpers::api::text;
use crate::helpers::{PASSWORD, TestApp, assert_is_redirect_to};

async fn wish_names(app: &TestApp, b: &crate::helpers::Browser) -> Vec<String> {
    app.get_html(b, "/wishlist").await.texts(".wish .card-name")
}

#[tokio::test]
async fn save_list_move_to_cart_and_remove() {
    let app = TestApp::spawn().await;
    let kettle = app
        .product("Copper Kettle", "Hearth", "Kitchen", 4900, 10)
        .await;
    let mug = app.product("Tall Mug", "Hearth", "Kitchen", 900, 0).await;
    let (_, b) = app.signed_in("ada").await;
    for p in [kettle, mug] {
        let res = app.post_form_as(&b, &format!("/wishlist/{p}"), &[]).await;
        assert_eq!(res.status(), 303);
    }
    // Saving twice keeps one line.
    app.post_form_as(&b, &format!("/wishlist/{kettle}"), &[])
        .await;
    let page = app.get_html(&b, "/wishlist").await;
    assert_eq!(page.texts(".wish .card-name").len(), 2);
    let rows = page.texts(".wish").join(" | ");
    assert!(
        rows.contains("€49.00") && rows.contains("In stock") && rows.contains("Out of stock"),
        "{rows}"
    );
    // Only what can be bought gets the cart buttons.
    assert_eq!(
        page.select(&format!(r#"form[action="/wishlist/{kettle}/move"]"#))
            .len(),
        1
    );
    assert!(
        page.select(&format!(r#"form[action="/wishlist/{mug}/move"]"#))
            .is_empty()
    );
    // The product page and cards know it is saved.
    let product = app.get_html(&b, &format!("/products/{kettle}")).await;
    assert!(product.texts(".wish-form button")[0].contains("On your wishlist"));
    let listing = app.get_html(&b, "/products").await;
    assert!(
        listing
            .texts(".card-wish button")
            .iter()
            .any(|t| t.contains("Saved"))
    );

    let res = app
        .post_form_as(&b, &format!("/wishlist/{kettle}/move"), &[])
        .await;
    assert_is_redirect_to(&res, "/cart");
    let cart = app.get_html(&b, "/cart").await;
    assert!(cart.texts("body").join(" ").contains("Copper Kettle"));
    assert_eq!(wish_names(&app, &b).await, vec!["Tall Mug".to_string()]);
    let res = app
        .post_form_as(&b, &format!("/wishlist/{mug}/remove"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert!(wish_names(&app, &b).await.is_empty());
}

#[tokio::test]
async fn a_guest_is_sent_to_sign_in_and_finds_the_product_saved() {
    let app = TestApp::spawn().await;
    let kettle = app
        .product("Copper Kettle", "Hearth", "Kitchen", 4900, 10)
        .await;
    let user = app.verified_user("ada").await;
    let guest = app.new_browser();
    let res = app
        .post_form_as(&guest, &format!("/wishlist/{kettle}"), &[])
        .await;
    assert_is_redirect_to(&res, "/login?next=%2Fwishlist");
    let res = app
        .post_form_as(
            &guest,
            "/login",
            &[
                ("email", &user.email),
                ("password", PASSWORD),
                ("next", "/wishlist"),
            ],
        )
        .await;
    assert_is_redirect_to(&res, "/wishlist");
    assert_eq!(
        wish_names(&app, &guest).await,
        vec!["Copper Kettle".to_string()]
    );
}

#[tokio::test]
async fn products_no_longer_sold_stay_listed_and_marked() {
    let app = TestApp::spawn().await;
    let kettle = app
        .product("Copper Kettle", "Hearth", "Kitchen", 4900, 10)
        .await;
    let (_, b) = app.signed_in("ada").await;
    app.post_form_as(&b, &format!("/wishlist/{kettle}"), &[])
        .await;
    sqlx::query("UPDATE products SET active = 0 WHERE id = $1")
        .bind(kettle)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let page = app.get_html(&b, "/wishlist").await;
    let row = page.texts(".wish").join(" ");
    assert!(
        row.contains("Copper Kettle") && row.contains("No longer available"),
        "{row}"
    );
    assert!(page.select(".wish--withdrawn").len() == 1);
    assert!(
        page.select(&format!(r#"form[action="/wishlist/{kettle}/move"]"#))
            .is_empty()
    );
}

#[tokio::test]
async fn the_account_links_orders_wishlist_and_settings() {
    let app = TestApp::spawn().await;
    let (_, b) = app.signed_in("ada").await;
    let page = app.get_html(&b, "/account").await;
    let links = page.links(".account-links a");
    for want in [
        "/orders",
        "/wishlist",
        "/account/profile",
        "/account/password",
    ] {
        assert!(links.iter().any(|l| l == want), "{want} in {links:?}");
    }
    let header = page.links("header nav a");
    assert!(header.iter().any(|l| l == "/wishlist"));
}

#[tokio::test]
async fn the_wishlist_api_adds_lists_and_removes() {
    let app = TestApp::spawn().await;
    let kettle = app
        .product("Copper Kettle", "Hearth", "Kitchen", 4900, 10)
        .await;
    let email = app.api_customer("ada").await;
    let token = text(&app.api_login(&email).await, "access_token");
    let t = Some(token.as_str());
    let path = "/api/v1/wishlist";
    let list: Value = app
        .api(
            reqwest::Method::POST,
            path,
            t,
            Some(json!({"product_id": kettle})),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["product_id"], kettle);
    assert_eq!(list[0]["available"], true);
    let res = app
        .api(
            reqwest::Method::POST,
            path,
            t,
            Some(json!({"product_id": 999999})),
        )
        .await;
    crate::helpers::api::json_error(res, 404).await;
    let list: Value = app
        .api(
            reqwest::Method::DELETE,
            &format!("{path}?product_id={kettle}"),
            t,
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list, json!([]));
    crate::helpers::api::json_error(app.api(reqwest::Method::GET, path, None, None).await, 401)
        .await;
}

#[tokio::test]
async fn recently_viewed_is_kept_in_batches_for_customers_only_and_can_be_cleared() {
    // A long flush interval: the test decides when the batch is written.
    let app = TestApp::spawn_with(|s| s.recommendations.view_flush_seconds = 3600).await;
    let kettle = app
        .product("Copper Kettle", "Hearth", "Kitchen", 4900, 10)
        .await;
    let lamp = app
        .product("Brass Lamp", "Lumen", "Lighting", 3000, 10)
        .await;
    let views = |app: &TestApp| {
        let pool = app.state.db.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM product_views")
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    // A guest's view writes nothing.
    assert_eq!(app.get(&format!("/products/{kettle}")).await.status(), 200);
    let (_, b) = app.signed_in("ada").await;
    for p in [kettle, lamp] {
        assert_eq!(
            app.get_as(&b, &format!("/products/{p}")).await.status(),
            200
        );
        app.state.clock.advance(std::time::Duration::from_secs(5));
    }
    // Not written by the page views themselves…
    assert_eq!(views(&app).await, 0);
    // …but shown already, newest first.
    let home = app.get_html(&b, "/").await;
    let recent: Vec<String> = home
        .select("section[aria-labelledby=recent-heading] .card-name")
        .iter()
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(
        recent,
        vec!["Brass Lamp".to_string(), "Copper Kettle".to_string()]
    );
    // The batch writes one row per customer and product.
    emporium::engagement::views::flush(&app.state)
        .await
        .unwrap();
    assert_eq!(views(&app).await, 2);
    let account = app.get_html(&b, "/account").await;
    assert_eq!(
        account.texts("section[aria-labelledby=recent-heading] .card-name"),
        vec!["Brass Lamp".to_string(), "Copper Kettle".to_string()]
    );
    let res = app
        .post_form_as(&b, "/account/recently-viewed/clear", &[])
        .await;
    assert_is_redirect_to(&res, "/account");
    assert_eq!(views(&app).await, 0);
    let account = app.get_html(&b, "/account").await;
    assert!(
        account
            .select("section[aria-labelledby=recent-heading] .card")
            .is_empty()
    );
}
