//! Browser tests in Debian's Chromium through chromedriver (WebDriver), driven by fantoccini.
//! Built only with `--features browser-tests`; they fail (never skip) when the browser is missing.
//! Screenshots go to `target/browser-artifacts/`.

// Test and benchmark code may panic on a broken setup; the store's code may not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod keyboard;
mod quality;

#[path = "../http/helpers/mod.rs"]
// The HTTP suite's helpers; this suite uses a few of them.
#[allow(dead_code, unused_imports)]
mod helpers;

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use helpers::{PASSWORD, TestApp};

const CHROME_ARGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1200,900",
];

/// chromedriver, killed when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let binary = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let child = Command::new(&binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {binary} (apt-get install chromium chromium-driver): {e}")
            });
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Self { child, port }
    }

    async fn client(&self) -> Client {
        let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({ "binary": binary, "args": CHROME_ARGS }),
        );
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a WebDriver session in Chromium")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn artifact(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/browser-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

async fn fill(c: &Client, id: &str, value: &str) {
    let el = c
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|_| panic!("no field #{id}"));
    el.clear().await.unwrap();
    el.send_keys(value).await.unwrap();
}

async fn submit(c: &Client, form_action: &str) {
    let button = c
        .find(Locator::Css(&format!(
            r#"form[action="{form_action}"] button[type="submit"]"#
        )))
        .await
        .unwrap();
    click_and_wait(c, button).await;
}

/// Marks the current document, so that `wait_for_new_page` can tell when the next one has
/// loaded, even at the same address (WebDriver does not reliably wait for form submissions).
async fn mark_page(c: &Client) {
    c.execute("window.__emporiumOld = true;", vec![])
        .await
        .unwrap();
}

async fn wait_for_new_page(c: &Client) {
    let started = Instant::now();
    loop {
        let done = c
            .execute(
                "return !window.__emporiumOld && document.readyState === 'complete';",
                vec![],
            )
            .await
            .unwrap_or(serde_json::Value::Bool(false));
        if done == serde_json::Value::Bool(true) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the next page did not load"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Clicks and waits until the next document has loaded.
async fn click_and_wait(c: &Client, element: fantoccini::elements::Element) {
    mark_page(c).await;
    element.click().await.unwrap();
    wait_for_new_page(c).await;
}

async fn path_of(c: &Client) -> String {
    let url = c.current_url().await.unwrap();
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

async fn body_text(c: &Client) -> String {
    c.find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_verify_sign_in_see_account_sign_out() {
    let app = TestApp::spawn().await;
    let driver = Driver::start();
    let c = driver.client().await;

    c.goto(&app.url("/register")).await.unwrap();
    fill(&c, "username", "grace").await;
    fill(&c, "email", "grace@example.com").await;
    fill(&c, "password", PASSWORD).await;
    fill(&c, "password_confirm", PASSWORD).await;
    fill(&c, "title", "Rear Admiral").await;
    fill(&c, "first_name", "Grace").await;
    fill(&c, "last_name", "Hopper").await;
    fill(&c, "address", "1 Compiler Way\nArlington").await;
    fill(&c, "phone", "+1 202 555 0100").await;
    // One mistake first: the form comes back with the message and the values kept.
    fill(&c, "phone", "555").await;
    submit(&c, "/register").await;
    assert!(body_text(&c).await.contains("international form"));
    assert_eq!(
        c.find(Locator::Id("first_name"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("Grace")
    );
    std::fs::write(
        artifact("01-register-errors.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    fill(&c, "password", PASSWORD).await;
    fill(&c, "password_confirm", PASSWORD).await;
    fill(&c, "phone", "+1 202 555 0100").await;
    submit(&c, "/register").await;
    assert_eq!(path_of(&c).await, "/login", "{}", body_text(&c).await);
    assert!(
        body_text(&c)
            .await
            .contains("confirmation link is on its way to grace@example.com")
    );

    // Open the mailed link.
    let link = app
        .link_in_mail("grace@example.com", "Confirm your email")
        .await;
    c.goto(&app.url(&link)).await.unwrap();
    assert_eq!(path_of(&c).await, "/login");
    assert!(body_text(&c).await.contains("email address is confirmed"));

    fill(&c, "email", "grace").await;
    fill(&c, "password", PASSWORD).await;
    submit(&c, "/login").await;
    assert_eq!(path_of(&c).await, "/account");
    let text = body_text(&c).await;
    assert!(text.contains("Welcome back, Grace!"));
    assert!(text.contains("grace@example.com") && text.contains("Rear Admiral Grace Hopper"));
    std::fs::write(artifact("02-account.png"), c.screenshot().await.unwrap()).unwrap();

    submit(&c, "/logout").await;
    assert_eq!(path_of(&c).await, "/login?signed_out=1");
    assert!(body_text(&c).await.contains("You have been signed out."));
    c.goto(&app.url("/account")).await.unwrap();
    assert_eq!(path_of(&c).await, "/login?next=%2Faccount");
    std::fs::write(artifact("03-signed-out.png"), c.screenshot().await.unwrap()).unwrap();
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_creates_a_product_with_an_image_and_finds_it_in_the_catalogue() {
    let app = TestApp::spawn().await;
    app.seed(12).await;
    emporium::accounts::admin::create_or_promote(
        &app.state,
        "boss@example.com",
        "boss",
        Some(helpers::accounts::ADMIN_PASSWORD),
        emporium::domain::StaffRole::Admin,
    )
    .await
    .unwrap();
    let picture = std::env::temp_dir().join(format!("emporium-upload-{}.png", std::process::id()));
    std::fs::write(&picture, helpers::png(900, 600)).unwrap();
    let driver = Driver::start();
    let c = driver.client().await;

    c.goto(&app.url("/admin/products/new")).await.unwrap();
    assert_eq!(path_of(&c).await, "/login?next=%2Fadmin%2Fproducts%2Fnew");
    fill(&c, "email", "boss").await;
    fill(&c, "password", helpers::accounts::ADMIN_PASSWORD).await;
    submit(&c, "/login").await;
    assert_eq!(path_of(&c).await, "/admin/products/new");

    fill(&c, "name", "Moonlight Teapot").await;
    fill(&c, "brand", "Kettleby").await;
    fill(&c, "category", "Tea & Coffee").await;
    fill(&c, "price", "24.90").await;
    fill(&c, "stock", "4").await;
    fill(&c, "description", "A glazed teapot for long evenings.").await;
    c.find(Locator::Id("image"))
        .await
        .unwrap()
        .send_keys(picture.to_str().unwrap())
        .await
        .unwrap();
    submit(&c, "/admin/products").await;
    assert!(path_of(&c).await.ends_with("/edit"));
    assert!(
        body_text(&c)
            .await
            .contains("Product \u{201c}Moonlight Teapot\u{201d} created.")
    );
    std::fs::write(
        artifact("04-admin-product-created.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();

    c.goto(&app.url("/")).await.unwrap();
    fill(&c, "header-q", "moonlight").await;
    click_and_wait(
        &c,
        c.find(Locator::Css(".header-search button")).await.unwrap(),
    )
    .await;
    assert_eq!(path_of(&c).await, "/products?q=moonlight");
    let text = body_text(&c).await;
    assert!(
        text.contains("1 product") && text.contains("Moonlight Teapot") && text.contains("€24.90")
    );
    assert!(text.contains("Only 4 left"));
    let img = c.find(Locator::Css(".card img")).await.unwrap();
    let loaded = c
        .execute(
            "return arguments[0].complete && arguments[0].naturalWidth",
            vec![serde_json::to_value(&img).unwrap()],
        )
        .await
        .unwrap();
    assert_eq!(
        loaded,
        serde_json::json!(400),
        "the thumbnail is served and decoded"
    );
    std::fs::write(
        artifact("05-catalogue-search.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    c.close().await.unwrap();
    let _ = std::fs::remove_file(picture);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browse_add_to_cart_sign_in_check_out_and_open_the_invoice() {
    let app = TestApp::spawn().await;
    app.seed(24).await;
    let user = app.verified_user("grace").await;
    let driver = Driver::start();
    let c = driver.client().await;

    // Browse as a guest and put a product in the cart.
    c.goto(&app.url("/products?category=kitchen"))
        .await
        .unwrap();
    click_and_wait(&c, c.find(Locator::Css(".card-link")).await.unwrap()).await;
    let product_path = path_of(&c).await;
    assert!(product_path.starts_with("/products/"));
    let name = c
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    fill(&c, "quantity", "2").await;
    submit(&c, "/cart/items").await;
    assert_eq!(path_of(&c).await, "/cart");
    assert!(body_text(&c).await.contains(&format!("Added 2 × {name}")));

    // Checkout says signing in is optional; the customer signs in from there and comes back
    // with the guest cart kept.
    click_and_wait(
        &c,
        c.find(Locator::Css(r#"a[href="/checkout"]"#))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(path_of(&c).await, "/checkout");
    assert!(body_text(&c).await.contains("Signing in is optional"));
    click_and_wait(
        &c,
        c.find(Locator::Css(r#"a[href="/login?next=%2Fcheckout"]"#))
            .await
            .unwrap(),
    )
    .await;
    fill(&c, "email", &user.email).await;
    fill(&c, "password", helpers::PASSWORD).await;
    submit(&c, "/login").await;
    assert_eq!(path_of(&c).await, "/checkout");
    assert!(body_text(&c).await.contains(&name));
    fill(&c, "card_name", "Grace Hopper").await;
    fill(&c, "card_number", "4242 4242 4242 4242").await;
    fill(&c, "card_expiry", "12/30").await;
    fill(&c, "card_cvc", "123").await;
    std::fs::write(artifact("06-checkout.png"), c.screenshot().await.unwrap()).unwrap();
    submit(&c, "/checkout").await;
    let order_path = path_of(&c).await;
    assert!(order_path.starts_with("/orders/"), "{order_path}");
    let text = body_text(&c).await;
    assert!(
        text.contains("Your order is confirmed and paid")
            && text.contains("Payment received (Visa •••• 4242)")
    );
    std::fs::write(artifact("07-order.png"), c.screenshot().await.unwrap()).unwrap();

    // The invoice page and its PDF link.
    click_and_wait(
        &c,
        c.find(Locator::Css(r#"a[href$="/invoice"]"#))
            .await
            .unwrap(),
    )
    .await;
    assert!(path_of(&c).await.ends_with("/invoice"));
    assert!(body_text(&c).await.contains("Bill to"));
    std::fs::write(artifact("08-invoice.png"), c.screenshot().await.unwrap()).unwrap();
    let pdf_link = c
        .find(Locator::Css(r#"a[href$="/invoice.pdf"]"#))
        .await
        .unwrap();
    let href = pdf_link.attr("href").await.unwrap().expect("a PDF link");
    // Fetch the PDF with the browser's own session, as the link would.
    let fetched = c
        .execute_async(
            "const done = arguments[arguments.length - 1];\
             fetch(arguments[0]).then(r => Promise.all([r.status, r.headers.get('content-type'), r.arrayBuffer()]))\
             .then(([s, t, b]) => done([s, t, new TextDecoder('latin1').decode(new Uint8Array(b).slice(0, 5))]));",
            vec![serde_json::json!(href)],
        )
        .await
        .unwrap();
    assert_eq!(
        fetched,
        serde_json::json!([200, "application/pdf", "%PDF-"])
    );
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swagger_ui_works_offline_and_calls_the_api() {
    let app = TestApp::spawn().await;
    app.seed(5).await;
    let driver = Driver::start();
    let c = driver.client().await;

    // Chromium runs with background networking off and the page's CSP allows only this host,
    // so everything below comes from the binary.
    c.goto(&app.url("/api/docs")).await.unwrap();
    assert_eq!(path_of(&c).await, "/api/docs/");
    let wait = Duration::from_secs(15);
    let op = c
        .wait()
        .at_most(wait)
        .for_element(Locator::Css(
            r#".opblock-summary-path[data-path="/api/v1/product/"]"#,
        ))
        .await
        .expect("Swagger UI rendered the operations");
    let paths = c
        .find_all(Locator::Css(".opblock-summary-path"))
        .await
        .unwrap()
        .len();
    assert!(paths >= 15, "{paths} operations shown");
    assert!(body_text(&c).await.contains("Emporium API"));

    // Try it out: list the products through the UI.
    op.click().await.unwrap();
    let block = c
        .wait()
        .at_most(wait)
        .for_element(Locator::Css("#operations-products-listProducts"))
        .await
        .unwrap();
    click_and_settle(&block, ".try-out__btn", wait).await;
    click_and_settle(&block, ".execute", wait).await;
    let status = wait_within(
        &block,
        ".live-responses-table tr.response .response-col_status",
        wait,
    )
    .await
    .text()
    .await
    .unwrap();
    std::fs::write(artifact("07-swagger-ui.png"), c.screenshot().await.unwrap()).unwrap();
    let curl = block
        .find(Locator::Css(".curl-command"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(status.trim(), "200", "{curl}");
    c.close().await.unwrap();
}

/// The first element matching `css` inside `scope`, waiting for it to appear.
async fn wait_within(
    scope: &fantoccini::elements::Element,
    css: &str,
    wait: Duration,
) -> fantoccini::elements::Element {
    let until = Instant::now() + wait;
    loop {
        match scope.find(Locator::Css(css)).await {
            Ok(e) => return e,
            Err(_) if Instant::now() < until => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            Err(e) => panic!("{css} did not appear: {e}"),
        }
    }
}

async fn click_and_settle(scope: &fantoccini::elements::Element, css: &str, wait: Duration) {
    wait_within(scope, css, wait).await.click().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn save_a_product_to_the_wishlist_and_move_it_to_the_cart() {
    let app = TestApp::spawn().await;
    app.seed(24).await;
    let user = app.verified_user("grace").await;
    let driver = Driver::start();
    let c = driver.client().await;

    // A guest saves a product: sign in first, then it is on the wishlist.
    c.goto(&app.url("/products?category=kitchen"))
        .await
        .unwrap();
    click_and_wait(&c, c.find(Locator::Css(".card-link")).await.unwrap()).await;
    let product_path = path_of(&c).await;
    let name = c
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let wish_action = product_path.replace("/products/", "/wishlist/");
    submit(&c, &wish_action).await;
    assert_eq!(path_of(&c).await, "/login?next=%2Fwishlist");
    fill(&c, "email", &user.email).await;
    fill(&c, "password", helpers::PASSWORD).await;
    submit(&c, "/login").await;
    assert_eq!(path_of(&c).await, "/wishlist");
    assert!(body_text(&c).await.contains(&name));
    std::fs::write(artifact("09-wishlist.png"), c.screenshot().await.unwrap()).unwrap();

    // Move to cart: it leaves the wishlist and lands in the cart.
    submit(&c, &format!("{wish_action}/move")).await;
    assert_eq!(path_of(&c).await, "/cart");
    let cart = body_text(&c).await;
    assert!(
        cart.contains(&format!("Moved {name} to your cart")),
        "{cart}"
    );
    c.goto(&app.url("/wishlist")).await.unwrap();
    assert!(body_text(&c).await.contains("Nothing saved yet"));
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_member_answers_a_support_request() {
    let app = TestApp::spawn().await;
    let (_, ada) = app.signed_in("ada").await;
    let res = app
        .post_form_as(
            &ada,
            "/support",
            &[
                ("subject", "Parcel damaged"),
                ("message", "The box arrived crushed."),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    app.staff("sam", &[emporium::domain::StaffRole::Support])
        .await;
    let driver = Driver::start();
    let c = driver.client().await;
    c.goto(&app.url("/login")).await.unwrap();
    fill(&c, "email", "sam").await;
    fill(&c, "password", helpers::accounts::ADMIN_PASSWORD).await;
    submit(&c, "/login").await;
    assert_eq!(path_of(&c).await, "/admin", "staff land on the dashboard");
    let menu = c.find(Locator::LinkText("Support")).await.unwrap();
    click_and_wait(&c, menu).await;
    let request = c.find(Locator::LinkText("Parcel damaged")).await.unwrap();
    click_and_wait(&c, request).await;
    let page = path_of(&c).await;
    assert!(body_text(&c).await.contains("The box arrived crushed."));
    fill(&c, "message", "Sorry! A new one is on its way.").await;
    submit(&c, &page).await;
    let text = body_text(&c).await;
    assert!(text.contains("Answer sent to the customer."), "{text}");
    assert!(text.contains("Waiting for customer"), "{text}");
    std::fs::write(
        artifact("10-support-answer.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    let mails = app.mails_to("ada@example.com").await;
    assert!(
        mails
            .iter()
            .any(|m| m.text.contains("A new one is on its way."))
    );
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_deactivates_a_customer_whose_browser_is_signed_in() {
    let app = TestApp::spawn().await;
    let user = app.verified_user("grace").await;
    emporium::accounts::admin::create_or_promote(
        &app.state,
        "boss@example.com",
        "boss",
        Some(helpers::accounts::ADMIN_PASSWORD),
        emporium::domain::StaffRole::Admin,
    )
    .await
    .unwrap();
    let driver = Driver::start();
    let customer = driver.client().await;
    customer.goto(&app.url("/login")).await.unwrap();
    fill(&customer, "email", &user.email).await;
    fill(&customer, "password", helpers::PASSWORD).await;
    submit(&customer, "/login").await;
    assert_eq!(path_of(&customer).await, "/account");

    let admin = driver.client().await;
    admin.goto(&app.url("/login")).await.unwrap();
    fill(&admin, "email", "boss").await;
    fill(&admin, "password", helpers::accounts::ADMIN_PASSWORD).await;
    submit(&admin, "/login").await;
    assert_eq!(path_of(&admin).await, "/admin");
    std::fs::write(
        artifact("12-dashboard.png"),
        admin.screenshot().await.unwrap(),
    )
    .unwrap();
    admin
        .goto(&app.url("/admin/customers?q=grace"))
        .await
        .unwrap();
    let row = admin
        .find(Locator::Css("tbody td:first-child a"))
        .await
        .unwrap();
    click_and_wait(&admin, row).await;
    let ask = admin
        .find(Locator::LinkText("Deactivate the account…"))
        .await
        .unwrap();
    click_and_wait(&admin, ask).await;
    assert!(body_text(&admin).await.contains("signed out at once"));
    let yes = admin
        .find(Locator::Css("form.danger-zone button[type=submit]"))
        .await
        .unwrap();
    click_and_wait(&admin, yes).await;
    assert!(
        body_text(&admin)
            .await
            .contains("The account is deactivated")
    );
    std::fs::write(
        artifact("11-deactivated.png"),
        admin.screenshot().await.unwrap(),
    )
    .unwrap();

    // The customer's open browser is signed out on its next page.
    customer.goto(&app.url("/account")).await.unwrap();
    assert_eq!(path_of(&customer).await, "/login?next=%2Faccount");
    admin.close().await.unwrap();
    customer.close().await.unwrap();
}

/// Issue 18's purchase: a size-M blue T-shirt (a variant chosen with plain selects), a voucher
/// on the cart, express shipping to the customer's second address, billed to the first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buy_a_size_m_blue_tshirt_with_a_voucher_and_express_shipping_to_a_second_address() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let tee = app
        .product("Cotton Tee", "Fieldhouse", "Clothing", 2000, 0)
        .await;
    let post = |path: String, fields: Vec<(&'static str, &'static str)>| {
        let (app, admin) = (&app, &admin);
        async move {
            let res = app.post_form_as(admin, &path, &fields).await;
            assert_eq!(res.status(), 303, "{path}");
        }
    };
    post(
        format!("/admin/products/{tee}/options"),
        vec![("options", "Size, Colour")],
    )
    .await;
    for (size, colour, sku) in [
        ("M", "Blue", "TEE-M-B"),
        ("M", "Red", "TEE-M-R"),
        ("L", "Blue", "TEE-L-B"),
    ] {
        // The add-variant form is multipart (it may carry a picture).
        let form = reqwest::multipart::Form::new()
            .text("option1", size)
            .text("option2", colour)
            .text("sku", sku)
            .text("stock", "4");
        let res = app
            .post_multipart(&admin, &format!("/admin/products/{tee}/variants"), form)
            .await;
        assert_eq!(res.status(), 303, "{sku}");
    }
    let voucher = vec![
        ("name", "Launch"),
        ("kind", "percent"),
        ("amount", "10"),
        ("code", "TEE10"),
    ];
    post("/admin/vouchers".to_string(), voucher).await;
    let user = app.verified_user("grace").await;
    let driver = Driver::start();
    let c = driver.client().await;

    // Sign in and keep two addresses: home (the first, so the default) and the office abroad.
    c.goto(&app.url("/login")).await.unwrap();
    fill(&c, "email", &user.email).await;
    fill(&c, "password", PASSWORD).await;
    submit(&c, "/login").await;
    c.goto(&app.url("/account/addresses")).await.unwrap();
    for (name, street, postcode, city, country) in [
        ("Grace Hopper", "1 Harbour Lane", "20095", "Hamburg", "DE"),
        ("Grace at the Lab", "5 Ring Street", "1010", "Wien", "AT"),
    ] {
        fill(&c, "name", name).await;
        fill(&c, "street", street).await;
        fill(&c, "postcode", postcode).await;
        fill(&c, "city", city).await;
        c.find(Locator::Id("country"))
            .await
            .unwrap()
            .select_by_value(country)
            .await
            .unwrap();
        submit(&c, "/account/addresses").await;
        assert!(body_text(&c).await.contains("Address saved."));
    }
    let office: i64 = sqlx::query_scalar("SELECT id FROM addresses WHERE city = 'Wien'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();

    // The product page: choose M and Blue with the selects.
    c.goto(&app.url(&format!("/products/{tee}"))).await.unwrap();
    for (select, value) in [("option1", "M"), ("option2", "Blue")] {
        c.find(Locator::Id(select))
            .await
            .unwrap()
            .select_by_value(value)
            .await
            .unwrap();
    }
    submit(&c, "/cart/items").await;
    assert_eq!(path_of(&c).await, "/cart");
    assert!(body_text(&c).await.contains("Cotton Tee (M / Blue)"));

    // The voucher on the cart.
    fill(&c, "voucher-code", "tee10").await;
    submit(&c, "/cart/voucher").await;
    let text = body_text(&c).await;
    assert!(text.contains("Voucher TEE10 applied: €2.00 off."), "{text}");
    std::fs::write(
        artifact("18-cart-voucher.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();

    // Checkout: the office, express, then the totals for that choice, then pay.
    click_and_wait(
        &c,
        c.find(Locator::Css(r#"a[href="/checkout"]"#))
            .await
            .unwrap(),
    )
    .await;
    c.find(Locator::Css(&format!(
        r#"input[name="address_id"][value="{office}"]"#
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    click_and_wait(
        &c,
        c.find(Locator::Css(r#"button[name="update"]"#))
            .await
            .unwrap(),
    )
    .await;
    assert!(body_text(&c).await.contains("Shipping to Austria"));
    c.find(Locator::Css(
        r#"input[name="shipping_method"][value="express"]"#,
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    click_and_wait(
        &c,
        c.find(Locator::Css(r#"button[name="update"]"#))
            .await
            .unwrap(),
    )
    .await;
    // 20.00 − 2.00 + express to Austria 19.95.
    let text = body_text(&c).await;
    assert!(text.contains("Pay €37.95 and place the order"), "{text}");
    fill(&c, "card_name", "Grace Hopper").await;
    fill(&c, "card_number", "4242 4242 4242 4242").await;
    fill(&c, "card_expiry", "12/30").await;
    fill(&c, "card_cvc", "123").await;
    std::fs::write(artifact("18-checkout.png"), c.screenshot().await.unwrap()).unwrap();
    submit(&c, "/checkout").await;
    let order_path = path_of(&c).await;
    assert!(order_path.starts_with("/orders/"), "{order_path}");
    let text = body_text(&c).await;
    for expected in [
        "Your order is confirmed and paid",
        "Cotton Tee (M / Blue)",
        "Voucher TEE10",
        "Express delivery",
        "5 Ring Street",
        "1 Harbour Lane",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
    std::fs::write(artifact("18-order.png"), c.screenshot().await.unwrap()).unwrap();
    let (country, method, total): (String, String, i64) =
        sqlx::query_as("SELECT shipping_country, shipping_method, total_cents FROM orders")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(
        (country.as_str(), method.as_str(), total),
        ("AT", "express", 3795)
    );
    let stock: i64 = sqlx::query_scalar("SELECT stock FROM product_variants WHERE sku = 'TEE-M-B'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(stock, 3);
    c.close().await.unwrap();
}
