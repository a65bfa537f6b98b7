//! Test harness: the real application on port 0 with a fresh database, a cookie-keeping client
//! that does not follow redirects, and mail read back from the real outbox transport.
//!
//! - this module: the application, browsers, forms, mail, redirects
//! - `accounts`: customers and admins (register, verify, sign in, reset a password)
//! - `catalog`: products and demo data
//! - `shop`: cart and checkout
//! - `html`: reading pages with CSS selectors
//! - `api`: one helper per JSON API endpoint

pub mod accounts;
pub mod api;
pub mod catalog;
pub mod html;
pub mod shop;

pub use accounts::{PASSWORD, registration_fields};
pub use catalog::png;
pub use html::{Html, extract_csrf, prices, product_ids};
pub use shop::{GOOD_CARD, every_order_has_its_invoice, guests_at_checkout, submit};

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use emporium::config::Settings;
use emporium::email::outbox::{self, OutboxMail};
use emporium::startup::Application;
use emporium::state::AppState;
use reqwest::cookie::CookieStore;
use secrecy::SecretString;

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
            // Idle connections are dropped well before the store's 5 s keep-alive closes them,
            // so a request is never sent on a connection the server is closing.
            .pool_idle_timeout(std::time::Duration::from_secs(2))
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
        run_beside(async move {
            use sqlx::Connection;
            if let Ok(mut c) = sqlx::PgConnection::connect(&url).await {
                let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut c).await;
            }
        });
    }
}

/// Runs `work` to its end from a `Drop`, which runs inside the test's runtime: on a thread with
/// a runtime of its own.
pub fn run_beside(work: impl std::future::Future<Output = ()> + Send + 'static) {
    let _ = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(work)
    })
    .join();
}

pub struct TestApp {
    pub address: String,
    pub state: AppState,
    pub browser: Browser,
    pub outbox: PathBuf,
    /// The plain HTTP port that redirects to HTTPS (TLS apps with `http_redirect_port`).
    pub redirect_port: Option<u16>,
    pub handle: actix_web::dev::ServerHandle,
    /// The database and the folder of its files (outbox, SQLite file).
    db: EmptyDatabase,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop the workers without waiting, so the database can be dropped.
        let handle = self.handle.clone();
        drop(handle.stop(false));
    }
}

/// A database no store has touched yet (SQLite file or PostgreSQL database, as the suite runs),
/// dropped afterwards.
pub struct EmptyDatabase {
    pub url: String,
    pub dir: tempfile::TempDir,
    _pg: Option<PgDatabase>,
}

pub async fn empty_database() -> EmptyDatabase {
    let dir = tempfile::tempdir().unwrap();
    match postgres_url() {
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
            EmptyDatabase {
                url: url.to_string(),
                dir,
                _pg: Some(PgDatabase { admin_url, name }),
            }
        }
        None => EmptyDatabase {
            url: format!("sqlite://{}", dir.path().join("test.db").display()),
            dir,
            _pg: None,
        },
    }
}

/// A port nothing listens on now (for processes that take a fixed port).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
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
        let db = empty_database().await;
        let mut settings = Settings::default();
        settings.server.port = 0;
        settings.server.workers = 2;
        settings.email.outbox_dir = db.dir.path().join("outbox");
        settings.security.session_key = Some(SecretString::from(
            "test-session-key-that-is-long-enough-0123456789",
        ));
        settings.security.jwt_secret = Some(SecretString::from(
            "test-jwt-secret-that-is-long-enough-0123456789",
        ));
        settings.demo.seed = false;
        settings.database.url = SecretString::from(db.url.clone());
        configure(&mut settings);
        let outbox = settings.email.outbox_dir.clone();
        let state = AppState::build(settings).await.expect("state");
        let app = Application::build_with_state(state.clone())
            .await
            .expect("app");
        // A TLS app's certificate is for localhost, not for the address.
        let address = if state.settings.server.tls() {
            format!("https://localhost:{}", app.port())
        } else {
            format!("http://127.0.0.1:{}", app.port())
        };
        let redirect_port = app.redirect_port();
        let handle = app.server_handle();
        tokio::spawn(app.run_until_stopped());
        Self {
            address,
            state,
            browser: Browser::new(),
            outbox,
            handle,
            redirect_port,
            db,
        }
    }

    /// `emporium <command>` as its own process on this app's database, with its files under
    /// `dir` and the tests' session key (signals, crashes, the command line).
    pub fn store_process(&self, command: &str, port: u16, dir: &Path) -> std::process::Command {
        use secrecy::ExposeSecret;
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_emporium"));
        c.arg(command)
            .env_remove("EMPORIUM_CONFIG")
            .env(
                "EMPORIUM_DATABASE__URL",
                self.state.settings.database.url.expose_secret(),
            )
            .env("EMPORIUM_SERVER__PORT", port.to_string())
            .env("EMPORIUM_SERVER__WORKERS", "2")
            .env("EMPORIUM_DEMO__SEED", "false")
            .env("EMPORIUM_MEDIA__DIR", dir.join("media"))
            .env("EMPORIUM_EMAIL__OUTBOX_DIR", dir.join("outbox"))
            .env(
                "EMPORIUM_SECURITY__SESSION_KEY",
                "test-session-key-that-is-long-enough-0123456789",
            );
        c
    }

    /// Sends this app's requests to a store process on `port`, once it answers.
    pub async fn use_process(&mut self, port: u16) {
        self.address = format!("http://127.0.0.1:{port}");
        for _ in 0..200 {
            if let Ok(r) = self.browser.client.get(self.url("/healthz")).send().await {
                assert_eq!(r.status(), 200, "the store's health");
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the store did not start");
    }

    /// The SQLite file of this app (tests on SQLite only).
    pub fn sqlite_path(&self) -> PathBuf {
        self.db.dir.path().join("test.db")
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

    /// A page's HTML, after checking it answered 200.
    pub async fn get_html(&self, b: &Browser, path: &str) -> Html {
        let res = self.get_as(b, path).await;
        assert_eq!(res.status(), 200, "GET {path}");
        Html::parse(&res.text().await.unwrap())
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

    /// Lets the mail queue deliver what is due (whatever the transport).
    pub async fn deliver_mail(&self) {
        emporium::email::queue::settle(&self.state, std::time::Duration::from_secs(10))
            .await
            .expect("the mail queue is readable");
    }

    /// Every mail delivered so far, after the queue has delivered what is due (the real worker
    /// runs too; this waits for it the way a person waits for their inbox).
    pub async fn mails(&self) -> Vec<OutboxMail> {
        emporium::email::queue::settle(&self.state, std::time::Duration::from_secs(10))
            .await
            .expect("the mail queue is readable");
        outbox::read_all(&self.outbox)
    }

    pub async fn mails_to(&self, address: &str) -> Vec<OutboxMail> {
        self.mails()
            .await
            .into_iter()
            .filter(|m| m.to == address)
            .collect()
    }

    /// Path and query of the first link in the newest mail to `address` whose subject contains
    /// `subject`.
    pub async fn link_in_mail(&self, address: &str, subject: &str) -> String {
        let mail = self
            .mails_to(address)
            .await
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
}

pub fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// Asserts a 303 to exactly `target` (path and query).
#[track_caller]
pub fn assert_is_redirect_to(res: &reqwest::Response, target: &str) {
    assert_eq!(res.status(), 303, "expected a redirect to {target}");
    assert_eq!(location(res), target);
}
