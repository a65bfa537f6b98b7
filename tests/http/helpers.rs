//! Test harness: the real application on port 0 with a fresh database, a cookie-keeping client
//! that does not follow redirects, and mail read back from the real outbox transport.

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use emporium::config::Settings;
use emporium::email::outbox::{self, OutboxMail};
use emporium::startup::Application;
use emporium::state::AppState;
use reqwest::cookie::CookieStore;
use secrecy::SecretString;

pub const PASSWORD: &str = "Velvet-Harbor-93-Quartz";

/// Every log line of the test process, to check that no secret is ever logged.
pub fn captured_logs() -> String {
    String::from_utf8_lossy(&LOGS.get_or_init(Default::default).lock().unwrap()).into_owned()
}

static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

#[derive(Clone)]
struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn init_logging() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let buf = LOGS.get_or_init(Default::default).clone();
        let _ = tracing_subscriber::fmt()
            .with_env_filter("info,sqlx=warn")
            .with_ansi(false)
            .with_writer(move || LogWriter(buf.clone()))
            .try_init();
    });
}

/// A browser: its own cookie jar.
#[derive(Clone)]
pub struct Browser {
    pub client: reqwest::Client,
    pub jar: Arc<reqwest::cookie::Jar>,
}

impl Browser {
    fn new() -> Self {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self { client, jar }
    }

    /// The Cookie header this browser would send.
    pub fn cookie_header(&self, base: &str) -> String {
        self.jar
            .cookies(&base.parse().unwrap())
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }
}

/// A fresh PostgreSQL database for one test, dropped afterwards.
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs inside the test's runtime; use a thread with its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                use sqlx::Connection;
                if let Ok(mut c) = sqlx::PgConnection::connect(&url).await {
                    let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                    let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut c).await;
                }
            })
        })
        .join();
    }
}

pub struct TestApp {
    pub address: String,
    pub state: AppState,
    pub browser: Browser,
    pub outbox: PathBuf,
    handle: actix_web::dev::ServerHandle,
    _dir: tempfile::TempDir,
    _pg: Option<PgDatabase>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop the workers without waiting, so the database can be dropped.
        let handle = self.handle.clone();
        drop(handle.stop(false));
    }
}

pub fn postgres_url() -> Option<String> {
    std::env::var("EMPORIUM_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(configure: impl FnOnce(&mut Settings)) -> Self {
        init_logging();
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::default();
        settings.server.port = 0;
        settings.server.workers = 2;
        settings.email.outbox_dir = dir.path().join("outbox");
        settings.security.session_key = Some(SecretString::from(
            "test-session-key-that-is-long-enough-0123456789",
        ));
        settings.security.jwt_secret = Some(SecretString::from(
            "test-jwt-secret-that-is-long-enough-0123456789",
        ));
        settings.demo.seed = false;
        let pg = match postgres_url() {
            Some(admin_url) => {
                use sqlx::Connection;
                let name = format!("emporium_test_{}", uuid::Uuid::new_v4().simple());
                // Fail loudly (never skip) when PostgreSQL was asked for but is not there.
                let mut c = sqlx::PgConnection::connect(&admin_url)
                    .await
                    .expect("EMPORIUM_TEST_POSTGRES_URL is set but PostgreSQL cannot be reached");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                    .execute(&mut c)
                    .await
                    .unwrap();
                let mut url: url::Url = admin_url.parse().unwrap();
                url.set_path(&name);
                settings.database.url = SecretString::from(url.to_string());
                Some(PgDatabase { admin_url, name })
            }
            None => {
                settings.database.url = SecretString::from(format!(
                    "sqlite://{}",
                    dir.path().join("test.db").display()
                ));
                None
            }
        };
        configure(&mut settings);
        let outbox = settings.email.outbox_dir.clone();
        let state = AppState::build(settings).await.expect("state");
        let app = Application::build_with_state(state.clone())
            .await
            .expect("app");
        let address = format!("http://127.0.0.1:{}", app.port());
        let handle = app.server_handle();
        tokio::spawn(app.run_until_stopped());
        Self {
            address,
            state,
            browser: Browser::new(),
            outbox,
            handle,
            _dir: dir,
            _pg: pg,
        }
    }

    pub fn new_browser(&self) -> Browser {
        Browser::new()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.get_as(&self.browser, path).await
    }

    pub async fn get_as(&self, b: &Browser, path: &str) -> reqwest::Response {
        b.client.get(self.url(path)).send().await.expect("request")
    }

    /// The CSRF token of the browser's session (from a page that always has a form).
    pub async fn csrf_token(&self, b: &Browser) -> String {
        let html = self
            .get_as(b, "/forgot-password")
            .await
            .text()
            .await
            .unwrap();
        extract_csrf(&html).expect("a csrf_token field")
    }

    /// Submits a form the way the page would: with the session's CSRF token.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.post_form_as(&self.browser, path, fields).await
    }

    pub async fn post_form_as(
        &self,
        b: &Browser,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let token = self.csrf_token(b).await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        b.client
            .post(self.url(path))
            .form(&all)
            .send()
            .await
            .expect("request")
    }

    pub fn mails(&self) -> Vec<OutboxMail> {
        outbox::read_all(&self.outbox)
    }

    pub fn mails_to(&self, address: &str) -> Vec<OutboxMail> {
        self.mails()
            .into_iter()
            .filter(|m| m.to == address)
            .collect()
    }

    /// Path and query of the first link in the newest mail to `address` whose subject contains
    /// `subject`.
    pub fn link_in_mail(&self, address: &str, subject: &str) -> String {
        let mail = self
            .mails_to(address)
            .into_iter()
            .rev()
            .find(|m| m.subject.contains(subject))
            .unwrap_or_else(|| panic!("no mail to {address} about {subject:?}"));
        let link = mail.links().into_iter().next().expect("a link");
        let base = &self.state.settings.server.base_url;
        assert!(
            link.starts_with(base.as_str()),
            "{link} not built from base_url"
        );
        link[base.len()..].to_string()
    }

    pub async fn user_count(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(self.state.db.pool())
            .await
            .unwrap()
    }

    pub async fn exec(&self, sql: &'static str) {
        sqlx::query(sql)
            .execute(self.state.db.pool())
            .await
            .unwrap();
    }

    /// Registers (through the form) with the given username and email.
    pub async fn register(&self, b: &Browser, username: &str, email: &str) -> reqwest::Response {
        let fields = registration_fields(username, email);
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.post_form_as(b, "/register", &refs).await
    }

    /// A registered, verified customer (not signed in).
    pub async fn verified_user(&self, username: &str) -> TestUser {
        let email = format!("{}@example.com", username.to_lowercase());
        let b = self.new_browser();
        let res = self.register(&b, username, &email).await;
        assert_eq!(
            res.status(),
            303,
            "registration failed: {}",
            res.text().await.unwrap()
        );
        let link = self.link_in_mail(&email, "Confirm your email");
        let res = self.get_as(&b, &link).await;
        assert_eq!(res.status(), 303);
        TestUser {
            email,
            password: PASSWORD.to_string(),
        }
    }

    pub async fn login_as(&self, b: &Browser, login: &str, password: &str) -> reqwest::Response {
        self.post_form_as(b, "/login", &[("email", login), ("password", password)])
            .await
    }

    /// A verified customer signed in on a new browser.
    pub async fn signed_in(&self, username: &str) -> (TestUser, Browser) {
        let user = self.verified_user(username).await;
        let b = self.new_browser();
        let res = self.login_as(&b, &user.email, &user.password).await;
        assert_eq!(res.status(), 303);
        (user, b)
    }
}

pub struct TestUser {
    pub email: String,
    pub password: String,
}

pub fn registration_fields(username: &str, email: &str) -> Vec<(&'static str, String)> {
    vec![
        ("username", username.to_string()),
        ("first_name", "Ada".to_string()),
        ("last_name", "Lovelace".to_string()),
        ("email", email.to_string()),
        ("password", PASSWORD.to_string()),
        ("password_confirm", PASSWORD.to_string()),
        ("address", "12 Analytical Row\n10115 Berlin".to_string()),
        ("phone", "+49 170 1234567".to_string()),
        ("title", "Dr".to_string()),
        ("birthday", "1990-12-10".to_string()),
    ]
}

pub fn extract_csrf(html: &str) -> Option<String> {
    let re = regex::Regex::new(r#"name="csrf_token" value="([0-9a-f]{64})""#).unwrap();
    re.captures(html).map(|c| c[1].to_string())
}

pub fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

pub const ADMIN_PASSWORD: &str = "Granite-Falcon-42-Orchard";

impl TestApp {
    /// An administrator signed in on a new browser.
    pub async fn admin(&self) -> Browser {
        emporium::accounts::admin::create_or_promote(
            &self.state,
            "boss@example.com",
            "boss",
            Some(ADMIN_PASSWORD),
        )
        .await
        .expect("admin created");
        let b = self.new_browser();
        let res = self.login_as(&b, "boss", ADMIN_PASSWORD).await;
        assert_eq!(res.status(), 303);
        b
    }

    pub async fn admin_id(&self) -> emporium::domain::UserId {
        let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username_key = 'boss'")
            .fetch_one(self.state.db.pool())
            .await
            .expect("an admin exists");
        emporium::domain::UserId::new(id)
    }

    /// A product made through the same function the admin form uses.
    pub async fn product(
        &self,
        name: &str,
        brand: &str,
        category: &str,
        price_cents: i64,
        stock: i64,
    ) -> i64 {
        use emporium::catalog::admin::{ProductInput, create, validate};
        if sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users WHERE username_key = 'boss'")
            .fetch_one(self.state.db.pool())
            .await
            .unwrap()
            == 0
        {
            emporium::accounts::admin::create_or_promote(
                &self.state,
                "boss@example.com",
                "boss",
                Some(ADMIN_PASSWORD),
            )
            .await
            .unwrap();
        }
        let input = ProductInput {
            name: name.into(),
            brand: brand.into(),
            category: category.into(),
            description: format!("{name} made by {brand}."),
            price: emporium::domain::Money::from_cents(price_cents).to_decimal(),
            stock: stock.to_string(),
            active: true,
            ..ProductInput::default()
        };
        let valid = validate(&input).expect("valid fixture");
        create(&self.state, self.admin_id().await, &valid, None)
            .await
            .expect("product")
            .get()
    }

    pub async fn seed(&self, n: usize) {
        emporium::catalog::seed::seed_if_empty(&self.state, n)
            .await
            .expect("seed");
    }

    /// Posts a multipart form with the session's CSRF token.
    pub async fn post_multipart(
        &self,
        b: &Browser,
        path: &str,
        form: reqwest::multipart::Form,
    ) -> reqwest::Response {
        let token = self.csrf_token(b).await;
        let form = form.text("csrf_token", token);
        b.client
            .post(self.url(path))
            .multipart(form)
            .send()
            .await
            .expect("request")
    }
}

/// A real PNG of the given size.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

/// The product ids a listing page links to, in order.
pub fn product_ids(html: &str) -> Vec<i64> {
    let re = regex::Regex::new(r#"<a href="/products/(\d+)" class="card-link">"#).unwrap();
    re.captures_iter(html)
        .map(|c| c[1].parse().unwrap())
        .collect()
}

/// Prices shown on a listing page, in cents.
pub fn prices(html: &str) -> Vec<i64> {
    let re = regex::Regex::new(r#"<span class="card-price">€([\d,]+)\.(\d\d)</span>"#).unwrap();
    re.captures_iter(html)
        .map(|c| c[1].replace(',', "").parse::<i64>().unwrap() * 100 + c[2].parse::<i64>().unwrap())
        .collect()
}

pub const GOOD_CARD: &str = "4242 4242 4242 4242";

impl TestApp {
    /// Puts units of a product in this browser's cart through the product page's form.
    pub async fn add_to_cart(&self, b: &Browser, product: i64, quantity: i64) -> reqwest::Response {
        self.post_form_as(
            b,
            "/cart/items",
            &[
                ("product_id", &product.to_string()),
                ("quantity", &quantity.to_string()),
            ],
        )
        .await
    }

    /// The checkout form's one-time token.
    pub async fn checkout_token(&self, b: &Browser) -> String {
        let html = self.get_as(b, "/checkout").await.text().await.unwrap();
        let re = regex::Regex::new(r#"name="checkout_token" value="([0-9a-f]{64})""#).unwrap();
        re.captures(&html)
            .map(|c| c[1].to_string())
            .expect("a checkout form")
    }

    /// Submits the checkout with a card (number, expiry, cvc) and the given token.
    pub async fn pay_with_token(
        &self,
        b: &Browser,
        token: &str,
        card: &str,
        expiry: &str,
        cvc: &str,
    ) -> reqwest::Response {
        self.post_form_as(
            b,
            "/checkout",
            &[
                ("checkout_token", token),
                ("shipping_address", "12 Analytical Row\n10115 Berlin"),
                ("card_name", "Ada Lovelace"),
                ("card_number", card),
                ("card_expiry", expiry),
                ("card_cvc", cvc),
            ],
        )
        .await
    }

    pub async fn pay(&self, b: &Browser, card: &str) -> reqwest::Response {
        let token = self.checkout_token(b).await;
        self.pay_with_token(b, &token, card, "12/30", "123").await
    }

    pub async fn stock(&self, product: i64) -> i64 {
        sqlx::query_scalar("SELECT stock FROM products WHERE id = $1")
            .bind(product)
            .fetch_one(self.state.db.pool())
            .await
            .unwrap()
    }

    pub async fn order_count(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM orders")
            .fetch_one(self.state.db.pool())
            .await
            .unwrap()
    }

    /// A signed-in customer who has bought `quantity` of `product`; returns the order id.
    pub async fn bought(&self, b: &Browser, product: i64, quantity: i64) -> i64 {
        assert_eq!(self.add_to_cart(b, product, quantity).await.status(), 303);
        let res = self.pay(b, GOOD_CARD).await;
        assert_eq!(
            res.status(),
            303,
            "checkout failed: {}",
            res.text().await.unwrap()
        );
        location(&res)
            .trim_start_matches("/orders/")
            .parse()
            .unwrap()
    }
}
