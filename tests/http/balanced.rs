//! Two instances (the `emporium` binary, twice) on one PostgreSQL primary, with its standby as
//! a replica when there is one, behind Debian's nginx running `deploy/nginx.conf`, and no key
//! configured: nginx sends consecutive requests to alternate instances. Needs PostgreSQL and
//! `EMPORIUM_TEST_NGINX` (the nginx binary; `.ci/run` sets both). The in-process store of the
//! test (`TestApp`) shares the database: it makes products, reads the mails and checks tables.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use secrecy::ExposeSecret;

use crate::helpers::{
    Html, PASSWORD, TestApp, every_order_has_its_invoice, free_port, guests_at_checkout,
    postgres_url, submit,
};

fn nginx_binary() -> Option<String> {
    std::env::var("EMPORIUM_TEST_NGINX")
        .ok()
        .filter(|s| !s.is_empty())
}

/// Children killed when the test ends, however it ends.
struct Processes(Vec<Child>);

impl Drop for Processes {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// `emporium serve` on the test's database, mailing into the test's outbox, trusting nginx on
/// 127.0.0.1 for the client's address, without keys.
fn start_instance(app: &TestApp, media: &Path, port: u16) -> Child {
    let settings = &app.state.settings;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_emporium"));
    cmd.arg("serve")
        .env(
            "EMPORIUM_DATABASE__URL",
            settings.database.url.expose_secret(),
        )
        .env("EMPORIUM_SERVER__PORT", port.to_string())
        .env("EMPORIUM_SERVER__WORKERS", "2")
        .env("EMPORIUM_SERVER__TRUSTED_PROXIES", "127.0.0.1")
        .env("EMPORIUM_DEMO__SEED", "false")
        .env("EMPORIUM_METRICS__ENABLED", "true")
        // Every guest of the test comes from 127.0.0.1; the limit works (across instances),
        // and is not what this test is about.
        .env("EMPORIUM_SECURITY__GUEST_CHECKOUTS_PER_IP_PER_HOUR", "1000")
        .env("EMPORIUM_MEDIA__DIR", media)
        .env("EMPORIUM_EMAIL__OUTBOX_DIR", &app.outbox)
        .env_remove("EMPORIUM_SECURITY__SESSION_KEY")
        .env_remove("EMPORIUM_SECURITY__JWT_SECRET")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Ok(standby) = std::env::var("EMPORIUM_TEST_REPLICA_URL")
        && !standby.is_empty()
    {
        let primary: url::Url = settings.database.url.expose_secret().parse().unwrap();
        let mut replica: url::Url = standby.parse().unwrap();
        replica.set_path(primary.path());
        cmd.env("EMPORIUM_DATABASE__REPLICA_URLS", replica.to_string());
    }
    cmd.spawn().unwrap()
}

/// nginx with the shipped configuration, its ports replaced, in the foreground, one process.
fn start_nginx(nginx: &str, dir: &Path, listen: u16, a: u16, b: u16) -> Child {
    let shipped = include_str!("../../deploy/nginx.conf");
    let mut conf = shipped.to_string();
    for (from, to) in [
        ("listen 8080;", format!("listen 127.0.0.1:{listen};")),
        ("127.0.0.1:8081", format!("127.0.0.1:{a}")),
        ("127.0.0.1:8082", format!("127.0.0.1:{b}")),
        (
            "http {\n",
            format!(
                "http {{\n    access_log off;\n    client_body_temp_path {0}/body;\n    proxy_temp_path {0}/proxy;\n",
                dir.display()
            ),
        ),
    ] {
        assert!(conf.contains(from), "deploy/nginx.conf has no {from:?}");
        conf = conf.replace(from, &to);
    }
    let file = dir.join("nginx.conf");
    std::fs::write(&file, conf).unwrap();
    let globals = format!(
        "daemon off; master_process off; pid {0}/nginx.pid; error_log {0}/error.log;",
        dir.display()
    );
    Command::new(nginx)
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(&file)
        .args(["-g", &globals])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_ready(port: u16) {
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(r) = client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            && r.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("nothing ready on port {port}");
}

/// Requests an instance answered, by its own figures (`/metrics` itself not counted).
async fn answered(port: u16, route: &str) -> f64 {
    let text = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .filter(|l| l.starts_with("emporium_http_requests_total{"))
        .filter(|l| !l.contains("route=\"/metrics\""))
        .filter(|l| l.contains(route))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

async fn both_answered(ports: [u16; 2], route: &str) -> [f64; 2] {
    [
        answered(ports[0], route).await,
        answered(ports[1], route).await,
    ]
}

#[tokio::test]
async fn two_instances_behind_nginx_serve_one_shop_and_survive_losing_one() {
    let (Some(_), Some(nginx)) = (postgres_url(), nginx_binary()) else {
        eprintln!("skipped: needs EMPORIUM_TEST_POSTGRES_URL and EMPORIUM_TEST_NGINX");
        return;
    };
    let mut app = TestApp::spawn().await;
    let lamp = app
        .product("Balanced Lamp", "Oakridge", "Lighting", 2500, 50)
        .await;
    let vase = app
        .product("Last Vase", "Oakridge", "Kitchen", 1900, 3)
        .await;
    let mug = app
        .product("Sturdy Mug", "Oakridge", "Kitchen", 1200, 100)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let ports = [free_port(), free_port()];
    let mut children = Processes(
        ports
            .iter()
            .map(|p| start_instance(&app, &dir.path().join("media"), *p))
            .collect(),
    );
    for p in ports {
        wait_ready(p).await;
    }
    let lb = free_port();
    children
        .0
        .push(start_nginx(&nginx, dir.path(), lb, ports[0], ports[1]));
    wait_ready(lb).await;
    let balancer = format!("http://127.0.0.1:{lb}");
    let at = |i: usize| format!("http://127.0.0.1:{}", ports[i]);
    app.address = balancer.clone();

    // Registration → verification → sign-in → cart → checkout, each request on the other
    // instance than the one before.
    let before = both_answered(ports, "").await;
    let (user, b) = app.signed_in("roundrobin").await;
    app.add_to_cart(&b, lamp, 2).await;
    let order = app.bought(&b, lamp, 1).await;
    let after = both_answered(ports, "").await;
    let served = [after[0] - before[0], after[1] - before[1]];
    assert!(
        served[0] >= 5.0 && (served[0] - served[1]).abs() <= 1.0,
        "each instance answered every other request: {served:?}"
    );
    let html = app.get_html(&b, &format!("/orders/{order}")).await;
    assert!(html.text_of("main").contains("Balanced Lamp"));
    assert_eq!(app.stock(lamp).await, 47);

    // Wrong passwords spread over both instances lock the account on both.
    let intruder = app.new_browser();
    let token = app.csrf_token(&intruder).await;
    let before = both_answered(ports, "route=\"/login\"").await;
    for _ in 0..5 {
        let res = intruder
            .client
            .post(app.url("/login"))
            .form(&[
                ("email", user.email.as_str()),
                ("password", "Wrong-Password-123!"),
                ("csrf_token", token.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
    }
    let after = both_answered(ports, "route=\"/login\"").await;
    assert!(
        after[0] - before[0] >= 2.0 && after[1] - before[1] >= 2.0,
        "the failures went to both instances: {before:?} → {after:?}"
    );
    for i in 0..2 {
        app.address = at(i);
        let res = app
            .login_as(&app.new_browser(), &user.email, PASSWORD)
            .await;
        assert_eq!(res.status(), 429, "locked on instance {i}");
    }

    // A session ended on one instance is over on the other: signing out...
    app.address = balancer.clone();
    let (_, out) = app.signed_in("leaver").await;
    for i in 0..2 {
        app.address = at(i);
        assert_eq!(app.get_as(&out, "/account").await.status(), 200);
    }
    app.address = at(0);
    assert_eq!(app.post_form_as(&out, "/logout", &[]).await.status(), 303);
    app.address = at(1);
    assert_eq!(app.get_as(&out, "/account").await.status(), 303);
    // ...and deactivation by the shop.
    app.address = balancer.clone();
    let (_, closed) = app.signed_in("closed").await;
    let closed_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'closed'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    app.address = at(1);
    let admin = app.admin().await;
    let res = app
        .post_form_as(
            &admin,
            &format!("/admin/customers/{closed_id}"),
            &[("active", "0")],
        )
        .await;
    assert_eq!(res.status(), 303);
    app.address = at(0);
    assert_eq!(app.get_as(&closed, "/account").await.status(), 303);

    // A price changed on one instance shows on the other's listing within a second, though the
    // listing was in its cache.
    let listing = "/products?q=balanced+lamp";
    let other = app.new_browser();
    app.address = at(1);
    for _ in 0..2 {
        let html = app.get_as(&other, listing).await.text().await.unwrap();
        assert!(html.contains("25.00"), "{html}");
    }
    app.address = at(0);
    let admin = app.admin().await;
    let form = app
        .get_html(&admin, &format!("/admin/products/{lamp}/edit"))
        .await;
    let mut multipart = reqwest::multipart::Form::new();
    for (name, value) in edit_fields(&form) {
        let value = if name == "price" {
            "31.50".to_string()
        } else {
            value
        };
        multipart = multipart.text(name, value);
    }
    let res = app
        .post_multipart(&admin, &format!("/admin/products/{lamp}"), multipart)
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    tokio::time::sleep(Duration::from_millis(1100)).await;
    app.address = at(1);
    let html = app.get_as(&other, listing).await.text().await.unwrap();
    assert!(
        html.contains("31.50"),
        "the other instance's listing: {html}"
    );

    // Twelve guests race through both instances for the last three vases: three get one.
    app.address = balancer.clone();
    let racers = guests_at_checkout(&app, vase, 12).await;
    let url = app.url("/checkout");
    let answers =
        futures_util::future::join_all(racers.iter().map(|(g, f)| submit(url.clone(), g, f))).await;
    let sold = answers.iter().filter(|a| matches!(a, Ok(303))).count();
    assert_eq!(sold, 3, "{answers:?}");
    assert_eq!(app.stock(vase).await, 0);

    // One instance is killed (SIGKILL) while checkouts run through both.
    let load = guests_at_checkout(&app, mug, 16).await;
    let pid = children.0[0].id();
    let timed = |g, f| {
        let url = url.clone();
        async move { (submit(url, g, f).await, std::time::Instant::now()) }
    };
    let (answers, killed_at) = tokio::join!(
        futures_util::future::join_all(load.iter().map(|(g, f)| timed(g, f))),
        async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            let killed = Command::new("sh")
                .args(["-c", &format!("kill -KILL {pid}")])
                .status()
                .unwrap();
            assert!(killed.success());
            std::time::Instant::now()
        }
    );
    assert!(
        answers.iter().any(|(_, at)| *at > killed_at),
        "every checkout was answered before the kill"
    );
    // A buyer whose instance died under their request gets nginx's 502 (a POST is not sent
    // twice); the others are served by the survivor.
    let answers: Vec<_> = answers.into_iter().map(|(a, _)| a).collect();
    for a in &answers {
        assert!(matches!(a, Ok(303 | 502)), "{answers:?}");
    }
    eprintln!("checkouts while one instance was killed: {answers:?}");
    let _ = children.0[0].wait();
    // What the killed instance left between the payment steps (an authorisation without its
    // order, an order committed but not captured) is finished by reconciliation: then no order
    // is half written (each has its invoice and lines), no reservation stays open at the
    // gateway, and the stock went down by exactly what the orders hold.
    let report = emporium::payments::reconcile::run(&app.state, 0)
        .await
        .unwrap();
    eprintln!("reconciled after the kill: {report:?}");
    assert!(report.failed.is_empty() && report.waiting.is_empty());
    every_order_has_its_invoice(&app).await;
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM mock_gateway_authorisations WHERE state = 'authorised'",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(open, 0, "reservations left open at the gateway");
    let mugs_ordered: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM order_lines WHERE product_id = $1",
    )
    .bind(mug)
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(app.stock(mug).await, 100 - mugs_ordered);
    let completed = answers.iter().filter(|a| matches!(a, Ok(303))).count() as i64;
    assert!(completed <= mugs_ordered, "{answers:?}");
    // The other instance keeps serving, reads and checkouts, through nginx.
    for _ in 0..6 {
        assert_eq!(app.get("/products").await.status(), 200);
    }
    let late = guests_at_checkout(&app, mug, 1).await;
    let (g, f) = &late[0];
    assert_eq!(submit(url.clone(), g, f).await.ok(), Some(303));
}

/// The admin product form's fields as the page filled them in.
fn edit_fields(form: &Html) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let product_form = "form[enctype=\"multipart/form-data\"]";
    let fields = format!("{product_form} input[name], {product_form} textarea[name]");
    for input in form.select(&fields) {
        let el = input.value();
        let name = el.attr("name").unwrap_or_default().to_string();
        if name == "csrf_token" || el.attr("type") == Some("file") {
            continue;
        }
        if el.attr("type") == Some("checkbox") && el.attr("checked").is_none() {
            continue;
        }
        let value = match el.name() {
            "textarea" => input.text().collect::<String>(),
            _ => el.attr("value").unwrap_or_default().to_string(),
        };
        out.push((name, value));
    }
    out
}
