use crate::helpers::{GOOD_CARD, TestApp, assert_is_redirect_to, location};

#[tokio::test]
async fn checkout_prefills_a_customers_address_and_tells_guests_signing_in_is_optional() {
    let app = TestApp::spawn().await;
    let p = app
        .product("Oak Bowl", "Oakridge", "Kitchen", 1500, 3)
        .await;
    // A guest without a cart is sent to the cart; with one, gets the form with an email field.
    assert_is_redirect_to(&app.get_as(&app.new_browser(), "/checkout").await, "/cart");
    app.add_to_cart(&app.browser, p, 1).await;
    let page = app.get_html(&app.browser, "/checkout").await;
    assert!(page.text_of("main").contains("Signing in is optional"));
    assert!(page.select("#email[type=email][autocomplete=email]").len() == 1);
    assert_eq!(
        page.select("#card_number[inputmode=numeric][autocomplete=cc-number]")
            .len(),
        1
    );
    let (_, b) = app.signed_in("ada").await;
    app.add_to_cart(&b, p, 1).await;
    let html = app.get_as(&b, "/checkout").await.text().await.unwrap();
    assert!(
        html.contains("12 Analytical Row"),
        "address from the profile"
    );
    assert!(
        html.contains("Oak Bowl") && html.contains("€19.95"),
        "review of lines and totals"
    );
}

#[tokio::test]
async fn a_good_card_places_a_paid_order_with_history_invoice_and_mail() {
    let app = TestApp::spawn().await;
    let p = app
        .product("Oak Bowl", "Oakridge", "Kitchen", 1500, 5)
        .await;
    let (user, b) = app.signed_in("ada").await;
    // The listing is cached now; the purchase must refresh it.
    assert!(
        app.get("/products")
            .await
            .text()
            .await
            .unwrap()
            .contains("Only 5 left")
    );
    app.add_to_cart(&b, p, 2).await;
    let res = app.pay(&b, GOOD_CARD).await;
    assert_eq!(res.status(), 303);
    assert!(
        app.get("/products")
            .await
            .text()
            .await
            .unwrap()
            .contains("Only 3 left"),
        "stale listing"
    );
    let order_path = location(&res);
    assert!(order_path.starts_with("/orders/"));
    assert_eq!(app.stock(p).await, 3);
    let page = app.get_as(&b, &order_path).await.text().await.unwrap();
    for s in [
        "Order #",
        "Paid",
        "Order placed",
        "Payment received (Visa •••• 4242)",
        "€30.00",
        "€34.95",
        "Visa •••• 4242",
        "Invoice 20",
    ] {
        assert!(page.contains(s), "order page lacks {s}");
    }
    assert!(
        app.get_as(&b, "/cart")
            .await
            .text()
            .await
            .unwrap()
            .contains("Your cart is empty")
    );
    // Only brand and last four digits are stored.
    let (brand, last4): (String, String) =
        sqlx::query_as("SELECT card_brand, card_last4 FROM orders")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!((brand.as_str(), last4.as_str()), ("Visa", "4242"));
    assert!(!crate::helpers::captured_logs().contains("4242 4242 4242 4242"));
    let mail = app
        .mails_to(&user.email)
        .await
        .into_iter()
        .find(|m| m.subject.contains("is confirmed"))
        .expect("confirmation");
    assert_eq!(mail.attachments.len(), 1);
    assert!(mail.attachments[0].starts_with("invoice-20") && mail.attachments[0].ends_with(".pdf"));
    let listing = app.get_as(&b, "/orders").await.text().await.unwrap();
    assert!(listing.contains(&format!(r#"href="{order_path}""#)));
}

#[tokio::test]
async fn declined_cards_and_card_input_errors_change_nothing() {
    let app = TestApp::spawn().await;
    let p = app
        .product("Oak Bowl", "Oakridge", "Kitchen", 1500, 5)
        .await;
    let (_, b) = app.signed_in("ada").await;
    app.add_to_cart(&b, p, 2).await;
    for (card, status, message) in [
        ("4000 0000 0000 0002", 402, "Your card was declined"),
        ("4000000000009995", 402, "insufficient funds"),
    ] {
        let res = app.pay(&b, card).await;
        assert_eq!(res.status(), status, "{card}");
        assert!(res.text().await.unwrap().contains(message), "{card}");
    }
    for (card, expiry, cvc, message) in [
        ("4242 4242 4242 4241", "12/30", "123", "not valid"),
        ("4242 4242 4242 4242", "01/20", "123", "expired"),
        ("4242 4242 4242 4242", "12/30", "12", "3 or 4 digits"),
        ("", "", "", "Enter the card number"),
    ] {
        let token = app.checkout_token(&b).await;
        let res = app.pay_with_token(&b, &token, card, expiry, cvc).await;
        assert_eq!(res.status(), 422, "{card} {expiry} {cvc}");
        let html = res.text().await.unwrap();
        assert!(html.contains(message), "{message}");
        assert!(
            !html.contains(r#"value="4242"#) && !html.contains(r#"value="12""#),
            "card number and code are never echoed"
        );
    }
    assert_eq!(app.stock(p).await, 5);
    assert_eq!(app.order_count().await, 0);
    let qty: i64 = sqlx::query_scalar("SELECT quantity FROM cart_items")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(qty, 2, "the cart is kept");
    let outcomes: Vec<String> = sqlx::query_scalar("SELECT outcome FROM payments ORDER BY id")
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(
        outcomes,
        ["declined", "insufficient_funds"],
        "failed attempts are kept for the record"
    );
    // Afterwards a good card works.
    assert_eq!(app.pay(&b, GOOD_CARD).await.status(), 303);
}

#[tokio::test]
async fn submitting_the_same_checkout_twice_makes_one_order() {
    let app = TestApp::spawn().await;
    let p = app
        .product("Oak Bowl", "Oakridge", "Kitchen", 1500, 5)
        .await;
    let (_, b) = app.signed_in("ada").await;
    app.add_to_cart(&b, p, 1).await;
    let token = app.checkout_token(&b).await;
    let first = app
        .pay_with_token(&b, &token, GOOD_CARD, "12/30", "123")
        .await;
    let second = app
        .pay_with_token(&b, &token, GOOD_CARD, "12/30", "123")
        .await;
    assert_eq!(first.status(), 303);
    assert_eq!(second.status(), 303);
    assert_eq!(location(&first), location(&second));
    assert_eq!(app.order_count().await, 1);
    assert_eq!(app.stock(p).await, 4);
    // And at the same moment.
    app.add_to_cart(&b, p, 1).await;
    let form = app.checkout_form(&b).await.fields(GOOD_CARD);
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (client, url, form) = (b.client.clone(), app.url("/checkout"), form.clone());
        tasks.push(tokio::spawn(async move {
            let res = client.post(url).form(&form).send().await.unwrap();
            (res.status().as_u16(), location(&res))
        }));
    }
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    assert!(results.iter().all(|(s, _)| *s == 303), "{results:?}");
    assert!(
        results.windows(2).all(|w| w[0].1 == w[1].1),
        "all land on the same order: {results:?}"
    );
    assert_eq!(app.order_count().await, 2);
    assert_eq!(app.stock(p).await, 3);
}

#[tokio::test]
async fn customers_racing_for_the_last_units_never_oversell() {
    let app = TestApp::spawn().await;
    let p = app.product("Last Lamp", "Lumen", "Lighting", 3000, 3).await;
    let mut buyers = Vec::new();
    for i in 0..8 {
        let (_, b) = app.signed_in(&format!("buyer{i}")).await;
        app.add_to_cart(&b, p, 1).await;
        let form = app.checkout_form(&b).await.fields(GOOD_CARD);
        buyers.push((b, form));
    }
    let mut tasks = Vec::new();
    for (b, form) in buyers {
        let url = app.url("/checkout");
        tasks.push(tokio::spawn(async move {
            let res = b.client.post(url).form(&form).send().await.unwrap();
            let status = res.status().as_u16();
            (status, res.text().await.unwrap())
        }));
    }
    let mut ok = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            303 => ok += 1,
            409 => assert!(body.contains("Last Lamp"), "the short line is named"),
            other => panic!("unexpected status {other}: {body}"),
        }
    }
    assert_eq!(ok, 3);
    assert_eq!(app.stock(p).await, 0);
    assert_eq!(app.order_count().await, 3);
}

#[tokio::test]
async fn an_empty_cart_or_a_forged_token_cannot_check_out() {
    let app = TestApp::spawn().await;
    let (_, b) = app.signed_in("ada").await;
    let res = app.get_as(&b, "/checkout").await;
    assert_eq!(location(&res), "/cart");
    let res = app
        .pay_with_token(&b, &"a".repeat(64), GOOD_CARD, "12/30", "123")
        .await;
    assert_eq!(res.status(), 409);
    let res = app
        .pay_with_token(&b, "short", GOOD_CARD, "12/30", "123")
        .await;
    assert_eq!(res.status(), 409);
    assert_eq!(app.order_count().await, 0);
}

#[tokio::test]
async fn a_total_that_changed_after_the_page_was_shown_is_not_charged() {
    let app = TestApp::spawn().await;
    let p = app
        .product("Oak Bowl", "Oakridge", "Kitchen", 1500, 5)
        .await;
    let (_, b) = app.signed_in("ada").await;
    app.add_to_cart(&b, p, 1).await;
    let page = app.get_html(&b, "/checkout").await;
    let grab = |name: &str| page.input_value(name).unwrap();
    let (token, expected) = (grab("checkout_token"), grab("expected_total_cents"));
    assert_eq!(expected, "1995");
    sqlx::query("UPDATE products SET price_cents = 2500 WHERE id = $1")
        .bind(p)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let csrf = app.csrf_token(&b).await;
    let form = [
        ("checkout_token", token.as_str()),
        ("expected_total_cents", expected.as_str()),
        ("shipping_address", "1 Road"),
        ("card_name", "Ada"),
        ("card_number", "4242424242424242"),
        ("card_expiry", "12/30"),
        ("card_cvc", "123"),
        ("csrf_token", csrf.as_str()),
    ];
    let res = b
        .client
        .post(app.url("/checkout"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("the total is now €29.95")
            && html.contains(r#"name="expected_total_cents" value="2995""#)
    );
    assert_eq!(app.order_count().await, 0);
    assert_eq!(app.stock(p).await, 5);
    let payments: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payments")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(payments, 0, "nothing was charged");
}

#[tokio::test]
async fn two_tabs_checking_out_one_cart_make_one_order() {
    let app = TestApp::spawn().await;
    let p = app
        .product("Oak Bowl", "Oakridge", "Kitchen", 1500, 50)
        .await;
    let (_, b) = app.signed_in("ada").await;
    app.add_to_cart(&b, p, 2).await;
    // Two tabs: two forms of the same cart.
    let forms = [
        app.checkout_form(&b).await.fields(GOOD_CARD),
        app.checkout_form(&b).await.fields(GOOD_CARD),
    ];
    let mut tasks = Vec::new();
    for form in forms {
        let (client, url) = (b.client.clone(), app.url("/checkout"));
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .form(&form)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses.sort();
    assert_eq!(
        statuses,
        [303, 409],
        "one order, the other tab finds the cart empty"
    );
    assert_eq!(app.order_count().await, 1);
    assert_eq!(app.stock(p).await, 48);
}

#[tokio::test]
async fn a_checkout_that_does_not_vouch_for_its_total_charges_nothing() {
    let app = TestApp::spawn().await;
    let p = app
        .product("Oak Bowl", "Oakridge", "Kitchen", 1500, 5)
        .await;
    let (_, b) = app.signed_in("ada").await;
    app.add_to_cart(&b, p, 1).await;
    let mut fields = app.checkout_form(&b).await.fields(GOOD_CARD);
    fields.retain(|(k, _)| *k != "expected_total_cents");
    let res = b
        .client
        .post(app.url("/checkout"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Please check it and pay again")
    );
    assert_eq!(app.order_count().await, 0);
    assert_eq!(app.stock(p).await, 5);
}

/// A guest pays with an email address; the order opens in this browser and from the mailed
/// private link, and joins the account made with that address once it is confirmed.
#[tokio::test]
async fn a_guest_buys_follows_the_order_by_its_link_and_keeps_it_in_a_new_account() {
    let app = TestApp::spawn().await;
    let p = app
        .product("Oak Bowl", "Oakridge", "Kitchen", 1500, 3)
        .await;
    let guest = app.new_browser();
    app.add_to_cart(&guest, p, 2).await;
    let res = app.guest_checkout(&guest, "Vera@Example.com").await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let page = location(&res);
    let id: i64 = page.trim_start_matches("/orders/").parse().unwrap();
    assert_eq!(app.stock(p).await, 1, "stock taken as for customers");
    // The recommender's refresh takes an order without a customer in its stride.
    emporium::engagement::recommend::refresh::refresh(&app.state)
        .await
        .unwrap();
    // This browser opens the order, its invoice page and PDF.
    let order = app.get_html(&guest, &page).await;
    assert!(
        order
            .text_of("main")
            .contains("Keep this order in an account")
    );
    assert_eq!(
        app.get_as(&guest, &format!("{page}/invoice"))
            .await
            .status(),
        200
    );
    assert_eq!(
        app.get_as(&guest, &format!("{page}/invoice.pdf"))
            .await
            .status(),
        200
    );
    // Another browser is asked to sign in; the mailed link opens it there, then without the token.
    let other = app.new_browser();
    let res = app.get_as(&other, &page).await;
    assert!(location(&res).starts_with("/login?next="));
    let link = app.link_in_mail("vera@example.com", "is confirmed").await;
    assert!(link.starts_with(&format!("{page}?token=")), "{link}");
    let res = app.get_as(&other, &link).await;
    assert_is_redirect_to(&res, &page);
    assert_eq!(app.get_as(&other, &page).await.status(), 200);
    let res = app
        .get_as(&app.new_browser(), &format!("{page}?token=0000"))
        .await;
    assert_eq!(res.status(), 400);
    // A signed-in customer is told it does not exist.
    let (_, bob) = app.signed_in("bob").await;
    assert_eq!(app.get_as(&bob, &page).await.status(), 404);
    // An account made with that address, once confirmed, has the order.
    let res = app
        .register(&app.new_browser(), "vera", "vera@example.com")
        .await;
    assert_eq!(res.status(), 303);
    let owner: Option<i64> = sqlx::query_scalar("SELECT user_id FROM orders WHERE id = $1")
        .bind(id)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(owner, None, "not before the address is confirmed");
    let confirm = app
        .link_in_mail("vera@example.com", "Confirm your email")
        .await;
    assert_eq!(app.get(&confirm).await.status(), 303);
    let b = app.new_browser();
    let res = app.login_as(&b, "vera", crate::helpers::PASSWORD).await;
    assert_eq!(res.status(), 303);
    let mine = app.get_html(&b, "/orders").await;
    assert!(mine.links("main a").contains(&page));
    // Now the account's: neither the mailed link nor the browsers that opened it open it.
    assert_eq!(app.get_as(&app.new_browser(), &link).await.status(), 400);
    for b in [&guest, &other] {
        assert!(location(&app.get_as(b, &page).await).starts_with("/login?next="));
    }
}

/// A link opens only its own order; a guest can cancel by it; a customer who checks out as a
/// guest finds the order in the account at the next sign-in.
#[tokio::test]
async fn guest_links_open_only_their_order_and_join_an_existing_account_at_sign_in() {
    let app = TestApp::spawn().await;
    let p = app
        .product("Oak Bowl", "Oakridge", "Kitchen", 1500, 10)
        .await;
    // Ana has a confirmed account but buys without signing in, twice.
    let user = app.verified_user("ana").await;
    let (first_browser, second_browser) = (app.new_browser(), app.new_browser());
    app.add_to_cart(&first_browser, p, 1).await;
    let first = location(&app.guest_checkout(&first_browser, &user.email).await);
    app.add_to_cart(&second_browser, p, 1).await;
    let second = location(&app.guest_checkout(&second_browser, &user.email).await);
    // Two confirmations: their files may share a modification time, so find the second's by its
    // link rather than by which was written last.
    let base = app.state.settings.server.base_url.clone();
    let links: Vec<String> = app
        .mails_to(&user.email)
        .await
        .into_iter()
        .filter(|m| m.subject.contains("is confirmed"))
        .filter_map(|m| m.links().into_iter().next())
        .map(|l| l[base.len()..].to_string())
        .collect();
    assert_eq!(links.len(), 2, "{links:?}");
    let link = links
        .iter()
        .find(|l| l.starts_with(&format!("{second}?token=")))
        .unwrap_or_else(|| panic!("no confirmation links to {second}: {links:?}"));
    let token = link.split("token=").nth(1).unwrap();
    let res = app
        .get_as(&app.new_browser(), &format!("{first}?token={token}"))
        .await;
    assert_eq!(res.status(), 400, "a token for one order opens no other");
    // The guest cancels the first order from its page.
    let res = app
        .post_form_as(&first_browser, &format!("{first}/cancel"), &[])
        .await;
    assert_is_redirect_to(&res, &first);
    assert!(
        app.get_html(&first_browser, &first)
            .await
            .text_of("h1")
            .contains("Cancelled")
    );
    // Signing in gives the account both, and the guest links stop.
    let customer = app.new_browser();
    let res = app.login_as(&customer, &user.email, &user.password).await;
    assert_eq!(res.status(), 303);
    let mine = app.get_html(&customer, "/orders").await.links("main a");
    assert!(mine.contains(&first) && mine.contains(&second), "{mine:?}");
    assert!(location(&app.get_as(&second_browser, &second).await).starts_with("/login?next="));
    assert_eq!(app.get_as(&app.new_browser(), link).await.status(), 400);
}

#[tokio::test]
async fn a_guest_checkout_checks_the_email_and_is_limited_per_ip_address() {
    let app = TestApp::spawn_with(|s| s.security.guest_checkouts_per_ip_per_hour = 2).await;
    let p = app
        .product("Oak Bowl", "Oakridge", "Kitchen", 1500, 30)
        .await;
    let guest = app.new_browser();
    app.add_to_cart(&guest, p, 1).await;
    let res = app.guest_checkout(&guest, "not-an-address").await;
    assert_eq!(res.status(), 422);
    let page = crate::helpers::Html::parse(&res.text().await.unwrap());
    assert!(!page.select("#email-error").is_empty());
    assert_eq!(app.order_count().await, 0);
    // Two orders an hour from one address; the third is refused before it is charged.
    for i in 0..3 {
        let b = app.new_browser();
        app.add_to_cart(&b, p, 1).await;
        let res = app
            .guest_checkout(&b, &format!("buyer{i}@example.com"))
            .await;
        let expected = if i < 2 { 303 } else { 429 };
        assert_eq!(res.status(), expected, "checkout {i}");
    }
    assert_eq!(app.order_count().await, 2);
}
