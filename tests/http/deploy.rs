//! Running for real: HTTPS from the binary, verified by a client that trusts only the test's
//! certificate, on HTTP/1.1 and HTTP/2; plain HTTP redirected; secure cookies and HSTS with TLS
//! unless turned off; a bad certificate stops the start naming the file. Backups taken while
//! checkouts run restore every order with its invoice; a stop signal during checkouts lets them
//! finish and the store exits 0.

use std::path::PathBuf;
use std::sync::Arc;

use http_body_util::{BodyExt, Empty};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use emporium::config::Settings;
use emporium::ops::backup::{BackupError, backup, restore};
use emporium::ops::tls::write_self_signed;
use emporium::startup::Application;

use crate::helpers::{
    TestApp, every_order_has_its_invoice, guests_at_checkout, postgres_url, submit,
};

type Https = Client<HttpsConnector<HttpConnector>, Empty<bytes::Bytes>>;

/// A client that trusts only `cert` and speaks HTTP/2 (by ALPN) or HTTP/1.1.
fn client(cert: &std::path::Path, http2: bool) -> Https {
    let mut roots = rustls::RootCertStore::empty();
    let pem = std::fs::read(cert).unwrap();
    for c in CertificateDer::pem_slice_iter(&pem) {
        roots.add(c.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let builder = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(config)
        .https_only();
    let connector = if http2 {
        builder.enable_http2().build()
    } else {
        builder.enable_http1().build()
    };
    let mut b = Client::builder(TokioExecutor::new());
    if http2 {
        b.http2_only(true);
    }
    b.build(connector)
}

struct Certs {
    cert: PathBuf,
    key: PathBuf,
    _dir: tempfile::TempDir,
}

fn new_certs() -> Certs {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = write_self_signed("shop.test", dir.path()).unwrap();
    Certs {
        cert,
        key,
        _dir: dir,
    }
}

async fn tls_app(certs: &Certs, configure: impl FnOnce(&mut Settings)) -> TestApp {
    let (cert, key) = (certs.cert.clone(), certs.key.clone());
    TestApp::spawn_with(move |s| {
        s.server.tls_cert = Some(cert);
        s.server.tls_key = Some(key);
        s.server.base_url = "https://shop.test".into();
        configure(s);
    })
    .await
}

#[tokio::test]
async fn https_answers_on_http2_and_http1_with_secure_cookies_and_hsts() {
    let certs = new_certs();
    let app = tls_app(&certs, |_| {}).await;
    for (http2, version) in [
        (true, hyper::Version::HTTP_2),
        (false, hyper::Version::HTTP_11),
    ] {
        let res = client(&certs.cert, http2)
            .get(app.url("/login").parse().unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.version(), version);
        let h = res.headers();
        assert_eq!(
            h["strict-transport-security"],
            "max-age=63072000; includeSubDomains"
        );
        let cookie = h["set-cookie"].to_str().unwrap();
        assert!(cookie.starts_with("__Host-emporium_csrf="), "{cookie}");
        assert!(cookie.contains("Secure"), "{cookie}");
        let body = res.into_body().collect().await.unwrap().to_bytes();
        assert!(String::from_utf8_lossy(&body).contains("csrf_token"));
    }
    // A client that does not trust the certificate is refused by its own check.
    let stranger = new_certs();
    let refused = client(&stranger.cert, true)
        .get(app.url("/login").parse().unwrap())
        .await;
    assert!(refused.is_err());
}

#[tokio::test]
async fn plain_http_is_redirected_to_the_same_page_under_https() {
    let certs = new_certs();
    let app = tls_app(&certs, |s| s.server.http_redirect_port = Some(0)).await;
    let port = app.redirect_port.expect("a redirect port");
    let res = app
        .browser
        .client
        .get(format!("http://127.0.0.1:{port}/products?q=oak&page=2"))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 308);
    // To the configured address, never to the Host the client sent.
    assert_eq!(
        res.headers()["location"],
        "https://shop.test/products?q=oak&page=2"
    );
    // The HTTPS port itself serves pages.
    let ok = client(&certs.cert, true)
        .get(app.url("/products").parse().unwrap())
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn secure_cookies_and_hsts_can_be_turned_off_explicitly() {
    let certs = new_certs();
    let app = tls_app(&certs, |s| {
        s.server.secure_cookies = Some(false);
        s.server.hsts = Some(false);
    })
    .await;
    let res = client(&certs.cert, true)
        .get(app.url("/login").parse().unwrap())
        .await
        .unwrap();
    assert!(!res.headers().contains_key("strict-transport-security"));
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("emporium_csrf="), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn a_missing_or_bad_certificate_stops_the_start_naming_the_file() {
    let certs = new_certs();
    let dir = tempfile::tempdir().unwrap();
    let start = |cert: PathBuf, key: PathBuf| {
        let mut s = Settings::default();
        s.server.port = 0;
        s.server.base_url = "https://shop.test".into();
        s.server.tls_cert = Some(cert);
        s.server.tls_key = Some(key);
        s.demo.seed = false;
        s.email.outbox_dir = dir.path().join("outbox");
        s.media.dir = dir.path().join("media");
        s.database.url = secrecy::SecretString::from(format!(
            "sqlite://{}",
            dir.path().join("tls.db").display()
        ));
        async move {
            match Application::build(s).await {
                Ok(_) => panic!("started with a bad certificate"),
                Err(e) => format!("{e:#}"),
            }
        }
    };
    let missing = dir.path().join("missing-cert.pem");
    let e = start(missing, certs.key.clone()).await;
    assert!(
        e.contains("server.tls_cert") && e.contains("missing-cert.pem"),
        "{e}"
    );
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate").unwrap();
    let e = start(garbage, certs.key.clone()).await;
    assert!(e.contains("garbage.pem"), "{e}");
    let e = start(certs.cert.clone(), certs.cert.clone()).await;
    assert!(
        e.contains("server.tls_key") && e.contains("cert.pem"),
        "{e}"
    );
    // And a base URL that is not HTTPS is refused by the settings' own check.
    let mut s = Settings::default();
    s.server.tls_cert = Some(certs.cert.clone());
    s.server.tls_key = Some(certs.key.clone());
    assert!(
        s.validate()
            .unwrap_err()
            .to_string()
            .contains("server.base_url")
    );
}

#[tokio::test]
async fn a_backup_taken_during_checkouts_restores_every_order_with_its_invoice() {
    let dir = tempfile::tempdir().unwrap();
    let live_media = dir.path().join("live-media");
    let app = TestApp::spawn_with(|s| s.media.dir = live_media).await;
    let folder = dir.path().join("backup");
    if postgres_url().is_some() {
        let e = backup(&app.state.settings, &folder).await.unwrap_err();
        assert!(matches!(e, BackupError::NotSqlite), "{e}");
        return;
    }
    // Demo products come with pictures (media files).
    app.seed(4).await;
    let product = app
        .product("Backup Mug", "Oakridge", "Kitchen", 1500, 500)
        .await;
    // A few orders before, then a backup while more checkouts run.
    for (guest, fields) in guests_at_checkout(&app, product, 3).await {
        assert_eq!(
            submit(app.url("/checkout"), &guest, &fields).await.unwrap(),
            303
        );
    }
    let load = guests_at_checkout(&app, product, 12).await;
    let url = app.url("/checkout");
    let checkouts =
        futures_util::future::join_all(load.iter().map(|(g, f)| submit(url.clone(), g, f)));
    let (statuses, copied) = tokio::join!(checkouts, async {
        tokio::time::sleep(std::time::Duration::from_millis(15)).await;
        backup(&app.state.settings, &folder).await
    });
    assert!(
        statuses.iter().all(|s| matches!(s, Ok(303))),
        "{statuses:?}"
    );
    let copied = copied.unwrap();
    let live = app.order_count().await;
    assert!(
        (3..=live).contains(&copied.contents.orders),
        "{copied:?} of {live}"
    );
    // An order caught between its commit and its capture is in the copy without its invoice
    // yet (pending, authorised); reconciliation finishes it after the restore (below).
    assert!(
        copied.contents.invoices <= copied.contents.orders,
        "{copied:?}"
    );
    assert!(copied.media_files >= 1);
    // A second backup into the same folder is refused: nothing is overwritten.
    assert!(matches!(
        backup(&app.state.settings, &folder).await.unwrap_err(),
        BackupError::NotEmpty(_)
    ));
    // A running store cannot be restored over.
    assert!(matches!(
        restore(&app.state.settings, &folder, 1).await.unwrap_err(),
        BackupError::Running(_)
    ));

    // Into a stopped (here: new) store: every order of the copy, each with its invoice.
    let restored_db = dir.path().join("restored").join("shop.db");
    let media = dir.path().join("restored").join("media");
    let mut target = (*app.state.settings).clone();
    target.database.url =
        secrecy::SecretString::from(format!("sqlite://{}", restored_db.display()));
    target.media.dir = media.clone();
    let back = restore(&target, &folder, 1).await.unwrap();
    assert_eq!(back.contents, copied.contents);
    assert_eq!(back.media_files, copied.media_files);
    let restored = TestApp::spawn_with(|s| {
        s.database.url = target.database.url.clone();
        s.media.dir = media.clone();
    })
    .await;
    emporium::payments::reconcile::run(&restored.state, 0)
        .await
        .unwrap();
    assert_eq!(
        every_order_has_its_invoice(&restored).await,
        copied.contents.orders
    );
    // A demo product's page shows its picture from the restored media.
    let page = restored.get("/products/1").await.text().await.unwrap();
    let src = page
        .split("src=\"/media/")
        .nth(1)
        .expect("a picture")
        .split('"')
        .next()
        .unwrap();
    assert_eq!(restored.get(&format!("/media/{src}")).await.status(), 200);
}

#[tokio::test]
async fn a_stop_signal_during_checkouts_lets_them_finish_and_exits_zero() {
    // The store runs as its own process (the `emporium` binary) on this test's database.
    let mut app = TestApp::spawn().await;
    let product = app
        .product("Signal Mug", "Oakridge", "Kitchen", 1200, 100)
        .await;
    let port = crate::helpers::free_port();
    let dir = tempfile::tempdir().unwrap();
    let mut child = app
        .store_process("serve", port, dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    app.use_process(port).await;
    let load = guests_at_checkout(&app, product, 16).await;
    let url = app.url("/checkout");
    let pid = child.id().to_string();
    let timed = |g, f| {
        let url = url.clone();
        async move {
            let status = submit(url, g, f).await;
            (status, std::time::Instant::now())
        }
    };
    let (answers, signalled) = tokio::join!(
        futures_util::future::join_all(load.iter().map(|(g, f)| timed(g, f))),
        async {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            // The shell's own `kill`: no procps needed.
            let sent = std::process::Command::new("sh")
                .args(["-c", &format!("kill -TERM {pid}")])
                .status()
                .unwrap();
            assert!(sent.success());
            std::time::Instant::now()
        }
    );
    // The signal came while checkouts were still being answered.
    assert!(
        answers.iter().any(|(_, at)| *at > signalled),
        "every checkout was answered before the signal"
    );
    let statuses: Vec<_> = answers.into_iter().map(|(s, _)| s).collect();
    let exit = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(exit.code(), Some(0), "the store's exit");
    // Each checkout either completed (303) or got no answer at all: refused a connection, or
    // sent on a kept-alive connection the stopping store was closing (a browser sends such a
    // request again). None got an error page. Below: none of those left anything behind.
    let mut completed = 0;
    for s in &statuses {
        match s {
            Ok(303) => completed += 1,
            Err(e) if e.is_connect() || e.is_request() => {}
            other => panic!("a checkout ended with {other:?}"),
        }
    }
    assert!(completed > 0, "no checkout was in flight: {statuses:?}");
    // What completed is in the database whole: its order, its invoice, its stock.
    assert_eq!(every_order_has_its_invoice(&app).await, completed);
    assert_eq!(app.stock(product).await, 100 - completed);
}

/// The value of one sample line of `/metrics` (0 when absent).
fn sample(text: &str, name_and_labels: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name_and_labels)?.trim().parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn metrics_count_requests_orders_sign_in_failures_and_cache_use_for_allowed_addresses() {
    let off = TestApp::spawn().await;
    assert_eq!(off.get("/metrics").await.status(), 404);

    let app = TestApp::spawn_with(|s| s.metrics.enabled = true).await;
    app.seed(8).await;
    let product = app
        .product("Metric Mug", "Oakridge", "Kitchen", 900, 10)
        .await;
    for _ in 0..2 {
        assert_eq!(app.get(&format!("/products/{product}")).await.status(), 200);
        assert_eq!(app.get("/products?q=mug").await.status(), 200);
    }
    assert_eq!(app.get("/no/such/page/42").await.status(), 404);
    let failed = app
        .post_form(
            "/login",
            &[
                ("email", "nobody@example.com"),
                ("password", "Wrong-Pass-123"),
            ],
        )
        .await;
    assert_eq!(failed.status(), 422);
    let guest = app.new_browser();
    app.add_to_cart(&guest, product, 1).await;
    assert_eq!(
        app.guest_checkout(&guest, "metrics@example.com")
            .await
            .status(),
        303
    );

    let res = app.get("/metrics").await;
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    let page = r#"emporium_http_requests_total{method="GET",route="/products/{id}",status="200"}"#;
    assert_eq!(sample(&text, page), 2.0, "{text}");
    // Paths that match no route share one label: the set of series stays bounded.
    assert_eq!(
        sample(
            &text,
            r#"emporium_http_requests_total{method="GET",route="unmatched",status="404"}"#
        ),
        1.0
    );
    assert!(!text.contains("/no/such/page"));
    // Latency histograms per route: both product-page requests fall under 10 s.
    assert_eq!(
        sample(
            &text,
            r#"emporium_http_request_duration_seconds_bucket{le="10.0",method="GET",route="/products/{id}",status="200"}"#
        ),
        2.0
    );
    assert_eq!(sample(&text, "emporium_orders_total"), 1.0);
    assert_eq!(sample(&text, "emporium_sign_in_failures_total"), 1.0);
    assert_eq!(
        sample(
            &text,
            r#"emporium_listing_cache_lookups_total{outcome="hit"}"#
        ),
        1.0
    );
    assert!(
        sample(
            &text,
            r#"emporium_listing_cache_lookups_total{outcome="miss"}"#
        ) >= 1.0
    );
    assert!(sample(&text, "emporium_db_pool_connections") >= 1.0);
    assert!(text.contains("emporium_mail_failures_total"));

    // Outside the allowed addresses: refused.
    let closed = TestApp::spawn_with(|s| {
        s.metrics.enabled = true;
        s.metrics.allow = emporium::config::Networks::parse(&["10.0.0.0/8".into()]).unwrap();
    })
    .await;
    assert_eq!(closed.get("/metrics").await.status(), 403);
}
