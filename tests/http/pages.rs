use crate::helpers::{Html, PASSWORD, TestApp};

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    for path in [
        "/",
        "/login",
        "/register",
        "/no-such-page",
        "/healthz",
        "/static/css/app.css",
    ] {
        let res = app.get(path).await;
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        for directive in [
            "default-src 'self'",
            "script-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ] {
            assert!(csp.contains(directive), "{path}: CSP lacks {directive}");
        }
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(
            h["referrer-policy"], "strict-origin-when-cross-origin",
            "{path}"
        );
        assert!(h.get("server").is_none());
        assert!(
            h.get("strict-transport-security").is_none(),
            "HSTS only with secure cookies"
        );
    }
}

#[tokio::test]
async fn pages_of_signed_in_customers_are_not_stored() {
    let app = TestApp::spawn().await;
    let (_, b) = app.signed_in("ada").await;
    for path in ["/account", "/account/profile", "/account/password", "/"] {
        let res = app.get_as(&b, path).await;
        assert_eq!(res.headers()["cache-control"], "no-store", "{path}");
    }
    let css = app.get("/static/css/app.css").await;
    assert_eq!(css.status(), 200);
    assert!(
        css.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert!(
        css.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
}

#[tokio::test]
async fn unknown_pages_and_wrong_methods_get_styled_pages() {
    let app = TestApp::spawn().await;
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status(), 404);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = res.text().await.unwrap();
    assert!(html.contains("Page not found") && html.contains("app.css"));
    let res = app.get("/logout").await;
    assert_eq!(res.status(), 405);
    assert!(res.text().await.unwrap().contains("Method not allowed"));
}

#[tokio::test]
async fn bad_input_never_gives_a_server_error() {
    let app = TestApp::spawn().await;
    let b = app.new_browser();
    let token = app.csrf_token(&b).await;
    let bodies: Vec<Vec<u8>> = vec![
        format!("csrf_token={token}&username=%FF%FE%00&email=%E0%80").into_bytes(),
        [
            format!("csrf_token={token}&username=").into_bytes(),
            vec![0xff, 0xfe, 0xfd],
        ]
        .concat(),
        format!("csrf_token={token}&&&=&birthday[]=x&phone=%%%").into_bytes(),
        format!("csrf_token={token}&password={}", "A1!a".repeat(25_000 / 4)).into_bytes(),
    ];
    for body in bodies {
        let res = b
            .client
            .post(app.url("/register"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        assert!((400..500).contains(&status), "status {status}");
        assert!(res.text().await.unwrap().contains("<html"));
    }
    // A body over the form limit.
    let res = b
        .client
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf_token={token}&email={}", "a".repeat(200_000)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    // A password of a megabyte is refused quickly, not hashed.
    let started = std::time::Instant::now();
    let res = app
        .post_form_as(
            &b,
            "/login",
            &[("email", "ada"), ("password", &"x".repeat(40_000))],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(started.elapsed().as_secs() < 5);
    let res = app.get("/login?next=%ZZ").await;
    assert!(res.status().as_u16() < 500);
    assert_eq!(app.user_count().await, 0);
}

#[tokio::test]
async fn head_answers_wherever_get_does_without_a_body() {
    let app = TestApp::spawn().await;
    let p = app
        .product("Oak Bowl", "Oakridge", "Kitchen", 1500, 3)
        .await;
    for path in [
        "/".to_string(),
        "/products".into(),
        format!("/products/{p}"),
        "/healthz".into(),
        "/readyz".into(),
        "/api/v1/product/".into(),
    ] {
        let get = app.get(&path).await;
        let head = app
            .browser
            .client
            .head(app.url(&path))
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), get.status(), "HEAD {path}");
        assert_eq!(
            head.headers().get("content-type"),
            get.headers().get("content-type"),
            "{path}"
        );
        assert!(head.bytes().await.unwrap().is_empty(), "{path}");
    }
    let head = app
        .browser
        .client
        .head(app.url("/products/999999"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 404);
}

#[tokio::test]
async fn liveness_answers_while_readiness_follows_the_database() {
    let app = TestApp::spawn().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "ok");
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "ready");
    app.state.db.close().await;
    assert_eq!(app.get("/readyz").await.status(), 503);
    // The process itself still answers.
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn pages_are_well_formed_and_labelled() {
    let app = TestApp::spawn().await;
    let (_, b) = app.signed_in("ada").await;
    for (browser, path) in [
        (&app.browser, "/"),
        (&app.browser, "/login"),
        (&app.browser, "/register"),
        (&app.browser, "/forgot-password"),
        (&b, "/account"),
        (&b, "/account/profile"),
        (&b, "/account/password"),
    ] {
        let html = app.get_as(browser, path).await.text().await.unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"), "{path}");
        assert!(
            html.contains(r#"<html lang="en">"#)
                && html.contains("<title>")
                && html.contains("<main"),
            "{path}"
        );
        let page = Html::parse(&html);
        assert_eq!(page.select("h1").len(), 1, "{path}: one h1");
        for field in page.select("input[id], textarea[id], select[id]") {
            let id = field.value().attr("id").unwrap();
            assert_eq!(
                page.select(&format!(r#"label[for="{id}"]"#)).len(),
                1,
                "{path}: #{id} has no label"
            );
        }
        for form in page.select(r#"form[method="post"]"#) {
            let token = scraper::Selector::parse(r#"input[name="csrf_token"]"#).unwrap();
            assert!(
                form.select(&token).next().is_some(),
                "{path}: a POST form without token"
            );
        }
    }
}

/// Write-protects the SQLite file (as `chattr +i` does to a disk going read-only), or takes
/// that back. Root ignores permission bits, so the immutable flag is used.
fn set_read_only(app: &TestApp, on: bool) {
    let flag = if on { "+i" } else { "-i" };
    let out = std::process::Command::new("chattr")
        .arg(flag)
        .arg(app.sqlite_path())
        .output()
        .expect("chattr runs");
    assert!(out.status.success(), "chattr {flag}: {out:?}");
}

#[tokio::test]
async fn a_read_only_spell_is_reported_and_the_store_recovers_from_it() {
    if crate::helpers::postgres_url().is_some() {
        // A SQLite matter: PostgreSQL has no file to write-protect (its read-only refusals,
        // code 25006, go through the same connection replacement).
        return;
    }
    let app = TestApp::spawn().await;
    let user = app.verified_user("ada").await;
    set_read_only(&app, true);
    // The pool grows during the spell (as under load): its new connections open read-only.
    let pool = app.state.db.pool();
    let mut held = Vec::new();
    for _ in 0..app.state.settings.database.max_connections {
        held.push(pool.acquire().await.unwrap());
    }
    drop(held);
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 503);
    assert_eq!(res.text().await.unwrap(), "database read-only");
    set_read_only(&app, false);
    // The connections opened during the spell are replaced: ready again, and signing in works.
    assert_eq!(app.get("/readyz").await.status(), 200);
    assert!(app.can_sign_in(&user.email, PASSWORD).await);
}
