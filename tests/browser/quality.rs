//! The web-quality gate: every page of the store in the states a person sees it (signed out,
//! signed in, staff; empty forms, forms with errors, messages after a success; each order status;
//! the 403/404/429 pages), rendered on SQLite in Chromium and checked with
//!
//! - axe-core (WCAG 2.0–2.2 A/AA and best-practice rules) inside the page at 1280 px,
//! - the Nu HTML Checker (vnu-jar) on the HTML the server sent (the DOM as parsed for pages that
//!   answer a POST),
//! - a 390 px phone width: nothing but a table's own scroll area may be wider than the screen.
//!
//! Both checkers come from `tests/web-quality` (`npm ci` there; CI does it). Screenshots at 1280
//! and 390 px go to `target/browser-artifacts/quality/`, the pages to `target/web-quality/`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use fantoccini::Client;
use serde_json::{Value, json};

use super::helpers::accounts::ADMIN_PASSWORD;
use super::helpers::{self, Browser, PASSWORD, TestApp};
use super::{Driver, fill, path_of, submit};

const NEW_PASSWORD: &str = "Copper-Meadow-71-Lantern";
const WIDE: (u32, u32) = (1280, 900);
const PHONE: (u32, u32) = (390, 844);

fn checkers_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/web-quality/node_modules")
}

fn out_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Where the HTML for the Nu HTML Checker comes from: the server's own bytes wherever they can
/// be had (a page opened by its address is fetched again; a form's answer is the response the
/// form's POST got), the DOM as parsed only after a sign-in done through the real form.
enum Source {
    Refetch,
    Sent(String),
    Dom,
}

struct Gate<'a> {
    c: &'a Client,
    app: &'a TestApp,
    axe: String,
    pages: PathBuf,
    shots: PathBuf,
    checked: Vec<(String, String)>,
    problems: Vec<String>,
}

impl Gate<'_> {
    /// Opens `path` and checks the page.
    async fn visit(&mut self, name: &str, path: &str) {
        self.c.goto(&self.app.url(path)).await.unwrap();
        self.check(name, Source::Refetch).await;
    }

    /// Fills the form whose action is `action` (fields by name), posts it without the browser's
    /// own validation (so the server's messages show) and follows a redirect, keeping the bytes
    /// the server sent; the browser then shows that answer, and it is checked.
    async fn send(&mut self, name: &str, action: &str, fields: &[(&str, &str)]) {
        let values: serde_json::Map<String, Value> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        let answer = self
            .c
            .execute_async(
                "const [action, values] = arguments; const done = arguments[arguments.length - 1];\
                 const form = document.querySelector(`form[action=\"${action}\"]`);\
                 if (!form) { done(['no form ' + action, '']); return; }\
                 for (const [k, v] of Object.entries(values)) form.elements[k].value = v;\
                 fetch(form.action, {method: 'POST', body: new URLSearchParams(new FormData(form))})\
                   .then(r => r.text().then(t => done([new URL(r.url).pathname + new URL(r.url).search, t])),\
                         e => done([String(e), '']));",
                vec![json!(action), Value::Object(values)],
            )
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let (path, html) = (
            answer[0].as_str().unwrap_or_default().to_string(),
            answer[1].as_str().unwrap_or_default().to_string(),
        );
        assert!(path.starts_with('/'), "{name}: {path}");
        self.c
            .execute(
                "document.open(); document.write(arguments[0]); document.close();",
                vec![json!(html)],
            )
            .await
            .unwrap();
        let started = Instant::now();
        while self
            .c
            .execute(
                "return document.readyState === 'complete' && document.styleSheets.length > 0;",
                vec![],
            )
            .await
            .unwrap()
            != Value::Bool(true)
        {
            assert!(
                started.elapsed().as_secs() < 20,
                "{name}: the answer did not render"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        self.check_at(name, Source::Sent(html), path).await;
    }

    async fn check(&mut self, name: &str, source: Source) {
        let path = path_of(self.c).await;
        self.check_at(name, source, path).await;
    }

    async fn check_at(&mut self, name: &str, source: Source, path: String) {
        let n = self.checked.len() + 1;
        let file = format!("{n:02}-{name}");
        self.c.set_window_size(WIDE.0, WIDE.1).await.unwrap();
        self.axe(name, &path).await;
        let html = match source {
            Source::Refetch => self
                .c
                .execute_async(
                    "const done = arguments[arguments.length - 1];\
                     fetch(location.href, {redirect: 'manual'}).then(r => r.text()).then(done, e => done(''));",
                    vec![],
                )
                .await
                .unwrap(),
            Source::Sent(html) => Value::String(html),
            Source::Dom => self
                .c
                .execute(
                    "return '<!DOCTYPE html>\\n' + document.documentElement.outerHTML;",
                    vec![],
                )
                .await
                .unwrap(),
        };
        let html = html.as_str().unwrap_or_default();
        if html.is_empty() {
            self.problems
                .push(format!("{name} ({path}): no HTML to validate"));
        }
        std::fs::write(self.pages.join(format!("{file}.html")), html).unwrap();
        std::fs::write(
            self.shots.join(format!("{file}-1280.png")),
            self.c.screenshot().await.unwrap(),
        )
        .unwrap();
        self.phone(name, &path, &file).await;
        self.c.set_window_size(WIDE.0, WIDE.1).await.unwrap();
        self.checked.push((name.to_string(), path));
    }

    async fn axe(&mut self, name: &str, path: &str) {
        self.c.execute(&self.axe, vec![]).await.unwrap();
        let found = self
            .c
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}, resultTypes: ['violations']})\
                 .then(r => done(r.violations.map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)),\
                       e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .unwrap();
        for v in found.as_array().into_iter().flatten() {
            self.problems.push(format!(
                "{name} ({path}): axe {}",
                v.as_str().unwrap_or("?")
            ));
        }
    }

    /// At phone width: the page is no wider than the screen (a table may scroll inside its own
    /// container).
    async fn phone(&mut self, name: &str, path: &str, file: &str) {
        self.c.set_window_size(PHONE.0, PHONE.1).await.unwrap();
        let wide = self
            .c
            .execute(
                "const w = document.documentElement.clientWidth;\
                 if (innerWidth > 400) return ['the window did not narrow: ' + innerWidth];\
                 if (document.documentElement.scrollWidth <= w) return [];\
                 return [...document.querySelectorAll('body *')]\
                   .filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('.table-wrap'))\
                   .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '') + ' ends at ' + Math.round(e.getBoundingClientRect().right));",
                vec![],
            )
            .await
            .unwrap();
        for w in wide.as_array().into_iter().flatten() {
            self.problems.push(format!(
                "{name} ({path}): wider than a 390 px screen: {}",
                w.as_str().unwrap_or("?")
            ));
        }
        std::fs::write(
            self.shots.join(format!("{file}-390.png")),
            self.c.screenshot().await.unwrap(),
        )
        .unwrap();
    }

    /// A layout promise, checked with `script` (which returns true when kept) at a window size.
    async fn expect_at(&mut self, size: (u32, u32), promise: &str, script: &str) {
        self.c.set_window_size(size.0, size.1).await.unwrap();
        let kept = self.c.execute(script, vec![]).await.unwrap();
        if kept != Value::Bool(true) {
            let path = path_of(self.c).await;
            self.problems
                .push(format!("{path} at {} px: {promise}", size.0));
        }
        self.c.set_window_size(WIDE.0, WIDE.1).await.unwrap();
    }

    /// Signs in through the form, as a person does.
    async fn sign_in(&mut self, login: &str, password: &str) {
        self.c.delete_all_cookies().await.unwrap();
        self.c.goto(&self.app.url("/login")).await.unwrap();
        fill(self.c, "email", login).await;
        fill(self.c, "password", password).await;
        submit(self.c, "/login").await;
    }
}

fn axe_version() -> String {
    let manifest =
        std::fs::read_to_string(checkers_dir().join("axe-core/package.json")).unwrap_or_default();
    serde_json::from_str::<Value>(&manifest).unwrap_or_default()["version"]
        .as_str()
        .unwrap_or("?")
        .to_string()
}

/// The Nu HTML Checker's errors for every saved page.
fn vnu(pages: &Path) -> Vec<String> {
    let jar = checkers_dir().join("vnu-jar/build/dist/vnu.jar");
    let mut files: Vec<PathBuf> = std::fs::read_dir(pages)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .collect();
    files.sort();
    let out = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "json", "--exit-zero-always"])
        .args(&files)
        .output()
        .unwrap_or_else(|e| panic!("cannot run java -jar {}: {e}", jar.display()));
    let report: Value = serde_json::from_slice(&out.stderr)
        .or_else(|_| serde_json::from_slice(&out.stdout))
        .unwrap_or_else(|e| {
            panic!(
                "vnu printed no JSON ({e}): {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    report["messages"]
        .as_array()
        .into_iter()
        .flatten()
        // A file the checker could not read is a failure too, not a pass.
        .filter(|m| {
            m["type"] == "error" || m["type"] == "non-document-error" || m["subType"] == "fatal"
        })
        .map(|m| {
            let file = m["url"].as_str().unwrap_or("?");
            let file = file.rsplit('/').next().unwrap_or(file);
            format!(
                "{file}:{}: vnu {}",
                m["lastLine"],
                m["message"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

/// A shop with something in every state: products with reviews, a customer with orders paid,
/// shipped, delivered, cancelled and refunded, a wishlist and a support request, and a guest's
/// order. Returns the customer's browser session, the order ids by status and a guest's link.
struct Shop {
    product: i64,
    orders: Vec<(&'static str, i64)>,
    guest_link: String,
    request: i64,
}

async fn stock_the_shop(app: &TestApp) -> Shop {
    app.seed(30).await;
    let admin = app.admin().await;
    let (_, ada) = app.signed_in("ada").await;
    // Products of its own with stock enough for every state (seeded stock varies).
    let mut ids = Vec::new();
    for (name, brand, category) in [
        ("Enamel Teapot", "Kettle & Co", "Kitchen"),
        ("Oak Bowl", "Oakridge", "Kitchen"),
        ("Brass Lamp", "Lumen", "Living"),
        ("Linen Apron", "Weave", "Kitchen"),
        ("Garden Gloves", "Greenhand", "Garden"),
        ("Wool Throw", "Weave", "Living"),
        ("Copper Kettle", "Kettle & Co", "Kitchen"),
        ("Stoneware Mug", "Oakridge", "Kitchen"),
    ] {
        ids.push(app.product(name, brand, category, 2490, 50).await);
    }
    let product = ids[0];
    let mut orders = Vec::new();
    let move_to = |id: i64, steps: &'static [(&'static str, &'static str)]| {
        let admin = admin.clone();
        async move {
            for (status, tracking) in steps {
                let res = app
                    .post_form_as(
                        &admin,
                        &format!("/admin/orders/{id}/status"),
                        &[("status", status), ("tracking_number", tracking)],
                    )
                    .await;
                assert_eq!(res.status(), 303, "order {id} to {status}");
            }
        }
    };
    for (i, status) in ["paid", "shipped", "delivered", "cancelled", "refunded"]
        .into_iter()
        .enumerate()
    {
        let id = app.bought(&ada, ids[i], 1).await;
        match status {
            "shipped" => move_to(id, &[("shipped", "DHL-1234567")]).await,
            "delivered" => {
                move_to(id, &[("shipped", "DHL-7654321"), ("delivered", "")]).await;
                review(app, &ada, ids[i]).await;
            }
            "cancelled" => {
                let res = app
                    .post_form_as(&ada, &format!("/orders/{id}/cancel"), &[])
                    .await;
                assert_eq!(res.status(), 303);
            }
            "refunded" => {
                move_to(
                    id,
                    &[("shipped", "UPS-42"), ("delivered", ""), ("refunded", "")],
                )
                .await
            }
            _ => {}
        }
        orders.push((status, id));
    }
    let res = app
        .post_form_as(&ada, &format!("/wishlist/{}", ids[5]), &[])
        .await;
    assert_eq!(res.status(), 303);
    let res = app
        .post_form_as(
            &ada,
            "/support",
            &[
                ("subject", "Where is my parcel?"),
                ("message", "It was due yesterday."),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let request: i64 = helpers::location(&res)
        .trim_start_matches("/support/")
        .parse()
        .unwrap();
    // A guest's order, followed by its mailed link.
    let guest = app.new_browser();
    app.add_to_cart(&guest, ids[6], 1).await;
    let res = app.guest_checkout(&guest, "vera@example.com").await;
    assert_eq!(res.status(), 303);
    app.deliver_mail().await;
    let guest_link = app.link_in_mail("vera@example.com", "is confirmed").await;
    Shop {
        product,
        orders,
        guest_link,
        request,
    }
}

async fn review(app: &TestApp, b: &Browser, product: i64) {
    let res = app
        .post_form_as(
            b,
            &format!("/products/{product}/reviews"),
            &[("rating", "4"), ("comment", "Sturdy.\nWould buy again.")],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_passes_axe_and_the_nu_html_checker_and_fits_a_phone() {
    let axe_file = checkers_dir().join("axe-core/axe.min.js");
    let axe = std::fs::read_to_string(&axe_file).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; install the checkers with `npm ci --prefix tests/web-quality`",
            axe_file.display()
        )
    });
    let app = TestApp::spawn_with(|s| s.security.login_failures_per_account = 3).await;
    let shop = stock_the_shop(&app).await;
    let driver = Driver::start();
    let c = driver.client().await;
    let mut g = Gate {
        c: &c,
        app: &app,
        axe,
        pages: out_dir("target/web-quality"),
        shots: out_dir("target/browser-artifacts/quality"),
        checked: Vec::new(),
        problems: Vec::new(),
    };
    let started = Instant::now();
    let p = shop.product;

    // Signed out.
    g.visit("home-guest", "/").await;
    g.visit("catalogue", "/products").await;
    g.expect_at(
        PHONE,
        "the first product shows without scrolling, the filters folded into 'Filter and sort'",
        "const card = document.querySelector('.results-grid .card');\
         return !!card && card.getBoundingClientRect().bottom < innerHeight\
           && !document.querySelector('#q').checkVisibility()\
           && document.querySelector('.filter-panel > summary').checkVisibility();",
    )
    .await;
    g.expect_at(
        WIDE,
        "the filters are open beside the products",
        "return document.querySelector('#q').checkVisibility()\
           && !document.querySelector('.filter-panel > summary').checkVisibility();",
    )
    .await;
    g.visit("catalogue-page-2", "/products?page=2&sort=price_asc")
        .await;
    g.visit("search-corrected", "/products?q=teapto").await;
    g.visit("search-nothing", "/products?q=zzzzqqq").await;
    g.visit("catalogue-bad-filters", "/products?min_price=abc&sort=nope")
        .await;
    g.visit("product", &format!("/products/{p}")).await;
    g.send(
        "product-quantity-refused",
        "/cart/items",
        &[("quantity", "999")],
    )
    .await;
    g.visit("cart-empty", "/cart").await;
    g.visit("product-again", &format!("/products/{p}")).await;
    g.send("cart-added", "/cart/items", &[("quantity", "2")])
        .await;
    g.visit("checkout-guest", "/checkout").await;
    g.send(
        "checkout-errors",
        "/checkout",
        &[("email", "nope"), ("card_number", "12")],
    )
    .await;
    g.visit("login", "/login").await;
    g.send(
        "login-wrong",
        "/login",
        &[("email", "ada@example.com"), ("password", "wrong-guess")],
    )
    .await;
    g.send(
        "login-last-attempt",
        "/login",
        &[("email", "ada@example.com"), ("password", "wrong-guess")],
    )
    .await;
    g.send(
        "login-paused-429",
        "/login",
        &[("email", "ada@example.com"), ("password", "wrong-guess")],
    )
    .await;
    g.visit("register", "/register").await;
    g.send(
        "register-errors",
        "/register",
        &[("username", "a"), ("email", "x"), ("password", "short")],
    )
    .await;
    g.visit("forgot-password", "/forgot-password").await;
    g.send(
        "forgot-password-sent",
        "/forgot-password",
        &[("email", "someone@example.com")],
    )
    .await;
    g.visit("reset-link-invalid", "/reset-password?token=not-a-token")
        .await;
    g.visit("contact", "/contact").await;
    g.send("contact-errors", "/contact", &[("email", "x")])
        .await;
    g.visit("not-found-404", "/no-such-page").await;
    g.visit("guest-order", &shop.guest_link).await;
    let guest_order = path_of(&c).await;
    g.visit("guest-invoice", &format!("{guest_order}/invoice"))
        .await;

    // A customer (the lock above was on ada; bob signs in).
    app.verified_user("bob").await;
    g.sign_in("bob@example.com", PASSWORD).await;
    g.check("account-after-sign-in", Source::Dom).await;
    g.visit("forbidden-403", "/admin").await;
    g.visit("wishlist-empty", "/wishlist").await;
    g.visit("orders-none", "/orders").await;
    g.visit("support-none", "/support").await;
    g.send("support-errors", "/support", &[("subject", "")])
        .await;

    // Ada, with orders in every state (a reset ends her pause, as the lock page says).
    let res = app.reset_password("ada@example.com", NEW_PASSWORD).await;
    assert_eq!(res.status(), 303);
    g.sign_in("ada@example.com", NEW_PASSWORD).await;
    g.visit("home-signed-in", "/").await;
    g.visit("account", "/account").await;
    g.visit("profile", "/account/profile").await;
    g.send(
        "profile-errors",
        "/account/profile",
        &[
            ("first_name", ""),
            ("phone", "12"),
            ("birthday", "2999-01-01"),
        ],
    )
    .await;
    g.visit("change-password", "/account/password").await;
    g.send(
        "change-password-errors",
        "/account/password",
        &[("current_password", "x"), ("password", "short")],
    )
    .await;
    g.visit("orders", "/orders").await;
    for (status, id) in &shop.orders {
        g.visit(&format!("order-{status}"), &format!("/orders/{id}"))
            .await;
    }
    let (_, paid) = shop.orders[0];
    g.visit("invoice", &format!("/orders/{paid}/invoice")).await;
    g.visit("order-cancel-confirm", &format!("/orders/{paid}/cancel"))
        .await;
    // The cancelled paid order has a credit note against its invoice.
    let (_, cancelled) = shop.orders[3];
    let credit_note: String =
        sqlx::query_scalar("SELECT number FROM credit_notes WHERE order_id = $1")
            .bind(cancelled)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    g.visit(
        "invoice-with-credit-note",
        &format!("/orders/{cancelled}/invoice"),
    )
    .await;
    g.visit(
        "credit-note",
        &format!("/orders/{cancelled}/credit-notes/{credit_note}"),
    )
    .await;
    g.visit("wishlist", "/wishlist").await;
    g.visit("support", "/support").await;
    g.visit("support-thread", &format!("/support/{}", shop.request))
        .await;
    g.visit("product-with-review-form", &format!("/products/{p}"))
        .await;
    g.visit("cart-for-checkout", &format!("/products/{}", p + 1))
        .await;
    g.send("cart-filled", "/cart/items", &[("quantity", "1")])
        .await;
    g.visit("checkout-customer", "/checkout").await;
    g.visit("cart-with-items", "/cart").await;
    g.send("cart-voucher-refused", "/cart/voucher", &[("code", "NOPE")])
        .await;
    g.visit("addresses-empty", "/account/addresses").await;
    g.send(
        "addresses-errors",
        "/account/addresses",
        &[("name", ""), ("postcode", "!"), ("phone", "1")],
    )
    .await;

    // Staff.
    g.sign_in("boss", ADMIN_PASSWORD).await;
    g.check("dashboard-after-sign-in", Source::Dom).await;
    g.visit("admin-products", "/admin/products").await;
    g.visit("admin-product-new", "/admin/products/new").await;
    g.send(
        "admin-product-errors",
        "/admin/products",
        &[("name", ""), ("price", "abc"), ("stock", "-1")],
    )
    .await;
    g.visit("admin-product-edit", &format!("/admin/products/{p}/edit"))
        .await;
    g.visit("admin-import", "/admin/products/import").await;
    g.visit("admin-vouchers", "/admin/vouchers").await;
    g.visit("admin-voucher-new", "/admin/vouchers/new").await;
    g.send(
        "admin-voucher-errors",
        "/admin/vouchers",
        &[("amount", "500"), ("code", "x")],
    )
    .await;
    g.visit("admin-promotions", "/admin/promotions").await;
    g.visit("admin-promotion-new", "/admin/promotions/new")
        .await;
    g.visit("admin-shipping", "/admin/shipping").await;
    g.visit("admin-orders", "/admin/orders").await;
    g.visit("admin-orders-filtered", "/admin/orders?status=shipped")
        .await;
    for (status, id) in &shop.orders {
        g.visit(
            &format!("admin-order-{status}"),
            &format!("/admin/orders/{id}"),
        )
        .await;
    }
    g.visit(
        "admin-refund-confirm",
        &format!("/admin/orders/{}/refund", shop.orders[2].1),
    )
    .await;
    g.visit(
        "admin-refund-lines",
        &format!("/admin/orders/{}/refunds", shop.orders[2].1),
    )
    .await;
    g.visit("admin-reports", "/admin/reports").await;
    g.visit("admin-customers", "/admin/customers").await;
    let ada_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username_key = 'ada'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    g.visit("admin-customer", &format!("/admin/customers/{ada_id}"))
        .await;
    g.send(
        "admin-customer-errors",
        &format!("/admin/customers/{ada_id}"),
        &[("first_name", ""), ("phone", "1")],
    )
    .await;
    g.visit("admin-reviews", "/admin/reviews").await;
    g.visit("admin-support", "/admin/support").await;
    g.visit(
        "admin-support-request",
        &format!("/admin/support/{}", shop.request),
    )
    .await;

    let elapsed = started.elapsed();
    let mut problems = std::mem::take(&mut g.problems);
    problems.extend(vnu(&g.pages));
    let mut summary = format!(
        "web-quality gate: {} page states, axe-core {} (WCAG 2.0-2.2 A/AA + best practice) at 1280 px, \
         the Nu HTML Checker, a 390 px width; {:.0} s\n",
        g.checked.len(),
        axe_version(),
        elapsed.as_secs_f64()
    );
    for (i, (name, path)) in g.checked.iter().enumerate() {
        summary.push_str(&format!("  {:2}. {name:<28} {path}\n", i + 1));
    }
    summary.push_str(&format!(
        "{} axe violations, HTML errors or overflows\n",
        problems.len()
    ));
    print!("{summary}");
    std::fs::write(g.pages.join("summary.txt"), &summary).unwrap();
    c.close().await.unwrap();
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
