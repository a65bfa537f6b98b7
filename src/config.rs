//! Typed settings: `config.toml` (or `--config` / `EMPORIUM_CONFIG`), then `EMPORIUM_<SECTION>__<KEY>`
//! environment overrides, then `DATABASE_URL`. Every field has a default so a missing file still runs.

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration error: {0}")]
    Load(#[from] config::ConfigError),
    #[error("configuration error: `{key}` {reason}")]
    Invalid { key: &'static str, reason: String },
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub demo: DemoSettings,
    pub email: EmailSettings,
    pub security: SecuritySettings,
    pub session: SessionSettings,
    pub log: LogSettings,
    pub store: StoreSettings,
    pub media: MediaSettings,
    pub api: ApiSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreSettings {
    /// ISO 4217 code; EUR, USD and GBP are shown with their symbol.
    pub currency: String,
    /// VAT rate included in all prices, in percent.
    pub vat_percent: u32,
    /// Flat shipping charge, and the subtotal from which shipping is free.
    pub shipping_cents: i64,
    pub free_shipping_over_cents: i64,
    /// The seller on invoices.
    pub legal_name: String,
    pub address: String,
    pub vat_id: String,
}

impl Default for StoreSettings {
    fn default() -> Self {
        Self {
            currency: "EUR".into(),
            vat_percent: 19,
            shipping_cents: 495,
            free_shipping_over_cents: 5000,
            legal_name: "Emporium GmbH".into(),
            address: "1 Market Square\n10115 Berlin\nGermany".into(),
            vat_id: "DE000000000".into(),
        }
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

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    pub base_url: String,
    pub secure_cookies: bool,
    /// Largest accepted request body for forms, in bytes (bigger gets 413).
    pub max_form_bytes: usize,
    /// Largest accepted file-upload (multipart) body: images, CSV imports.
    pub max_upload_bytes: usize,
    /// Worker threads; 0 = one per core.
    pub workers: usize,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 8080,
            base_url: "http://127.0.0.1:8080".into(),
            secure_cookies: false,
            max_form_bytes: 64 * 1024,
            max_upload_bytes: 16 * 1024 * 1024,
            workers: 0,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// May hold a password (postgres://user:pw@host/db), so it is kept secret.
    pub url: SecretString,
    pub max_connections: u32,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: SecretString::from("sqlite://data/emporium.db"),
            max_connections: 10,
        }
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
        }
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

/// `EMPORIUM_<SECTION>__<KEY>` variables only: others that share the prefix (`EMPORIUM_CONFIG`,
/// `EMPORIUM_TEST_POSTGRES_URL`) are not settings.
fn setting_overrides() -> config::Map<String, String> {
    std::env::vars()
        .filter(|(k, _)| k.starts_with("EMPORIUM_") && k.contains("__"))
        .collect()
}

impl Settings {
    /// Loads settings from `path` (or `EMPORIUM_CONFIG`, or `./config.toml` when present),
    /// then the environment.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let env_path = std::env::var_os("EMPORIUM_CONFIG").map(PathBuf::from);
        let file = match path.map(Path::to_path_buf).or(env_path) {
            // An explicitly named file must exist.
            Some(p) => config::File::from(p).required(true),
            None => config::File::with_name("config.toml").required(false),
        };
        let built = config::Config::builder()
            .add_source(file)
            .add_source(
                config::Environment::with_prefix("EMPORIUM")
                    .prefix_separator("_")
                    .separator("__")
                    .try_parsing(true)
                    .list_separator(",")
                    .with_list_parse_key("api.cors_origins")
                    .source(Some(setting_overrides())),
            )
            .build()?;
        let mut settings: Settings = built.try_deserialize()?;
        if let Ok(url) = std::env::var("DATABASE_URL")
            && !url.is_empty()
        {
            settings.database.url = SecretString::from(url);
        }
        settings.validate()?;
        Ok(settings)
    }

    /// Checks the rules serde cannot express, naming the key at fault.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key, reason: &str| {
            Err(ConfigError::Invalid {
                key,
                reason: reason.to_string(),
            })
        };
        let url = self.database.url.expose_secret();
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres:")
            || url.starts_with("postgresql:"))
        {
            return invalid("database.url", "must start with sqlite:// or postgres://");
        }
        if !(self.server.base_url.starts_with("http://")
            || self.server.base_url.starts_with("https://"))
        {
            return invalid("server.base_url", "must start with http:// or https://");
        }
        if self.email.from.parse::<lettre::message::Mailbox>().is_err() {
            return invalid(
                "email.from",
                "is not a valid mailbox such as `Shop <shop@example.com>`",
            );
        }
        if !(8..=128).contains(&self.security.password_min_length) {
            return invalid("security.password_min_length", "must be between 8 and 128");
        }
        if self.security.password_min_strength > 4 {
            return invalid("security.password_min_strength", "must be between 0 and 4");
        }
        for (key, value) in [
            (
                "security.login_failures_per_account",
                self.security.login_failures_per_account,
            ),
            (
                "security.login_failures_per_ip",
                self.security.login_failures_per_ip,
            ),
            (
                "security.login_lock_minutes",
                self.security.login_lock_minutes,
            ),
            (
                "session.idle_timeout_minutes",
                self.session.idle_timeout_minutes,
            ),
            (
                "session.absolute_lifetime_hours",
                self.session.absolute_lifetime_hours,
            ),
        ] {
            if value == 0 {
                return invalid(key, "must be at least 1");
            }
        }
        let c = &self.store.currency;
        if c.len() != 3 || !c.chars().all(|ch| ch.is_ascii_uppercase()) {
            return invalid(
                "store.currency",
                "must be a three-letter ISO 4217 code such as EUR",
            );
        }
        if self.store.vat_percent > 100 {
            return invalid("store.vat_percent", "must be between 0 and 100");
        }
        if self.store.shipping_cents < 0 || self.store.free_shipping_over_cents < 0 {
            return invalid(
                "store.shipping_cents",
                "and store.free_shipping_over_cents cannot be negative",
            );
        }
        if self.media.max_image_bytes == 0 || self.media.max_image_megapixels == 0 {
            return invalid(
                "media.max_image_bytes",
                "and media.max_image_megapixels must be at least 1",
            );
        }
        if self.security.max_concurrent_hashes == 0 {
            return invalid("security.max_concurrent_hashes", "must be at least 1");
        }
        if !(1..=60).contains(&self.api.access_token_minutes) {
            return invalid("api.access_token_minutes", "must be between 1 and 60");
        }
        if !(1..=365).contains(&self.api.refresh_token_days) {
            return invalid("api.refresh_token_days", "must be between 1 and 365");
        }
        if self.api.max_json_bytes < 1024 {
            return invalid("api.max_json_bytes", "must be at least 1024");
        }
        for origin in &self.api.cors_origins {
            if !(origin.starts_with("https://") || origin.starts_with("http://"))
                || origin.ends_with('/')
                || origin.contains('*')
            {
                return invalid(
                    "api.cors_origins",
                    &format!(
                        "holds `{origin}`: each entry must be an origin such as https://app.example.com"
                    ),
                );
            }
        }
        if let (Some(a), Some(b)) = (&self.security.session_key, &self.security.jwt_secret)
            && a.expose_secret() == b.expose_secret()
        {
            return invalid(
                "security.jwt_secret",
                "must differ from security.session_key",
            );
        }
        for (key, secret) in [
            ("security.session_key", &self.security.session_key),
            ("security.jwt_secret", &self.security.jwt_secret),
        ] {
            if let Some(s) = secret
                && s.expose_secret().len() < 32
            {
                return invalid(key, "must be at least 32 characters long");
            }
        }
        Ok(())
    }

    pub fn is_sqlite(&self) -> bool {
        self.database.url.expose_secret().starts_with("sqlite:")
    }
}
