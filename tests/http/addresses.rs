//! The address book and shipping methods: customers keep several addresses with defaults,
//! pick them at checkout with a method the country is offered, and may bill another address;
//! orders keep copies; staff set the prices.

use serde_json::{Value, json};

use crate::helpers::html::Html;
use crate::helpers::{Browser, GOOD_CARD, TestApp, location};

fn address(
    name: &str,
    street: &str,
    postcode: &str,
    city: &str,
    country: &str,
) -> Vec<(&'static str, String)> {
    vec![
        ("name", name.into()),
        ("street", street.into()),
        ("postcode", postcode.into()),
        ("city", city.into()),
        ("country", country.into()),
    ]
}

impl TestApp {
    async fn add_address(
        &self,
        b: &Browser,
        fields: &[(&'static str, String)],
    ) -> reqwest::Response {
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.post_form_as(b, "/account/addresses", &refs).await
    }

    async fn address_ids(&self, username: &str) -> Vec<i64> {
        sqlx::query_scalar(
            "SELECT a.id FROM addresses a JOIN users u ON u.id = a.user_id WHERE u.username = $1 ORDER BY a.id",
        )
        .bind(username)
        .fetch_all(self.state.db.pool())
        .await
        .unwrap()
    }

    /// The checkout form as the page shows it, with these choices changed and a good card.
    async fn checkout_with(&self, b: &Browser, choices: &[(&str, &str)]) -> reqwest::Response {
        let page = self.get_html(b, "/checkout").await;
        let mut fields: Vec<(String, String)> = vec![
            (
                "checkout_token".into(),
                page.input_value("checkout_token").unwrap(),
            ),
            ("card_name".into(), "Ada Lovelace".into()),
            ("card_number".into(), GOOD_CARD.into()),
            ("card_expiry".into(), "12/30".into()),
            ("card_cvc".into(), "123".into()),
        ];
        for (k, v) in choices {
            fields.push(((*k).into(), (*v).into()));
        }
        // The totals for these choices, as "Update the totals" shows them.
        let mut update = fields.clone();
        update.push(("update".into(), "1".into()));
        let refs: Vec<(&str, &str)> = update
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let res = self.post_form_as(b, "/checkout", &refs).await;
        assert_eq!(res.status(), 200);
        let page = Html::parse(&res.text().await.unwrap());
        fields.push((
            "expected_total_cents".into(),
            page.input_value("expected_total_cents").unwrap(),
        ));
        let refs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.post_form_as(b, "/checkout", &refs).await
    }
}

#[tokio::test]
async fn customers_keep_an_address_book_with_defaults_and_bad_input_changes_nothing() {
    let app = TestApp::spawn().await;
    let res = app.get("/account/addresses").await;
    assert!(location(&res).starts_with("/login?next="));
    let (_, b) = app.signed_in("ada").await;
    let res = app
        .add_address(
            &b,
            &[
                ("name", "".into()),
                ("street", "".into()),
                ("postcode", "!!".into()),
                ("city", "Berlin".into()),
                ("country", "XX".into()),
                ("phone", "123".into()),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = Html::parse(&res.text().await.unwrap());
    assert_eq!(
        page.texts(".error-summary li").len(),
        5,
        "{:?}",
        page.texts(".error-summary li")
    );
    assert_eq!(page.input_value("city").as_deref(), Some("Berlin"));
    assert!(app.address_ids("ada").await.is_empty());

    let res = app
        .add_address(
            &b,
            &address("Ada Lovelace", "12 Analytical Row", "10115", "Berlin", "DE"),
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = app
        .add_address(
            &b,
            &address("Ada at Work", "1 Engine Yard", "1010", "Wien", "AT"),
        )
        .await;
    assert_eq!(res.status(), 303);
    let ids = app.address_ids("ada").await;
    assert_eq!(ids.len(), 2);
    let page = app.get_html(&b, "/account/addresses").await;
    assert_eq!(
        page.texts(".address-list .badge"),
        ["Default shipping", "Default billing"],
        "the first address is the default for both"
    );
    let res = app
        .post_form_as(
            &b,
            &format!("/account/addresses/{}/default", ids[1]),
            &[("kind", "shipping")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let page = app.get_html(&b, "/account/addresses").await;
    assert!(page.text_of(".address-list").contains("Wien"));
    let badges: Vec<String> = page
        .select(".address-list > li")
        .iter()
        .map(|li| li.text().collect::<String>())
        .collect();
    assert!(badges[0].contains("Default billing") && !badges[0].contains("Default shipping"));
    assert!(badges[1].contains("Default shipping"));

    // Changing one: the form comes filled in; bad input keeps the values; good input saves.
    let edit = app
        .get_html(&b, &format!("/account/addresses/{}/edit", ids[1]))
        .await;
    assert_eq!(edit.input_value("city").as_deref(), Some("Wien"));
    let mut changed = address("Ada at Work", "2 Engine Yard", "1010", "Wien", "AT");
    changed.push(("phone", "12".into()));
    let refs: Vec<(&str, &str)> = changed.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let path = format!("/account/addresses/{}", ids[1]);
    let res = app.post_form_as(&b, &path, &refs).await;
    assert_eq!(res.status(), 422);
    let page = Html::parse(&res.text().await.unwrap());
    assert_eq!(page.input_value("street").as_deref(), Some("2 Engine Yard"));
    let res = app.post_form_as(&b, &path, &refs[..5]).await;
    assert_eq!(res.status(), 303);
    assert!(
        app.get_html(&b, "/account/addresses")
            .await
            .text_of(".address-list")
            .contains("2 Engine Yard")
    );
    // Another customer can neither see, change, use nor delete them.
    let (_, eve) = app.signed_in("eve").await;
    let res = app
        .get_as(&eve, &format!("/account/addresses/{}/edit", ids[0]))
        .await;
    assert_eq!(res.status(), 404);
    for path in [
        format!("/account/addresses/{}/delete", ids[0]),
        format!("/account/addresses/{}/default", ids[0]),
        format!("/account/addresses/{}", ids[0]),
    ] {
        let mut fields = address("Eve", "1 Road", "12345", "Berlin", "DE");
        fields.push(("kind", "billing".into()));
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = app.post_form_as(&eve, &path, &refs).await;
        assert_eq!(res.status(), 404, "{path}");
    }
    assert!(
        app.get_html(&b, "/account/addresses")
            .await
            .text_of(".address-list")
            .contains("12 Analytical Row")
    );
    assert_eq!(app.address_ids("ada").await.len(), 2);
    let res = app
        .post_form_as(&b, &format!("/account/addresses/{}/delete", ids[1]), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.address_ids("ada").await, [ids[0]]);
}

#[tokio::test]
async fn checkout_ships_express_to_a_second_address_and_bills_the_first() {
    let app = TestApp::spawn().await;
    let lamp = app
        .product("Brass Lamp", "Oakridge", "Lighting", 2000, 5)
        .await;
    let (_, b) = app.signed_in("ada").await;
    app.add_address(
        &b,
        &address("Ada Lovelace", "12 Analytical Row", "10115", "Berlin", "DE"),
    )
    .await;
    app.add_address(
        &b,
        &address("Ada at Work", "1 Engine Yard", "1010", "Wien", "AT"),
    )
    .await;
    let ids = app.address_ids("ada").await;
    app.add_to_cart(&b, lamp, 1).await;
    // At home (the default) three methods are offered; in Austria two, at other prices.
    let page = app.get_html(&b, "/checkout").await;
    assert_eq!(
        page.texts("#shipping_method strong"),
        [
            "Standard delivery",
            "Express delivery",
            "Pick-up at the shop"
        ]
    );
    assert_eq!(
        page.input_value("expected_total_cents").as_deref(),
        Some("2495")
    );
    let office = ids[1].to_string();
    let home = ids[0].to_string();
    let res = app
        .checkout_with(
            &b,
            &[
                ("address_id", &office),
                ("shipping_method", "express"),
                ("billing_address_id", &home),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let id = location(&res).trim_start_matches("/orders/").to_string();
    let (country, method, shipping, total, address, billing): (String, String, i64, i64, String, Option<String>) =
        sqlx::query_as(
            "SELECT shipping_country, shipping_method, shipping_cents, total_cents, shipping_address, billing_address FROM orders",
        )
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!((country.as_str(), method.as_str()), ("AT", "express"));
    assert_eq!((shipping, total), (1995, 3995));
    assert_eq!(address, "Ada at Work\n1 Engine Yard\n1010 Wien\nAustria");
    assert_eq!(
        billing.as_deref(),
        Some("12 Analytical Row\n10115 Berlin\nGermany")
    );
    let order = app.get_html(&b, &format!("/orders/{id}")).await;
    assert!(order.text_of(".details").contains("Express delivery"));
    assert!(order.text_of(".details").contains("1 Engine Yard"));
    let invoice = app.get_html(&b, &format!("/orders/{id}/invoice")).await;
    assert!(
        invoice.text_of("section").contains("10115 Berlin"),
        "billed to the first address"
    );
    // Deleting the address later changes no order.
    app.post_form_as(&b, &format!("/account/addresses/{office}/delete"), &[])
        .await;
    let again = app.get_html(&b, &format!("/orders/{id}")).await;
    assert!(again.text_of(".details").contains("1 Engine Yard"));
}

#[tokio::test]
async fn a_method_the_country_is_not_offered_is_refused_and_thresholds_apply() {
    let app = TestApp::spawn().await;
    let lamp = app
        .product("Brass Lamp", "Oakridge", "Lighting", 2000, 50)
        .await;
    let guest = app.new_browser();
    app.add_to_cart(&guest, lamp, 1).await;
    let before = app.order_count().await;
    let res = app
        .checkout_with(
            &guest,
            &[
                ("email", "guest@example.com"),
                (
                    "shipping_address",
                    "Grace Hopper\n1 Navy Yard\nArlington VA 22201",
                ),
                ("shipping_country", "US"),
                ("shipping_method", "pickup"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = Html::parse(&res.text().await.unwrap());
    assert!(
        page.text_of("#shipping_method-error")
            .contains("not available for deliveries to United States")
    );
    assert_eq!(app.order_count().await, before);
    // The page now offers what the United States get.
    assert_eq!(page.texts("#shipping_method strong"), ["Standard delivery"]);
    let res = app
        .checkout_with(
            &guest,
            &[
                ("email", "guest@example.com"),
                (
                    "shipping_address",
                    "Grace Hopper\n1 Navy Yard\nArlington VA 22201",
                ),
                ("shipping_country", "US"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT shipping_cents FROM orders")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap(),
        2495
    );
    // The e-invoice names the buyer's country: where the order went, as it was billed there.
    let xml = app
        .get_as(&guest, &format!("{}/invoice.xml", location(&res)))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        xml.contains("<ram:BuyerTradeParty>") && xml.contains("<ram:CountryID>US</ram:CountryID>"),
        "{xml}"
    );
    // An unknown country is an input error.
    app.add_to_cart(&guest, lamp, 3).await;
    let res = app
        .checkout_with(
            &guest,
            &[
                ("email", "guest@example.com"),
                ("shipping_address", "Somewhere"),
                ("shipping_country", "Atlantis"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    // Standard to Germany is free from 50.00 (three lamps: 60.00).
    let res = app
        .checkout_with(
            &guest,
            &[
                ("email", "guest@example.com"),
                ("shipping_address", "1 Road\n10115 Berlin"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let shipping: i64 =
        sqlx::query_scalar("SELECT shipping_cents FROM orders ORDER BY id DESC LIMIT 1")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(shipping, 0);
}

#[tokio::test]
async fn staff_set_shipping_prices_and_switch_methods_off() {
    let app = TestApp::spawn().await;
    let lamp = app
        .product("Brass Lamp", "Oakridge", "Lighting", 2000, 50)
        .await;
    let admin = app.admin().await;
    let page = app.get_html(&admin, "/admin/shipping").await;
    assert_eq!(page.input_value("price").as_deref(), Some("4.95"));
    let rate: i64 = sqlx::query_scalar(
        "SELECT r.id FROM shipping_rates r JOIN shipping_methods m ON m.id = r.method_id WHERE m.code = 'standard' AND r.countries = 'DE'",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    let res = app
        .post_form_as(
            &admin,
            &format!("/admin/shipping/rates/{rate}"),
            &[("price", "-1"), ("free_over", "")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("The amount cannot be negative.")
    );
    let res = app
        .post_form_as(
            &admin,
            &format!("/admin/shipping/rates/{rate}"),
            &[("price", "5.95"), ("free_over", "")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let express: i64 = sqlx::query_scalar("SELECT id FROM shipping_methods WHERE code = 'express'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let res = app
        .post_form_as(
            &admin,
            &format!("/admin/shipping/methods/{express}/active"),
            &[("active", "0")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, b) = app.signed_in("ada").await;
    app.add_to_cart(&b, lamp, 3).await;
    let page = app.get_html(&b, "/checkout").await;
    assert_eq!(
        page.texts("#shipping_method strong"),
        ["Standard delivery", "Pick-up at the shop"]
    );
    // No threshold any more: 5.95 even at 60.00.
    assert_eq!(
        page.input_value("expected_total_cents").as_deref(),
        Some("6595")
    );
    // Catalogue staff do not set shipping prices.
    let cat = app
        .staff("cat", &[emporium::domain::StaffRole::Catalog])
        .await;
    assert_eq!(app.get_as(&cat, "/admin/shipping").await.status(), 403);
}

#[tokio::test]
async fn the_api_places_an_order_to_a_saved_address_with_a_chosen_method() {
    let app = TestApp::spawn().await;
    let lamp = app
        .product("Brass Lamp", "Oakridge", "Lighting", 2000, 5)
        .await;
    let token = app.api_token("ada").await;
    let bad = app
        .api(
            reqwest::Method::POST,
            "/api/v1/addresses",
            Some(&token),
            Some(json!({"name": "", "street": "x", "postcode": "1", "city": "Wien", "country": "XX"})),
        )
        .await;
    assert_eq!(bad.status(), 400);
    let body: Value = bad.json().await.unwrap();
    assert!(body["errors"]["country"].is_array());
    let res = app
        .api(
            reqwest::Method::POST,
            "/api/v1/addresses",
            Some(&token),
            Some(json!({"name": "Ada at Work", "street": "1 Engine Yard", "postcode": "1010", "city": "Wien", "country": "at"})),
        )
        .await;
    assert_eq!(res.status(), 201);
    let book: Value = res.json().await.unwrap();
    assert_eq!(book[0]["country"], "AT");
    assert_eq!(book[0]["default_shipping"], true);
    let id = book[0]["id"].as_i64().unwrap();
    app.api_cart_add(Some(&token), json!({"product_id": lamp, "quantity": 1}))
        .await;
    // The cart is priced for the default address: standard to Austria.
    let cart: Value = app.api_cart(Some(&token)).await.json().await.unwrap();
    assert_eq!(cart["shipping_cents"], 995);
    let res = app
        .api_place_order(
            Some(&token),
            json!({
                "address_id": id,
                "shipping_method": "express",
                "card_name": "Ada", "card_number": GOOD_CARD, "card_expiry": "12/30", "card_cvc": "123",
                "expected_total_cents": 2000 + 1995
            }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let order: Value = res.json().await.unwrap();
    assert_eq!(order["shipping_cents"], 1995);
    assert_eq!(order["shipping_method"], "express");
    assert_eq!(order["shipping_country"], "AT");
}
