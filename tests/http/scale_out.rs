//! Several instances on one database: they start together safely, share the keys they generate,
//! and behind a load balancer the client's address comes from a trusted proxy's headers only.

use emporium::config::Networks;

use crate::helpers::{TestApp, empty_database, free_port};

/// A failed sign-in (unknown account, a new one each time) as sent through a proxy that says
/// the client is `forwarded`; returns the status.
async fn fail_sign_in(app: &TestApp, n: usize, forwarded: &str) -> u16 {
    let b = app.new_browser();
    let token = app.csrf_token(&b).await;
    let email = format!("nobody{n}@example.com");
    b.client
        .post(app.url("/login"))
        .header("x-forwarded-for", forwarded)
        .form(&[
            ("email", email.as_str()),
            ("password", "Wrong-Pass-123"),
            ("csrf_token", token.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn only_a_trusted_proxy_names_the_client_for_throttling_and_audit() {
    // Nobody trusted: the header is ignored, so changing it does not escape the address's lock.
    let app = TestApp::spawn_with(|s| s.security.login_failures_per_ip = 2).await;
    assert_eq!(fail_sign_in(&app, 1, "198.51.100.1").await, 422);
    assert_eq!(fail_sign_in(&app, 2, "198.51.100.2").await, 422);
    assert_eq!(fail_sign_in(&app, 3, "198.51.100.3").await, 429);

    // The load balancer on 127.0.0.1 is trusted: each client has its own counter, and a forged
    // address prepended by the client changes nothing (the proxy appends what it saw).
    let app = TestApp::spawn_with(|s| {
        s.security.login_failures_per_ip = 2;
        s.server.trusted_proxies = Networks::parse(&["127.0.0.1/32".into()]).unwrap();
    })
    .await;
    assert_eq!(fail_sign_in(&app, 1, "203.0.113.1").await, 422);
    assert_eq!(fail_sign_in(&app, 2, "203.0.113.1").await, 422);
    assert_eq!(fail_sign_in(&app, 3, "203.0.113.1").await, 429);
    assert_eq!(fail_sign_in(&app, 4, "6.6.6.6, 203.0.113.1").await, 429);
    assert_eq!(fail_sign_in(&app, 5, "6.6.6.6, 203.0.113.2").await, 422);
    let seen: Vec<String> = sqlx::query_scalar("SELECT DISTINCT ip FROM auth_events ORDER BY ip")
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(seen, ["203.0.113.1", "203.0.113.2"]);
}

/// `emporium serve` on `url`, with the demo catalogue, without any key configured.
fn start_instance(url: &str, dir: &std::path::Path, port: u16) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_emporium"))
        .arg("serve")
        .env("EMPORIUM_DATABASE__URL", url)
        .env("EMPORIUM_SERVER__PORT", port.to_string())
        .env("EMPORIUM_SERVER__WORKERS", "1")
        .env("EMPORIUM_DEMO__SEED", "true")
        .env("EMPORIUM_MEDIA__DIR", dir.join("media"))
        .env(
            "EMPORIUM_EMAIL__OUTBOX_DIR",
            dir.join(format!("outbox-{port}")),
        )
        .env_remove("EMPORIUM_SECURITY__SESSION_KEY")
        .env_remove("EMPORIUM_SECURITY__JWT_SECRET")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

#[tokio::test]
async fn instances_started_together_on_an_empty_database_set_it_up_once_and_share_their_keys() {
    let db = empty_database().await;
    let ports = [free_port(), free_port(), free_port()];
    let mut children: Vec<_> = ports
        .iter()
        .map(|p| start_instance(&db.url, db.dir.path(), *p))
        .collect();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for port in ports {
        let mut ready = false;
        for _ in 0..300 {
            if let Ok(r) = client
                .get(format!("http://127.0.0.1:{port}/readyz"))
                .send()
                .await
            {
                ready = r.status() == 200;
                if ready {
                    break;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(ready, "the instance on {port} did not start");
    }
    for c in &mut children {
        assert!(c.try_wait().unwrap().is_none(), "an instance died");
    }
    // Seeded once (not 3 × 240), by whichever came first: the catalogue and the demo's offers
    // (one T-shirt with variants, one promotion, one voucher).
    let state = {
        let mut s = emporium::config::Settings::default();
        s.database.url = secrecy::SecretString::from(db.url.clone());
        s.demo.seed = false;
        s.media.dir = db.dir.path().join("media");
        s.email.outbox_dir = db.dir.path().join("outbox-check");
        emporium::state::AppState::build(s).await.unwrap()
    };
    let products: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products")
        .fetch_one(state.db.pool())
        .await
        .unwrap();
    assert_eq!(
        products,
        emporium::catalog::seed::DEFAULT_PRODUCTS as i64 + 1
    );
    for table in ["promotions", "vouchers"] {
        let n: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(state.db.pool())
                .await
                .unwrap();
        assert_eq!(n, 1, "{table}");
    }
    let keys: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM store_secrets")
        .fetch_one(state.db.pool())
        .await
        .unwrap();
    assert_eq!(keys, 2);

    // One key for all: a session begun on one instance is the same session on the others (its
    // form posts to a second, its cart shows on a third).
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let shopper = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let at = |i: usize, path: &str| format!("http://127.0.0.1:{}{path}", ports[i]);
    let in_stock: i64 = sqlx::query_scalar("SELECT MIN(id) FROM products WHERE stock >= 2")
        .fetch_one(state.db.pool())
        .await
        .unwrap();
    let text = |url: String| {
        let shopper = shopper.clone();
        async move { shopper.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let page = text(at(0, &format!("/products/{in_stock}"))).await;
    let token = crate::helpers::extract_csrf(&page).expect("a csrf token");
    let added = shopper
        .post(at(1, "/cart/items"))
        .form(&[
            ("product_id", in_stock.to_string().as_str()),
            ("quantity", "2"),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap();
    let status = added.status();
    assert_eq!(
        status,
        303,
        "the form of one instance posted to another: {}",
        added.text().await.unwrap()
    );
    let cart = text(at(2, "/cart")).await;
    assert_eq!(
        crate::helpers::Html::parse(&cart)
            .input_value("quantity")
            .as_deref(),
        Some("2"),
        "the cart on a third instance: {cart}"
    );

    for mut c in children {
        let _ = c.kill();
        let _ = c.wait();
    }
}

#[tokio::test]
async fn a_price_change_on_one_instance_shows_on_another_within_a_second() {
    use emporium::catalog::admin::{ProductInput, update, validate};
    use emporium::domain::{Money, ProductId};
    let a = TestApp::spawn().await;
    let id = a
        .product("Shared Lamp", "Oakridge", "Lighting", 2500, 5)
        .await;
    let url = a.state.settings.database.url.clone();
    let b = TestApp::spawn_with(|s| s.database.url = url).await;
    let listing = "/products?q=shared+lamp";
    let product = format!("/products/{id}");
    // The other instance has both pages in its cache.
    for path in [listing, product.as_str()] {
        let html = b.get(path).await.text().await.unwrap();
        assert!(html.contains("25.00"), "{path}: {html}");
    }
    let input = ProductInput {
        name: "Shared Lamp".into(),
        brand: "Oakridge".into(),
        category: "Lighting".into(),
        description: "A lamp both instances sell.".into(),
        price: Money::from_cents(3150).to_decimal(),
        stock: "5".into(),
        active: true,
        sku: "SHARED-1".into(),
        ..ProductInput::default()
    };
    let admin = a.admin_id().await;
    update(
        &a.state,
        admin,
        ProductId::new(id),
        &validate(&input).unwrap(),
        None,
    )
    .await
    .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    for path in [listing, product.as_str()] {
        let html = b.get(path).await.text().await.unwrap();
        assert!(
            html.contains("31.50") && !html.contains("25.00"),
            "{path}: {html}"
        );
    }
}

#[tokio::test]
async fn a_guest_page_view_writes_nothing_and_forms_stay_protected() {
    let app = TestApp::spawn().await;
    let id = app
        .product("Quiet Mug", "Oakridge", "Kitchen", 900, 5)
        .await;
    let page = format!("/products/{id}");
    let sessions = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sessions")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap()
    };
    let mut tokens = Vec::new();
    let browsers: Vec<_> = (0..5).map(|_| app.new_browser()).collect();
    for b in &browsers {
        let html = app.get_as(b, &page).await.text().await.unwrap();
        tokens.push(crate::helpers::extract_csrf(&html).expect("the add-to-cart form's token"));
    }
    assert_eq!(sessions().await, 0, "five page views wrote sessions");
    let add = |b: usize, token: String| {
        let client = browsers[b].client.clone();
        let url = app.url("/cart/items");
        async move {
            client
                .post(url)
                .form(&[
                    ("product_id", id.to_string()),
                    ("quantity", "1".into()),
                    ("csrf_token", token),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    // Another browser's token, a forged one, none: refused, and still nothing written.
    assert_eq!(add(1, tokens[0].clone()).await, 403);
    assert_eq!(add(1, "0".repeat(64)).await, 403);
    assert_eq!(add(1, String::new()).await, 403);
    assert_eq!(sessions().await, 0);
    // Its own token: the cart line is the first thing to keep, and the session begins.
    assert_eq!(add(0, tokens[0].clone()).await, 303);
    assert_eq!(sessions().await, 1);
}
