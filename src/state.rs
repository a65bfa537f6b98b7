//! The service container every handler and domain function receives.

use std::sync::Arc;

use crate::accounts::hashing::PasswordHasher;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::domain::PasswordPolicy;
use crate::email::Mailer;

/// What every request handler and domain function may use; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub clock: Clock,
    pub mailer: Mailer,
    pub hasher: PasswordHasher,
    pub policy: PasswordPolicy,
    /// Listing counts and facets, dropped on every catalogue change.
    pub catalog_cache: Arc<crate::catalog::cache::CatalogCache>,
    /// The payment service (the mock gateway in this store).
    pub payments: Arc<dyn crate::payments::PaymentGateway>,
    /// The key API access tokens are signed and checked with.
    pub jwt: Arc<crate::accounts::api_tokens::JwtKeys>,
    /// Renders what queued mails attach (invoices).
    pub attachments: Arc<dyn crate::email::queue::Attachments>,
    /// Wakes the mail worker after a commit that queued mail.
    pub mail_wakeup: Arc<crate::email::queue::Wakeup>,
    /// Product views of signed-in customers, waiting to be written in a batch.
    pub views: Arc<crate::engagement::views::ViewRecorder>,
    /// Tells the recommendations refresh that orders came in.
    pub recommend: Arc<crate::engagement::recommend::refresh::RefreshSignal>,
    /// Customers' recommendations, reused for a few minutes.
    pub picks: Arc<crate::engagement::recommend::PicksCache>,
    /// Places for broad and short-word searches (`catalog.broad_searches_at_once` each).
    pub search_lanes: Arc<crate::catalog::lanes::SearchLanes>,
    /// What `/metrics` reports.
    pub metrics: Arc<crate::ops::metrics::Metrics>,
}

impl AppState {
    /// Connects and migrates the database and prepares mail and hashing.
    pub async fn build(mut settings: Settings) -> anyhow::Result<Self> {
        let db = Db::connect(&settings.database).await?;
        let setup = db.setup_lock().await?;
        db.migrate().await?;
        keep_secrets(&db, &mut settings).await?;
        let mailer = Mailer::new(&settings.email)?;
        let hasher = PasswordHasher::new(settings.security.max_concurrent_hashes)?;
        let policy = PasswordPolicy::for_shop(
            settings.security.password_min_length,
            settings.security.password_require_classes,
            settings.security.password_min_strength,
            &settings.store.name,
        );
        let jwt = Arc::new(crate::accounts::api_tokens::JwtKeys::new(
            settings.security.jwt_secret.as_ref(),
        ));
        let search_lanes = Arc::new(crate::catalog::lanes::SearchLanes::new(
            settings.catalog.broad_searches_at_once,
        ));
        let clock = Clock::default();
        let payments = Arc::new(crate::payments::mock::MockGateway::new(
            db.clone(),
            clock.clone(),
        ));
        let state = Self {
            search_lanes,
            metrics: Arc::default(),
            jwt,
            db,
            settings: Arc::new(settings),
            clock: clock.clone(),
            mailer,
            hasher,
            policy,
            catalog_cache: Arc::default(),
            payments,
            attachments: Arc::new(crate::orders::invoice::MailAttachments),
            mail_wakeup: Arc::default(),
            views: Arc::default(),
            recommend: Arc::default(),
            picks: Arc::default(),
        };
        crate::catalog::reindex_if_needed(&state).await?;
        crate::shipping::ensure_defaults(&state).await?;
        drop(setup);
        Ok(state)
    }
}

/// Fills in `security.session_key` and `security.jwt_secret` when the configuration gives none:
/// generated once and kept in the database, so restarts and every other instance on it agree.
async fn keep_secrets(db: &Db, settings: &mut Settings) -> anyhow::Result<()> {
    use secrecy::SecretString;
    let security = &mut settings.security;
    for (name, slot) in [
        ("session_key", &mut security.session_key),
        ("jwt_secret", &mut security.jwt_secret),
    ] {
        if slot.is_some() {
            continue;
        }
        let fresh = hex::encode(rand::random::<[u8; 32]>());
        let kept = crate::db::secrets::get_or_create(db.pool(), name, &fresh).await?;
        tracing::warn!(
            "security.{name} is not set: using a key generated once and kept in the database (shared by every instance on it); set it to keep it in your own hands"
        );
        *slot = Some(SecretString::from(kept));
    }
    Ok(())
}
