use crate::helpers::{TestApp, location};

#[tokio::test]
async fn another_customers_order_and_invoice_do_not_exist() {
    let app = TestApp::spawn().await;
    let p = app
        .product("Oak Bowl", "Oakridge", "Kitchen", 1500, 5)
        .await;
    let (_, alice) = app.signed_in("alice").await;
    let id = app.bought(&alice, p, 1).await;
    let (_, bob) = app.signed_in("bob").await;
    for path in [
        format!("/orders/{id}"),
        format!("/orders/{id}/invoice"),
        format!("/orders/{id}/invoice.pdf"),
        format!("/orders/{}", id + 1),
        "/orders/abc".into(),
    ] {
        assert_eq!(app.get_as(&bob, &path).await.status(), 404, "{path}");
    }
    let res = app
        .post_form_as(&bob, &format!("/orders/{id}/cancel"), &[])
        .await;
    assert_eq!(res.status(), 404);
    assert!(
        !app.get_as(&bob, "/orders")
            .await
            .text()
            .await
            .unwrap()
            .contains(&format!("#{id}"))
    );
    let guest = app.get(&format!("/orders/{id}")).await;
    assert_eq!(guest.status(), 303);
    let status: String = sqlx::query_scalar("SELECT status FROM orders")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(status, "paid");
}

#[tokio::test]
async fn the_invoice_matches_the_order_to_the_cent_and_never_changes() {
    let app = TestApp::spawn().await;
    let a = app
        .product("Copper Kettle — large", "Hearth", "Kitchen", 3333, 5)
        .await;
    let b_ = app
        .product("Zoë's Mug", "Oakridge", "Kitchen", 1299, 5)
        .await;
    let (_, b) = app.signed_in("ada").await;
    app.add_to_cart(&b, a, 1).await;
    app.add_to_cart(&b, b_, 1).await;
    let res = app.pay(&b, "5555 5555 5555 4444").await;
    let order = location(&res);
    let (total, net, vat): (i64, i64, i64) =
        sqlx::query_as("SELECT total_cents, net_cents, vat_cents FROM orders")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    // 33.33 + 12.99 = 46.32 + 4.95 shipping = 51.27; net = round(5127 / 1.19) = 4308; VAT 819.
    assert_eq!((total, net, vat), (5127, 4308, 819));
    let html = app
        .get_as(&b, &format!("{order}/invoice"))
        .await
        .text()
        .await
        .unwrap();
    for s in [
        "Invoice 20",
        "€51.27",
        "€43.08",
        "€8.19",
        "€4.95",
        "Mastercard •••• 4444",
        "Emporium GmbH",
        "VAT ID",
    ] {
        assert!(html.contains(s), "invoice page lacks {s}");
    }
    let pdf = app.get_as(&b, &format!("{order}/invoice.pdf")).await;
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    // A download with a file name, not a page that replaces the shop.
    let disposition = pdf.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.starts_with("attachment; filename=\"invoice-")
            && disposition.ends_with(".pdf\""),
        "{disposition}"
    );
    let bytes = pdf.bytes().await.unwrap();
    // Kept as an artefact for people to look at.
    let _ = std::fs::write(
        concat!(env!("CARGO_MANIFEST_DIR"), "/target/invoice-sample.pdf"),
        &bytes,
    );
    let text = pdf_extract::extract_text_from_mem(&bytes).expect("the PDF parses");
    for s in [
        "Invoice",
        "51.27",
        "43.08",
        "8.19",
        "Zoë's Mug",
        "Ada Lovelace",
    ] {
        assert!(text.contains(s), "PDF text lacks {s}: {text}");
    }
    // A later product change touches no issued invoice.
    sqlx::query("UPDATE products SET name = 'Renamed', price_cents = 1 WHERE id = $1")
        .bind(a)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let again = app
        .get_as(&b, &format!("{order}/invoice"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        again.contains("Copper Kettle — large")
            && again.contains("€51.27")
            && !again.contains("Renamed")
    );
}

#[tokio::test]
async fn invoice_numbers_follow_each_other_without_gaps() {
    let app = TestApp::spawn().await;
    let p = app
        .product("Oak Bowl", "Oakridge", "Kitchen", 1500, 50)
        .await;
    let (_, b) = app.signed_in("ada").await;
    app.bought(&b, p, 1).await;
    // A declined attempt in between takes no number.
    app.add_to_cart(&b, p, 1).await;
    assert_eq!(app.pay(&b, "4000000000000002").await.status(), 402);
    assert_eq!(app.pay(&b, crate::helpers::GOOD_CARD).await.status(), 303);
    app.bought(&b, p, 1).await;
    let numbers: Vec<String> = sqlx::query_scalar("SELECT number FROM invoices ORDER BY id")
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    let year = app.state.clock.now().year();
    assert_eq!(
        numbers,
        [
            format!("{year}-000001"),
            format!("{year}-000002"),
            format!("{year}-000003")
        ]
    );
}

#[tokio::test]
async fn cancelling_puts_the_stock_back_once_even_when_clicked_twice_at_once() {
    let app = TestApp::spawn().await;
    let p = app
        .product("Oak Bowl", "Oakridge", "Kitchen", 1500, 5)
        .await;
    let (user, b) = app.signed_in("ada").await;
    let id = app.bought(&b, p, 2).await;
    assert_eq!(app.stock(p).await, 3);
    let csrf = app.csrf_token(&b).await;
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (client, url, csrf) = (
            b.client.clone(),
            app.url(&format!("/orders/{id}/cancel")),
            csrf.clone(),
        );
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .form(&[("csrf_token", csrf)])
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
    assert_eq!(statuses, [303, 409, 409, 409]);
    assert_eq!(app.stock(p).await, 5, "restored exactly once");
    let html = app
        .get_as(&b, &format!("/orders/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Cancelled by the customer") && html.contains("(refunded)"));
    assert!(
        app.mails_to(&user.email)
            .await
            .iter()
            .any(|m| m.subject.contains("was cancelled"))
    );
}

#[tokio::test]
async fn an_admin_moves_orders_on_by_the_rules_and_customers_are_told() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let p = app
        .product("Oak Bowl", "Oakridge", "Kitchen", 1500, 5)
        .await;
    let (user, b) = app.signed_in("ada").await;
    let id = app.bought(&b, p, 1).await;
    let path = format!("/admin/orders/{id}/status");
    // Shipping needs a tracking number; skipping a step is refused.
    let res = app
        .post_form_as(
            &admin,
            &path,
            &[("status", "shipped"), ("tracking_number", "")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("tracking number"));
    let res = app
        .post_form_as(&admin, &path, &[("status", "delivered")])
        .await;
    assert_eq!(res.status(), 409);
    let res = app
        .post_form_as(&admin, &path, &[("status", "bogus")])
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .post_form_as(
            &admin,
            &path,
            &[("status", "shipped"), ("tracking_number", "DHL-123456")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert!(
        app.mails_to(&user.email)
            .await
            .iter()
            .any(|m| m.subject.contains("has shipped") && m.text.contains("DHL-123456"))
    );
    // Too late for the customer to cancel.
    let res = app
        .post_form_as(&b, &format!("/orders/{id}/cancel"), &[])
        .await;
    assert_eq!(res.status(), 409);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("can no longer be cancelled")
    );
    // Shipped: it can no longer be cancelled, but delivered, then refunded, and never paid again.
    for (to, status) in [
        ("cancelled", 409),
        ("delivered", 303),
        ("refunded", 303),
        ("paid", 409),
    ] {
        let res = app.post_form_as(&admin, &path, &[("status", to)]).await;
        assert_eq!(res.status(), status, "to {to}");
    }
    let html = app
        .get_as(&b, &format!("/orders/{id}"))
        .await
        .text()
        .await
        .unwrap();
    for s in [
        "Order placed",
        "Payment received",
        "Shipped, tracking number DHL-123456",
        "Delivered",
        "Refunded",
        "(refunded)",
    ] {
        assert!(html.contains(s), "tracking view lacks {s}");
    }
    assert!(
        app.mails_to(&user.email)
            .await
            .iter()
            .any(|m| m.subject.contains("was refunded"))
    );
    let audit: Vec<String> =
        sqlx::query_scalar("SELECT details FROM audit_log WHERE entity = 'order' ORDER BY id")
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(
        audit,
        [
            "paid → shipped (DHL-123456)",
            "shipped → delivered",
            "delivered → refunded"
        ]
    );
    assert_eq!(app.stock(p).await, 4, "a refund does not restock");
}

#[tokio::test]
async fn the_admin_order_list_filters_by_status_and_searches() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let p = app
        .product("Oak Bowl", "Oakridge", "Kitchen", 1500, 9)
        .await;
    let (_, ada) = app.signed_in("ada").await;
    let first = app.bought(&ada, p, 1).await;
    let (_, bob) = app.signed_in("bob").await;
    let second = app.bought(&bob, p, 1).await;
    app.post_form_as(&bob, &format!("/orders/{second}/cancel"), &[])
        .await;
    let html = app
        .get_as(&admin, "/admin/orders")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!(r#"href="/admin/orders/{first}""#))
            && html.contains(&format!(r#"href="/admin/orders/{second}""#))
    );
    let html = app
        .get_as(&admin, "/admin/orders?status=cancelled")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("1 order.") && html.contains(&format!("#{second}")));
    let html = app
        .get_as(&admin, "/admin/orders?q=bob%40example")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("1 order.") && html.contains("bob@example.com"));
    let html = app
        .get_as(&admin, &format!("/admin/orders?q=%23{first}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("1 order."));
    assert_eq!(
        app.get_as(&admin, "/admin/orders?q=%25_%27&status=nonsense&page=-3")
            .await
            .status(),
        200
    );
    assert_eq!(app.get_as(&ada, "/admin/orders").await.status(), 403);
    assert_eq!(
        app.get_as(&admin, &format!("/admin/orders/{first}"))
            .await
            .status(),
        200
    );
    assert_eq!(
        app.get_as(&admin, "/admin/orders/999999").await.status(),
        404
    );
}

#[tokio::test]
async fn a_product_that_was_ordered_is_deactivated_instead_of_deleted() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let p = app
        .product("Oak Bowl", "Oakridge", "Kitchen", 1500, 9)
        .await;
    let (_, b) = app.signed_in("ada").await;
    let id = app.bought(&b, p, 1).await;
    let res = app
        .post_form_as(&admin, &format!("/admin/products/{p}/delete"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert!(
        app.get_as(&admin, "/admin/products")
            .await
            .text()
            .await
            .unwrap()
            .contains("deactivated instead of deleted")
    );
    assert_eq!(app.get(&format!("/products/{p}")).await.status(), 404);
    let active: i64 = sqlx::query_scalar("SELECT active FROM products")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(active, 0);
    assert!(
        app.get_as(&b, &format!("/orders/{id}"))
            .await
            .text()
            .await
            .unwrap()
            .contains("Oak Bowl")
    );
}

#[tokio::test]
async fn refunding_before_shipping_restocks_and_saving_a_product_keeps_sales() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let p = app
        .product("Oak Bowl", "Oakridge", "Kitchen", 1500, 10)
        .await;
    // The admin opens the edit form while stock is 10…
    let form_html = app
        .get_as(&admin, &format!("/admin/products/{p}/edit"))
        .await
        .text()
        .await
        .unwrap();
    assert!(form_html.contains(r#"name="stock_original" value="10""#));
    // …a customer buys 3…
    let (_, b) = app.signed_in("ada").await;
    let id = app.bought(&b, p, 3).await;
    assert_eq!(app.stock(p).await, 7);
    // …and the admin saves a new description with the stock field untouched.
    let form = reqwest::multipart::Form::new()
        .text("name", "Oak Bowl")
        .text("description", "Now oiled.")
        .text("brand", "Oakridge")
        .text("category", "Kitchen")
        .text("price", "15.00")
        .text("stock", "10")
        .text("stock_original", "10")
        .text("active", "on");
    assert_eq!(
        app.post_multipart(&admin, &format!("/admin/products/{p}"), form)
            .await
            .status(),
        303
    );
    assert_eq!(app.stock(p).await, 7, "the sale was not undone");
    // A refund before shipping puts the units back.
    let res = app
        .post_form_as(
            &admin,
            &format!("/admin/orders/{id}/status"),
            &[("status", "refunded")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.stock(p).await, 10);
    let status: String = sqlx::query_scalar("SELECT status FROM orders")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(status, "refunded");
    assert_eq!(
        app.get_as(&admin, "/admin/orders?page=9223372036854775807")
            .await
            .status(),
        200
    );
}
