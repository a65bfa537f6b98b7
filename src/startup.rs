//! `Application::build(settings)`: the one way the store is assembled, used by `main` and tests.

use std::net::TcpListener;
use std::time::Duration;

use actix_session::SessionMiddleware;
use actix_session::config::{CookieContentSecurity, PersistentSession};
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha512};

use crate::config::Settings;
use crate::state::AppState;
use crate::web::{
    csrf, errors, errors::AppError, headers, logging, routes, session_store::DbSessionStore,
};

pub struct Application {
    /// A SQLite store's hold on its file while it serves (`restore` waits for it to stop).
    _lock: Option<crate::ops::backup::StoreLock>,
    port: u16,
    /// The plain HTTP port that redirects to HTTPS, when there is one.
    redirect_port: Option<u16>,
    server: Server,
    state: AppState,
}

fn session_key(settings: &Settings) -> Key {
    match &settings.security.session_key {
        // SHA-512 stretches any secret of 32+ characters to the 64 bytes the cookie key needs.
        Some(secret) => Key::from(Sha512::digest(secret.expose_secret().as_bytes()).as_slice()),
        // `AppState::build` fills the key in (configured, or kept in the database).
        None => Key::generate(),
    }
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let state = AppState::build(settings).await?;
        Self::build_with_state(state).await
    }

    /// Builds around prepared state (tests keep a handle on its clock and database).
    pub async fn build_with_state(state: AppState) -> anyhow::Result<Self> {
        let settings = state.settings.clone();
        let lock = state
            .db
            .file()
            .map(crate::ops::backup::StoreLock::shared)
            .transpose()?;
        let bind = |port: u16| {
            let address = format!("{}:{}", settings.server.host, port);
            TcpListener::bind(&address)
                .map_err(|e| anyhow::anyhow!("cannot listen on {address}: {e}"))
        };
        let listener = bind(settings.server.port)?;
        let port = listener.local_addr()?.port();
        // A bad certificate stops the start here, naming the file.
        let tls = match (&settings.server.tls_cert, &settings.server.tls_key) {
            (Some(cert), Some(key)) => Some(crate::ops::tls::server_config(cert, key)?),
            _ => None,
        };
        let redirect = settings.server.http_redirect_port.map(bind).transpose()?;
        let redirect_port = redirect
            .as_ref()
            .map(|l| l.local_addr().map(|a| a.port()))
            .transpose()?;
        let key = session_key(&settings);
        let cookie_name = if settings.server.cookies_secure() {
            "__Host-emporium"
        } else {
            "emporium_session"
        };
        let store = DbSessionStore::new(
            state.db.clone(),
            state.clock.clone(),
            settings.session.idle_timeout_minutes,
            settings.session.absolute_lifetime_hours,
        );
        let lifetime = actix_web::cookie::time::Duration::hours(i64::from(
            settings.session.absolute_lifetime_hours,
        ));
        let data = web::Data::new(state.clone());
        // `static/` beside the working directory, else the source tree's (tests, `cargo run`).
        let static_dir = if std::path::Path::new("static").is_dir() {
            std::path::PathBuf::from("static")
        } else {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static")
        };
        let max_form = settings.server.max_form_bytes;
        let max_upload = settings.server.max_upload_bytes;
        let media_dir = settings.media.dir.clone();
        std::fs::create_dir_all(&media_dir)
            .map_err(|e| anyhow::anyhow!("cannot create media.dir {}: {e}", media_dir.display()))?;
        let secure = settings.server.cookies_secure();
        let api_settings = settings.api.clone();
        let mut server = HttpServer::new(move || {
            let sessions = SessionMiddleware::builder(store.clone(), key.clone())
                .cookie_name(cookie_name.to_string())
                .cookie_secure(secure)
                .cookie_http_only(true)
                .cookie_same_site(SameSite::Lax)
                .cookie_path("/".into())
                .cookie_content_security(CookieContentSecurity::Private)
                .session_lifecycle(PersistentSession::default().session_ttl(lifetime))
                .build();
            // The HTML skin: its own error pages, sessions and CSRF check. The API (registered
            // first, so it owns `/api`) has its own JSON error edge and never sees a session.
            let pages = web::scope("")
                .app_data(
                    web::FormConfig::default()
                        .limit(max_form)
                        .error_handler(|err, _req| {
                            AppError::BadRequest(format!("The form could not be read: {err}."))
                                .into()
                        }),
                )
                .app_data(
                    actix_multipart::form::MultipartFormConfig::default()
                        .total_limit(max_upload)
                        .memory_limit(max_upload)
                        .error_handler(|err, _req| {
                            AppError::BadRequest(format!("The upload could not be read: {err}."))
                                .into()
                        }),
                )
                .app_data(web::QueryConfig::default().error_handler(|_err, _req| {
                    AppError::BadRequest("The address contains invalid parameters.".into()).into()
                }))
                .configure(routes)
                .service(actix_files::Files::new("/media", &media_dir))
                .service(
                    actix_files::Files::new("/static", &static_dir)
                        .use_etag(true)
                        .use_last_modified(true),
                )
                .default_service(web::to(|| async {
                    Err::<actix_web::HttpResponse, _>(AppError::NotFound)
                }))
                // Last wrapped runs first: error pages → NUL check → session → CSRF → handler.
                .wrap(from_fn(csrf::csrf_guard))
                .wrap(sessions)
                .wrap(from_fn(crate::http::refuse_nul_in_query))
                .wrap(from_fn(errors::error_pages));
            App::new()
                .app_data(data.clone())
                .configure(|cfg| crate::api::routes(cfg, &api_settings))
                .configure(crate::web::probes)
                .service(pages)
                // Every request: log → HEAD as GET → security headers → body deadline → the skin.
                .wrap(from_fn(crate::http::body_deadline))
                .wrap(from_fn(headers::security_headers))
                .wrap(from_fn(crate::http::head_as_get))
                .wrap(from_fn(crate::http::redirect_to_https))
                .wrap(from_fn(logging::log_requests))
                .wrap(from_fn(crate::ops::metrics::record_requests))
        })
        .shutdown_timeout(settings.server.shutdown_timeout_seconds)
        // Ctrl-C (SIGINT) stops as gracefully as SIGTERM: requests in flight finish.
        .shutdown_signal(crate::ops::shutdown::signal());
        server = match tls {
            Some(config) => server.listen_rustls_0_23(listener, config)?,
            None => server.listen(listener)?,
        };
        if let Some(plain) = redirect {
            server = server.listen(plain)?;
        }
        if settings.server.workers > 0 {
            server = server.workers(settings.server.workers);
        }
        let server = server.run();
        spawn_housekeeping(state.clone());
        crate::email::queue::spawn_worker(state.clone());
        crate::engagement::views::spawn_flusher(state.clone());
        crate::engagement::recommend::refresh::spawn(state.clone());
        crate::db::replicas::spawn_watch(state.db.replicas().clone(), state.db.pool().clone());
        crate::payments::reconcile::spawn(state.clone());
        Ok(Self {
            _lock: lock,
            port,
            redirect_port,
            server,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn redirect_port(&self) -> Option<u16> {
        self.redirect_port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn server_handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until a stop (signal or handle), then writes what is held in memory and closes
    /// the database.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        crate::ops::shutdown::finish(&self.state).await;
        served
    }
}

/// Removes expired sessions, API tokens and old rate-limit records every ten minutes.
fn spawn_housekeeping(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            let now = state.clock.unix();
            if let Err(e) = crate::db::sessions::delete_expired(state.db.pool(), now).await {
                tracing::warn!(error = %e, "housekeeping: expired sessions not removed");
            }
            if let Err(e) =
                crate::db::mail_queue::prune(state.db.pool(), now - 30 * 24 * 3600).await
            {
                tracing::warn!(error = %e, "housekeeping: delivered mail not pruned");
            }
            if let Err(e) = crate::db::api_tokens::prune(state.db.pool(), now).await {
                tracing::warn!(error = %e, "housekeeping: expired API tokens not removed");
            }
            if let Err(e) = crate::db::throttle::prune(state.db.pool(), now - 2 * 24 * 3600).await {
                tracing::warn!(error = %e, "housekeeping: rate records not pruned");
            }
        }
    });
}
