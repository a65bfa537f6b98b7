//! Typed settings: `config.toml` (or `--config` / `EMPORIUM_CONFIG`), then `EMPORIUM_<SECTION>__<KEY>`
//! environment overrides, then `DATABASE_URL`. Every field has a default so a missing file still runs.

mod networks;
mod sections;

pub use networks::Networks;

use std::path::{Path, PathBuf};

use secrecy::SecretString;
use serde::Deserialize;

pub use sections::{
    ApiSettings, CatalogSettings, DatabaseSettings, DemoSettings, EmailSettings,
    EmailTransportKind, LogFormat, LogSettings, MediaSettings, MetricsSettings, PaymentSettings,
    RecommendationSettings, SecuritySettings, ServerSettings, SessionSettings, SmtpTls,
    StoreSettings,
};

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
    pub recommendations: RecommendationSettings,
    pub catalog: CatalogSettings,
    pub metrics: MetricsSettings,
    pub payments: PaymentSettings,
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
                    .with_list_parse_key("metrics.allow")
                    .with_list_parse_key("server.trusted_proxies")
                    .with_list_parse_key("database.replica_urls")
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
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    /// `config.toml` documents every default: it must say what the code does.
    #[test]
    fn config_toml_lists_the_defaults() {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml");
        let built = config::Config::builder()
            .add_source(config::File::from(file).required(true))
            .build()
            .unwrap();
        let from_file: Settings = built.try_deserialize().unwrap();
        let defaults = Settings::default();
        // Debug covers every field (secrets print redacted, so they are compared apart).
        assert_eq!(format!("{from_file:#?}"), format!("{defaults:#?}"));
        assert_eq!(
            from_file.database.url.expose_secret(),
            defaults.database.url.expose_secret()
        );
        assert!(
            from_file.security.session_key.is_none() && from_file.security.jwt_secret.is_none()
        );
        assert!(from_file.email.smtp_password.is_none());
        defaults.validate().unwrap();
    }

    #[test]
    fn read_replicas_need_postgresql() {
        let mut s = Settings::default();
        s.database.replica_urls = vec![SecretString::from("postgres://replica/shop")];
        let err = s.validate().unwrap_err().to_string();
        assert!(err.contains("database.replica_urls"), "{err}");
        s.database.url = SecretString::from("postgres://primary/shop");
        s.validate().unwrap();
        s.database.replica_urls = vec![SecretString::from("replica/shop")];
        assert!(s.validate().is_err());
    }
}
