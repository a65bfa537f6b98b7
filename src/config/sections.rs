//! The settings' sections: each with its defaults (the same values `config.toml` lists; a test
//! compares them) and the rules serde cannot express, naming the key at fault.

use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::ConfigError;
use super::networks::Networks;

pub(super) fn invalid(key: &'static str, reason: impl Into<String>) -> Result<(), ConfigError> {
    Err(ConfigError::Invalid {
        key,
        reason: reason.into(),
    })
}

fn at_least_one(pairs: &[(&'static str, u32)]) -> Result<(), ConfigError> {
    for (key, value) in pairs {
        if *value == 0 {
            return invalid(key, "must be at least 1");
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreSettings {
    /// The shop's name as customers know it (passwords may not contain its words).
    pub name: String,
    /// ISO 4217 code; EUR, USD and GBP are shown with their symbol.
    pub currency: String,
    /// The standard VAT rate, in percent (prices include VAT).
    pub vat_percent: u32,
    /// The reduced rate (products of the reduced tax class: books, food, …).
    pub reduced_vat_percent: u32,
    /// The zero rate (products of the zero tax class), normally 0.
    pub zero_vat_percent: u32,
    /// The tax class shipping is charged at.
    pub shipping_tax_class: crate::domain::TaxClass,
    /// Standard delivery at home and the basket value from which it is free: the first start
    /// makes the shipping methods from them (`shipping::ensure_defaults`); staff change them at
    /// `/admin/shipping` afterwards.
    pub shipping_cents: i64,
    pub free_shipping_over_cents: i64,
    /// The seller on invoices.
    pub legal_name: String,
    pub address: String,
    pub vat_id: String,
    /// The seller's country (ISO 3166-1 alpha-2), for e-invoices; buyers are taken to be in it.
    pub country_code: String,
    /// Mail invoices and credit notes as Factur-X (PDF/A-3 with the EN 16931 XML inside)
    /// instead of the plain PDF.
    pub mail_facturx: bool,
    /// The shop's time zone (IANA name): times told to customers are in it.
    pub time_zone: String,
}

impl Default for StoreSettings {
    fn default() -> Self {
        Self {
            name: "Emporium".into(),
            currency: "EUR".into(),
            vat_percent: 19,
            reduced_vat_percent: 7,
            zero_vat_percent: 0,
            shipping_tax_class: crate::domain::TaxClass::Standard,
            shipping_cents: 495,
            free_shipping_over_cents: 5000,
            legal_name: "Emporium GmbH".into(),
            address: "1 Market Square\n10115 Berlin\nGermany".into(),
            vat_id: "DE000000000".into(),
            country_code: "DE".into(),
            mail_facturx: false,
            time_zone: "Europe/Berlin".into(),
        }
    }
}

impl StoreSettings {
    /// The VAT rate of a tax class, in percent.
    pub fn vat_percent_of(&self, class: crate::domain::TaxClass) -> i64 {
        use crate::domain::TaxClass;
        i64::from(match class {
            TaxClass::Standard => self.vat_percent,
            TaxClass::Reduced => self.reduced_vat_percent,
            TaxClass::Zero => self.zero_vat_percent,
        })
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let c = &self.currency;
        if c.len() != 3 || !c.chars().all(|ch| ch.is_ascii_uppercase()) {
            return invalid(
                "store.currency",
                "must be a three-letter ISO 4217 code such as EUR",
            );
        }
        let cc = &self.country_code;
        if cc.len() != 2 || !cc.chars().all(|ch| ch.is_ascii_uppercase()) {
            return invalid(
                "store.country_code",
                "must be a two-letter ISO 3166 code such as DE",
            );
        }
        for (key, rate) in [
            ("store.vat_percent", self.vat_percent),
            ("store.reduced_vat_percent", self.reduced_vat_percent),
            ("store.zero_vat_percent", self.zero_vat_percent),
        ] {
            if rate > 100 {
                return invalid(key, "must be between 0 and 100");
            }
        }
        if self.shipping_cents < 0 || self.free_shipping_over_cents < 0 {
            return invalid(
                "store.shipping_cents",
                "and store.free_shipping_over_cents cannot be negative",
            );
        }
        if jiff::tz::TimeZone::get(&self.time_zone).is_err() {
            return invalid(
                "store.time_zone",
                "is not a time zone name such as Europe/Berlin or UTC",
            );
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApiSettings {
    /// Lifetime of a JWT access token.
    pub access_token_minutes: u32,
    /// Lifetime of a refresh token (each refresh issues a new one).
    pub refresh_token_days: u32,
    /// Largest accepted JSON body in bytes; larger requests get 413.
    pub max_json_bytes: usize,
    /// Origins allowed to call the API from a browser (CORS). Empty: CORS is off.
    pub cors_origins: Vec<String>,
}

impl Default for ApiSettings {
    fn default() -> Self {
        Self {
            access_token_minutes: 15,
            refresh_token_days: 30,
            max_json_bytes: 65536,
            cors_origins: Vec::new(),
        }
    }
}

impl ApiSettings {
    fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=60).contains(&self.access_token_minutes) {
            return invalid("api.access_token_minutes", "must be between 1 and 60");
        }
        if !(1..=365).contains(&self.refresh_token_days) {
            return invalid("api.refresh_token_days", "must be between 1 and 365");
        }
        if self.max_json_bytes < 1024 {
            return invalid("api.max_json_bytes", "must be at least 1024");
        }
        for origin in &self.cors_origins {
            if !(origin.starts_with("https://") || origin.starts_with("http://"))
                || origin.ends_with('/')
                || origin.contains('*')
            {
                return invalid(
                    "api.cors_origins",
                    format!(
                        "holds `{origin}`: each entry must be an origin such as https://app.example.com"
                    ),
                );
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MediaSettings {
    /// Product images (uploaded and generated), named by their content hash.
    pub dir: PathBuf,
    pub max_image_bytes: usize,
    pub max_image_megapixels: u32,
}

impl Default for MediaSettings {
    fn default() -> Self {
        Self {
            dir: PathBuf::from("data/media"),
            max_image_bytes: 5 * 1024 * 1024,
            max_image_megapixels: 40,
        }
    }
}

impl MediaSettings {
    fn validate(&self) -> Result<(), ConfigError> {
        if self.max_image_bytes == 0 || self.max_image_megapixels == 0 {
            return invalid(
                "media.max_image_bytes",
                "and media.max_image_megapixels must be at least 1",
            );
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    pub base_url: String,
    /// `Secure` cookies with the `__Host-` prefix; unset: on exactly when the store serves TLS
    /// (set it true behind a TLS-terminating proxy).
    pub secure_cookies: Option<bool>,
    /// `Strict-Transport-Security`; unset: on whenever cookies are secure.
    pub hsts: Option<bool>,
    /// PEM certificate chain (leaf first) and private key: with both, the store serves HTTPS.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// With TLS: a plain HTTP port that answers every request with a 308 to HTTPS (0 = any
    /// free port, for tests).
    pub http_redirect_port: Option<u16>,
    /// On SIGTERM or SIGINT, requests in flight get this long to finish.
    pub shutdown_timeout_seconds: u64,
    /// Proxies (addresses or networks) whose `Forwarded` / `X-Forwarded-For` name the client;
    /// from anyone else those headers are ignored. Empty: the connection's address is the client.
    pub trusted_proxies: Networks,
    /// Largest accepted request body for forms, in bytes (bigger gets 413).
    pub max_form_bytes: usize,
    /// Largest accepted file-upload (multipart) body: images, CSV imports.
    pub max_upload_bytes: usize,
    /// Worker threads; 0 = one per core.
    pub workers: usize,
    /// A request body must have arrived this many seconds after its headers (else 408).
    pub body_timeout_seconds: u64,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 8080,
            base_url: "http://127.0.0.1:8080".into(),
            secure_cookies: None,
            hsts: None,
            tls_cert: None,
            tls_key: None,
            http_redirect_port: None,
            shutdown_timeout_seconds: 10,
            trusted_proxies: Networks::default(),
            max_form_bytes: 64 * 1024,
            max_upload_bytes: 16 * 1024 * 1024,
            workers: 0,
            body_timeout_seconds: 30,
        }
    }
}

impl ServerSettings {
    fn validate(&self) -> Result<(), ConfigError> {
        if !(self.base_url.starts_with("http://") || self.base_url.starts_with("https://")) {
            return invalid("server.base_url", "must start with http:// or https://");
        }
        if !(1..=3600).contains(&self.body_timeout_seconds) {
            return invalid("server.body_timeout_seconds", "must be between 1 and 3600");
        }
        if !(1..=3600).contains(&self.shutdown_timeout_seconds) {
            return invalid(
                "server.shutdown_timeout_seconds",
                "must be between 1 and 3600",
            );
        }
        match (&self.tls_cert, &self.tls_key) {
            (Some(_), None) => {
                return invalid("server.tls_key", "must be set with server.tls_cert");
            }
            (None, Some(_)) => {
                return invalid("server.tls_cert", "must be set with server.tls_key");
            }
            _ => {}
        }
        if self.http_redirect_port.is_some() && !self.tls() {
            return invalid(
                "server.http_redirect_port",
                "redirects to HTTPS: set server.tls_cert and server.tls_key too",
            );
        }
        if self.tls() && !self.base_url.starts_with("https://") {
            return invalid(
                "server.base_url",
                "must start with https:// when the store serves HTTPS (it is where plain HTTP is redirected and what emails link to)",
            );
        }
        Ok(())
    }

    /// Whether the store itself serves HTTPS.
    pub fn tls(&self) -> bool {
        self.tls_cert.is_some() && self.tls_key.is_some()
    }

    /// Whether cookies get the `Secure` flag (and the `__Host-` prefix).
    pub fn cookies_secure(&self) -> bool {
        self.secure_cookies.unwrap_or(self.tls())
    }

    /// Whether responses carry `Strict-Transport-Security`.
    pub fn hsts_on(&self) -> bool {
        self.hsts.unwrap_or(self.cookies_secure())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// May hold a password (postgres://user:pw@host/db), so it is kept secret.
    pub url: SecretString,
    pub max_connections: u32,
    /// PostgreSQL read replicas (URLs may hold passwords) for listings, product pages and the
    /// dashboard's figures; empty by default.
    pub replica_urls: Vec<SecretString>,
    /// A replica further behind the primary than this is skipped until it catches up.
    pub replica_max_lag_seconds: u64,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: SecretString::from("sqlite://data/emporium.db"),
            max_connections: 10,
            replica_urls: Vec::new(),
            replica_max_lag_seconds: 5,
        }
    }
}

impl DatabaseSettings {
    fn validate(&self) -> Result<(), ConfigError> {
        let url = self.url.expose_secret();
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres:")
            || url.starts_with("postgresql:"))
        {
            return invalid("database.url", "must start with sqlite:// or postgres://");
        }
        if url.starts_with("sqlite:") && !self.replica_urls.is_empty() {
            return invalid(
                "database.replica_urls",
                "read replicas need PostgreSQL (database.url is a SQLite file)",
            );
        }
        for replica in &self.replica_urls {
            let r = replica.expose_secret();
            if !(r.starts_with("postgres:") || r.starts_with("postgresql:")) {
                return invalid("database.replica_urls", "each must start with postgres://");
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DemoSettings {
    pub seed: bool,
}

impl Default for DemoSettings {
    fn default() -> Self {
        Self { seed: true }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum EmailTransportKind {
    Outbox,
    Smtp,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    None,
    Starttls,
    Tls,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmailSettings {
    pub transport: EmailTransportKind,
    pub outbox_dir: PathBuf,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<SecretString>,
    pub smtp_tls: SmtpTls,
    pub smtp_timeout_seconds: u64,
    pub from: String,
}

impl Default for EmailSettings {
    fn default() -> Self {
        Self {
            transport: EmailTransportKind::Outbox,
            outbox_dir: PathBuf::from("data/outbox"),
            smtp_host: "localhost".into(),
            smtp_port: 25,
            smtp_username: None,
            smtp_password: None,
            smtp_tls: SmtpTls::None,
            smtp_timeout_seconds: 10,
            from: "Emporium <shop@localhost>".into(),
        }
    }
}

impl EmailSettings {
    fn validate(&self) -> Result<(), ConfigError> {
        if self.from.parse::<lettre::message::Mailbox>().is_err() {
            return invalid(
                "email.from",
                "is not a valid mailbox such as `Shop <shop@example.com>`",
            );
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecuritySettings {
    pub session_key: Option<SecretString>,
    pub jwt_secret: Option<SecretString>,
    pub login_failures_per_account: u32,
    pub login_failures_per_ip: u32,
    pub login_lock_minutes: u32,
    pub registrations_per_ip_per_hour: u32,
    /// Reset and verification mails one address may be sent per hour.
    pub emails_per_address_per_hour: u32,
    /// Reset and verification requests one IP address may make per hour.
    pub email_requests_per_ip_per_hour: u32,
    pub password_min_length: usize,
    /// Require a lower-case letter, an upper-case letter, a digit and another character.
    pub password_require_classes: bool,
    /// Minimum zxcvbn score (0-4).
    pub password_min_strength: u8,
    /// Concurrent Argon2 computations; bounds CPU and memory under a login flood.
    pub max_concurrent_hashes: usize,
    /// Cart changes (add, change, remove) one IP address may make per minute.
    pub cart_changes_per_minute: u32,
    /// Messages through the contact form one IP address may send per hour.
    pub contact_per_ip_per_hour: u32,
    /// Messages through the contact form from one email address per hour.
    pub contact_per_address_per_hour: u32,
    /// Support requests one customer may open per hour.
    pub support_requests_per_hour: u32,
    /// Guest checkouts (attempts) one IP address may make per hour.
    pub guest_checkouts_per_ip_per_hour: u32,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        Self {
            session_key: None,
            jwt_secret: None,
            login_failures_per_account: 5,
            login_failures_per_ip: 20,
            login_lock_minutes: 15,
            registrations_per_ip_per_hour: 20,
            emails_per_address_per_hour: 5,
            email_requests_per_ip_per_hour: 30,
            password_min_length: 12,
            password_require_classes: true,
            password_min_strength: 3,
            max_concurrent_hashes: 4,
            cart_changes_per_minute: 120,
            contact_per_ip_per_hour: 10,
            contact_per_address_per_hour: 5,
            support_requests_per_hour: 10,
            guest_checkouts_per_ip_per_hour: 20,
        }
    }
}

impl SecuritySettings {
    fn validate(&self) -> Result<(), ConfigError> {
        if !(8..=128).contains(&self.password_min_length) {
            return invalid("security.password_min_length", "must be between 8 and 128");
        }
        if self.password_min_strength > 4 {
            return invalid("security.password_min_strength", "must be between 0 and 4");
        }
        at_least_one(&[
            (
                "security.login_failures_per_account",
                self.login_failures_per_account,
            ),
            ("security.login_failures_per_ip", self.login_failures_per_ip),
            ("security.login_lock_minutes", self.login_lock_minutes),
        ])?;
        if self.max_concurrent_hashes == 0 {
            return invalid("security.max_concurrent_hashes", "must be at least 1");
        }
        if let (Some(a), Some(b)) = (&self.session_key, &self.jwt_secret)
            && a.expose_secret() == b.expose_secret()
        {
            return invalid(
                "security.jwt_secret",
                "must differ from security.session_key",
            );
        }
        for (key, secret) in [
            ("security.session_key", &self.session_key),
            ("security.jwt_secret", &self.jwt_secret),
        ] {
            let Some(s) = secret else { continue };
            if s.expose_secret().len() < 32 {
                return invalid(key, "must be at least 32 characters long");
            }
            // The examples in config.toml's comments are public: never a real secret.
            if s.expose_secret().to_lowercase().contains("change-me") {
                return invalid(
                    key,
                    "is the example from config.toml; use a random value of your own (e.g. `openssl rand -hex 32`)",
                );
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionSettings {
    pub idle_timeout_minutes: u32,
    pub absolute_lifetime_hours: u32,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            idle_timeout_minutes: 120,
            absolute_lifetime_hours: 24 * 7,
        }
    }
}

impl SessionSettings {
    fn validate(&self) -> Result<(), ConfigError> {
        at_least_one(&[
            ("session.idle_timeout_minutes", self.idle_timeout_minutes),
            (
                "session.absolute_lifetime_hours",
                self.absolute_lifetime_hours,
            ),
        ])
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    /// A tracing filter such as `info` or `emporium=debug,info`; `RUST_LOG` wins when set.
    pub level: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            format: LogFormat::Text,
            level: "info".into(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RecommendationSettings {
    /// How often similarities, popularity and the rating prior are recomputed (and a minute
    /// after orders came in).
    pub refresh_minutes: u64,
    /// How often the product views of signed-in customers are written (in one batch).
    pub view_flush_seconds: u64,
}

impl Default for RecommendationSettings {
    fn default() -> Self {
        Self {
            refresh_minutes: 10,
            view_flush_seconds: 5,
        }
    }
}

impl RecommendationSettings {
    fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=1440).contains(&self.refresh_minutes) {
            return invalid(
                "recommendations.refresh_minutes",
                "must be between 1 and 1440",
            );
        }
        if !(1..=86_400).contains(&self.view_flush_seconds) {
            return invalid(
                "recommendations.view_flush_seconds",
                "must be between 1 and 86400",
            );
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CatalogSettings {
    /// The longest a listing's or search's database work may take; longer ones are cut off and
    /// the shopper is asked to narrow the search.
    pub statement_timeout_ms: u64,
    /// A search expected to read more index entries than this (words common to much of the
    /// catalogue) is broad: such searches run at most `broad_searches_at_once` at a time.
    pub broad_search_entries: i64,
    /// How many broad searches may run at once; more are asked to narrow or retry.
    pub broad_searches_at_once: usize,
}

impl Default for CatalogSettings {
    fn default() -> Self {
        Self {
            statement_timeout_ms: 1000,
            broad_search_entries: 20_000,
            broad_searches_at_once: 1,
        }
    }
}

impl CatalogSettings {
    fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=600_000).contains(&self.statement_timeout_ms) {
            return invalid(
                "catalog.statement_timeout_ms",
                "must be between 1 and 600000",
            );
        }
        if self.broad_search_entries < 1 {
            return invalid("catalog.broad_search_entries", "must be at least 1");
        }
        if !(1..=64).contains(&self.broad_searches_at_once) {
            return invalid("catalog.broad_searches_at_once", "must be between 1 and 64");
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsSettings {
    /// Serve `/metrics` (Prometheus text format).
    pub enabled: bool,
    /// Addresses or networks (`10.0.0.0/8`) allowed to read `/metrics`; others get 403.
    pub allow: Networks,
}

impl Default for MetricsSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            allow: Networks::parse(&["127.0.0.1/32".into(), "::1/128".into()]).unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PaymentSettings {
    /// How old an open authorisation or an uncaptured order must be before reconciliation
    /// touches it (checkouts still in flight are younger).
    pub reconcile_after_minutes: i64,
    /// How often each instance reconciles on its own (0: only `emporium reconcile`).
    pub reconcile_every_minutes: i64,
}

impl Default for PaymentSettings {
    fn default() -> Self {
        Self {
            reconcile_after_minutes: 15,
            reconcile_every_minutes: 5,
        }
    }
}

impl PaymentSettings {
    fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=1440).contains(&self.reconcile_after_minutes) {
            return invalid(
                "payments.reconcile_after_minutes",
                "must be between 1 and 1440",
            );
        }
        if !(0..=1440).contains(&self.reconcile_every_minutes) {
            return invalid(
                "payments.reconcile_every_minutes",
                "must be between 0 (off) and 1440",
            );
        }
        Ok(())
    }
}

impl super::Settings {
    /// Checks the rules serde cannot express, section by section, naming the key at fault.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.server.validate()?;
        self.database.validate()?;
        self.email.validate()?;
        self.security.validate()?;
        self.session.validate()?;
        self.store.validate()?;
        self.media.validate()?;
        self.recommendations.validate()?;
        self.catalog.validate()?;
        self.payments.validate()?;
        self.api.validate()
    }
}
