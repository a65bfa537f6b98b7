//! Database access. One set of SQL runs on SQLite and PostgreSQL through `sqlx::Any`, so the
//! schema keeps to portable types: BIGINT (also for booleans 0/1 and unix-second timestamps),
//! TEXT and BLOB/BYTEA; queries use `$n` placeholders and `RETURNING`.
//! All SQL of the store lives in this module's submodules, and rows leave it as domain types
//! (typed ids, `Money`, decoded statuses, booleans).
//!
//! Executors: reads take `&AnyPool`; writes take `&mut Tx` so the caller decides the
//! transaction; a read needed both alone and inside a transaction is generic over
//! `E: Executor` (pass `&mut *tx`).

pub mod addresses;
pub mod api_tokens;
pub mod audit;
pub mod auth_events;
pub mod backup;
pub mod carts;
pub mod catalog;
pub mod credit_notes;
pub mod customers;
pub mod dashboard;
pub mod email_tokens;
pub mod figures;
pub mod guest_orders;
pub mod invoices;
pub mod mail_queue;
pub mod mock_gateway;
pub mod order_payments;
pub mod orders;
pub mod private_links;
pub mod promotions;
pub mod purchases;
pub mod recommendations;
pub mod replicas;
pub mod reviews;
pub mod secrets;
pub mod sessions;
pub mod shipping;
pub mod sql;
pub mod support;
pub mod throttle;
pub mod users;
pub mod variants;
pub mod views;
pub mod vouchers;
pub mod wishlist;

use std::str::FromStr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use secrecy::ExposeSecret;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, ConnectOptions, Executor, Transaction};

use crate::config::DatabaseSettings;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

pub type DbError = sqlx::Error;
pub type Tx = Transaction<'static, Any>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// See [`Db::setup_lock`]; released when dropped.
pub enum SetupLock {
    Postgres(Box<sqlx::AnyConnection>),
    Sqlite(std::fs::File),
    None,
}

#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// The SQLite file (None on PostgreSQL and for `:memory:`).
    file: Option<std::path::PathBuf>,
    /// A readiness check found the file write-protected (connections opened since are suspect).
    spell: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Read replicas (PostgreSQL only; none by default).
    replicas: std::sync::Arc<replicas::Replicas>,
}

impl Db {
    /// Connects (creating the SQLite file and its folder when needed).
    pub async fn connect(settings: &DatabaseSettings) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let raw = settings.url.expose_secret();
        let backend = if raw.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let url = match backend {
            Backend::Sqlite => sqlite_url(raw)?,
            Backend::Postgres => raw.to_string(),
        };
        // Statement logging would print bound values (emails, token hashes): keep it off.
        let options = AnyConnectOptions::from_str(&url)?.disable_statement_logging();
        let mut pool = AnyPoolOptions::new()
            .max_connections(settings.max_connections.max(1))
            .acquire_timeout(Duration::from_secs(10));
        // A connection opened while the database was read-only (a SQLite file write-protected
        // for a moment, a PostgreSQL session with read-only defaults) stays so; once such a
        // refusal was seen, connections older than it are replaced as they are taken.
        pool = pool.before_acquire(|_conn, meta| {
            Box::pin(async move {
                let stale = readonly_seen().is_some_and(|seen| meta.age > seen.elapsed());
                Ok(!stale)
            })
        });
        if backend == Backend::Sqlite {
            pool = pool.after_connect(|conn, _meta| {
                Box::pin(async move {
                    // WAL lets readers run beside the writer; the busy timeout makes writers wait
                    // for each other instead of failing with "database is locked".
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    Ok(())
                })
            });
        }
        let pool = pool.connect_with(options).await?;
        let replicas = replicas::Replicas::new(
            &settings.replica_urls,
            settings.max_connections,
            Duration::from_secs(settings.replica_max_lag_seconds),
        )?;
        let file = match backend {
            Backend::Sqlite => sqlite_file(raw),
            Backend::Postgres => None,
        };
        Ok(Self {
            pool,
            backend,
            file,
            spell: Default::default(),
            replicas: std::sync::Arc::new(replicas),
        })
    }

    pub fn replicas(&self) -> &std::sync::Arc<replicas::Replicas> {
        &self.replicas
    }

    /// A read of the catalogue that a replica may answer once it has replayed catalogue version
    /// `at_least` (see [`replicas`]); the primary otherwise.
    pub async fn catalogue_read<T, F, Fut>(&self, at_least: i64, read: F) -> Result<T, DbError>
    where
        F: Fn(AnyPool) -> Fut,
        Fut: std::future::Future<Output = Result<T, DbError>>,
    {
        self.replicas.read(&self.pool, at_least, read).await
    }

    /// A read of figures that may be a moment old (the dashboard's): any replica that is up.
    pub async fn figures_read<T, F, Fut>(&self, read: F) -> Result<T, DbError>
    where
        F: Fn(AnyPool) -> Fut,
        Fut: std::future::Future<Output = Result<T, DbError>>,
    {
        self.replicas.read(&self.pool, i64::MIN, read).await
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The SQLite file (None on PostgreSQL and for `:memory:`).
    pub fn file(&self) -> Option<&std::path::Path> {
        self.file.as_deref()
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// Held while an instance sets the database up (migrations, index rebuild, demo seed):
    /// instances starting at the same moment take turns, and each finds the work done by the
    /// first. PostgreSQL: an advisory lock on a connection of its own (closed, so released, when
    /// the lock is dropped); SQLite: an exclusive lock on the file `<database>.setup`.
    pub async fn setup_lock(&self) -> anyhow::Result<SetupLock> {
        match (self.backend, &self.file) {
            (Backend::Postgres, _) => {
                let mut conn = self.pool.acquire().await?.detach();
                sqlx::query("SELECT pg_advisory_lock(4993017358920281)")
                    .execute(&mut conn)
                    .await?;
                Ok(SetupLock::Postgres(Box::new(conn)))
            }
            (Backend::Sqlite, Some(file)) => {
                let mut name = file.as_os_str().to_owned();
                name.push(".setup");
                let path = std::path::PathBuf::from(name);
                let f = tokio::task::spawn_blocking(move || {
                    let f = std::fs::File::options()
                        .create(true)
                        .truncate(false)
                        .write(true)
                        .open(&path)?;
                    f.lock()?;
                    Ok::<_, std::io::Error>(f)
                })
                .await??;
                Ok(SetupLock::Sqlite(f))
            }
            (Backend::Sqlite, None) => Ok(SetupLock::None),
        }
    }

    /// Makes `tx` wait for any other transaction that took the same `key` (PostgreSQL: a
    /// transaction-scoped advisory lock; SQLite's write transactions already run one at a time).
    pub async fn one_at_a_time(&self, tx: &mut Tx, key: i64) -> Result<(), DbError> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(key)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// A transaction that will write. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`) so two writers queue on the busy timeout instead of one failing
    /// when it upgrades a read lock.
    pub async fn begin_write(&self) -> Result<Tx, DbError> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// Refreshes the planner's statistics after bulk writes; on PostgreSQL also the visibility
    /// map, without which the listing's covering index cannot answer without the table.
    pub async fn analyze(&self) -> Result<(), DbError> {
        let sql = match self.backend {
            Backend::Sqlite => "ANALYZE",
            Backend::Postgres => "VACUUM (ANALYZE) products, product_terms",
        };
        sqlx::query(sql).execute(&self.pool).await.map(|_| ())
    }

    pub async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// Whether the database takes writes: a write statement that changes nothing (SQLite refuses
    /// it on a read-only file, PostgreSQL on a standby). A read-only refusal replaces the pool's
    /// connections, and the check is made once more on a fresh one.
    pub async fn check_writable(&self) -> Result<(), DbError> {
        use std::sync::atomic::Ordering;
        // Connections opened earlier still write while the file is protected; the file tells.
        if let Some(file) = self.file.clone() {
            let open = tokio::task::spawn_blocking(move || {
                std::fs::OpenOptions::new().append(true).open(file)
            })
            .await
            .map_err(std::io::Error::other)
            .and_then(|r| r);
            if let Err(e) = open {
                self.spell.store(true, Ordering::Release);
                return Err(DbError::Io(e));
            }
            if self.spell.swap(false, Ordering::AcqRel) {
                // Writable again: the connections opened during the spell may be read-only.
                mark_stale();
            }
        }
        let probe = || sqlx::query("UPDATE throttle_counters SET hits = hits WHERE 1 = 0");
        match probe().execute(&self.pool).await {
            Ok(_) => Ok(()),
            Err(e) if note_error(&e) => probe().execute(&self.pool).await.map(|_| ()),
            Err(e) => Err(e),
        }
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A read-only transaction whose statements PostgreSQL cancels after `timeout` (SQLite has
/// no such setting: there the caller's deadline answers in time, and the statement, whose
/// work the listing bounds, finishes on its connection's thread).
/// Runs on the pool given: a replica's or the primary's.
pub async fn bounded_read_on(pool: &AnyPool, timeout: Duration) -> Result<Tx, DbError> {
    let mut tx = pool.begin().await?;
    if pool
        .connect_options()
        .database_url
        .scheme()
        .starts_with("postgres")
    {
        // SET does not take bind parameters; the number is ours, not the user's.
        let ms = timeout.as_millis().max(1);
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SET LOCAL statement_timeout = {ms}"
        )))
        .execute(&mut *tx)
        .await?;
    }
    Ok(tx)
}

/// The file a `sqlite:` URL names.
/// None for other databases and for `:memory:`.
pub fn sqlite_file(raw: &str) -> Option<std::path::PathBuf> {
    let rest = raw
        .strip_prefix("sqlite://")
        .or_else(|| raw.strip_prefix("sqlite:"))?;
    let path = rest.split_once('?').map_or(rest, |(p, _)| p);
    (path != ":memory:" && !path.is_empty()).then(|| std::path::PathBuf::from(path))
}

/// Adds `mode=rwc` so the file is created, and creates its folder.
fn sqlite_url(raw: &str) -> anyhow::Result<String> {
    let rest = raw
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:"
        && let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|e| {
            anyhow::anyhow!(
                "cannot create the database folder {}: {e}",
                parent.display()
            )
        })?;
    }
    let query = if query.contains("mode=") {
        query.to_string()
    } else if query.is_empty() {
        "mode=rwc".to_string()
    } else {
        format!("{query}&mode=rwc")
    };
    Ok(format!("sqlite://{path}?{query}"))
}

static READONLY_SEEN: Mutex<Option<Instant>> = Mutex::new(None);

fn readonly_seen() -> Option<Instant> {
    READONLY_SEEN.lock().ok().and_then(|t| *t)
}

/// True when the database refused a write because the connection is read-only (SQLite's
/// SQLITE_READONLY, PostgreSQL's read_only_sql_transaction).
fn is_readonly(err: &DbError) -> bool {
    matches!(err, sqlx::Error::Database(d)
        if matches!(d.code().as_deref(), Some("8") | Some("25006"))
            || d.message().contains("readonly database"))
}

/// Looks at a failed statement: a read-only refusal marks every connection opened before now
/// for replacement (returns true). The error edges call this for every internal error.
pub fn note_error(err: &DbError) -> bool {
    if !is_readonly(err) {
        return false;
    }
    tracing::warn!("the database refused a write as read-only: reopening its connections");
    mark_stale();
    true
}

/// Every connection opened before now is replaced when next taken from the pool.
fn mark_stale() {
    if let Ok(mut seen) = READONLY_SEEN.lock() {
        *seen = Some(Instant::now());
    }
}

/// [`note_error`] for any error that may have a database error among its causes.
pub fn note_cause(err: &(dyn std::error::Error + 'static)) {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(c) = cause {
        if let Some(db) = c.downcast_ref::<DbError>() {
            note_error(db);
            return;
        }
        cause = c.source();
    }
}

/// True when the error is a unique-constraint violation (a conflict the user can fix).
/// PostgreSQL cancelled the statement (`statement_timeout`).
pub fn is_query_cancelled(err: &DbError) -> bool {
    matches!(err, sqlx::Error::Database(e) if e.code().as_deref() == Some("57014"))
}

pub fn is_unique_violation(err: &DbError) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// A boolean as stored: 0/1 in a BIGINT column (portable across both databases).
pub fn flag(b: bool) -> i64 {
    i64::from(b)
}

/// A 0/1 column read back as a boolean. Rows leave this module with real booleans, so no code
/// above it compares flags with numbers.
pub(crate) fn flag_of(v: i64) -> bool {
    v != 0
}

/// A 0/1 column as a boolean, for `#[sqlx(try_from = "i64")]` fields of derived rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flag(pub bool);

impl From<i64> for Flag {
    fn from(v: i64) -> Self {
        Flag(flag_of(v))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The spellings that may differ between the two migration folders; everything else (tables,
    /// columns, types, constraints, indexes) must be the same text.
    const SPELLINGS: &[(&str, &str)] = &[
        (
            "INTEGER PRIMARY KEY AUTOINCREMENT",
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        ),
        ("BLOB", "BYTEA"),
    ];

    /// PostgreSQL spells out what SQLite does by default: byte-order comparison of text.
    const POSTGRES_ONLY: &[&str] = &[r#"COLLATE "C""#];

    fn normalised(sql: &str, postgres: bool) -> String {
        let mut out = String::new();
        for line in sql.lines() {
            let code = line.split("--").next().unwrap_or("");
            out.push_str(code);
            out.push(' ');
        }
        for (sqlite, pg) in SPELLINGS {
            out = out.replace(sqlite, pg);
        }
        if postgres {
            for extra in POSTGRES_ONLY {
                out = out.replace(extra, "");
            }
        }
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn files(dir: &str) -> Vec<(String, String)> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(&p).unwrap())
            })
            .collect();
        files.sort();
        files
    }

    #[test]
    fn both_migration_folders_define_the_same_schema() {
        let sqlite = files("migrations/sqlite");
        let postgres = files("migrations/postgres");
        let names = |f: &[(String, String)]| f.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        assert_eq!(names(&sqlite), names(&postgres), "the same migration files");
        for ((name, a), (_, b)) in sqlite.iter().zip(&postgres) {
            // A table rebuild on SQLite (it cannot drop NOT NULL) against an ALTER on
            // PostgreSQL; the HTTP suite runs the same queries on both results.
            if a.starts_with("-- no-transaction") {
                continue;
            }
            assert_eq!(
                normalised(a, false),
                normalised(b, true),
                "{name} differs beyond DDL spelling"
            );
        }
    }
}
