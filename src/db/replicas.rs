//! PostgreSQL read replicas (`database.replica_urls`). Only reads that may be a moment old use
//! them: listings, product pages and the dashboard's figures. Everything that decides a write
//! (stock, carts, checkout, sign-in, throttles, sessions) and a customer's own pages read the
//! primary. A watcher looks at every replica once a second; one that is down, lags more than
//! `database.replica_max_lag_seconds`, or has not yet replayed the catalogue version this
//! instance already saw, is skipped until it catches up, so a cached page is never rebuilt
//! from data older than the change that emptied the cache.

use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, FromRow};

use super::DbError;

/// How often the watcher looks, and how long one look may take.
pub const CHECK_EVERY: Duration = Duration::from_secs(1);

pub struct Replica {
    pool: AnyPool,
    /// Host, port and database, without the password: for logs and metrics.
    pub label: String,
    up: AtomicBool,
    /// The catalogue version the replica had replayed at the last look.
    version: AtomicI64,
    /// Reads answered from it.
    reads: AtomicU64,
}

impl Replica {
    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::Acquire)
    }

    /// The catalogue version it had replayed at the last look.
    pub fn version(&self) -> i64 {
        self.version.load(Ordering::Acquire)
    }

    pub fn reads(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }
}

/// The replicas of one store, and which of them may answer now.
pub struct Replicas {
    list: Vec<Replica>,
    next: AtomicUsize,
    max_lag: Duration,
    /// Catalogue reads the primary answered while replicas are configured.
    primary_reads: AtomicU64,
}

impl std::fmt::Debug for Replicas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let labels: Vec<&str> = self.list.iter().map(|r| r.label.as_str()).collect();
        f.debug_struct("Replicas").field("list", &labels).finish()
    }
}

/// What a look at one replica found.
#[derive(Debug, FromRow)]
struct Look {
    in_recovery: bool,
    /// Replayed everything the primary had written when the look began.
    caught_up: Option<bool>,
    /// Seconds since the last transaction it replayed was committed on the primary.
    behind: Option<f64>,
    version: i64,
}

impl Replicas {
    /// Pools for the replicas; none is connected until used, so a replica that is down does not
    /// stop the start.
    pub fn new(
        urls: &[SecretString],
        max_connections: u32,
        max_lag: Duration,
    ) -> anyhow::Result<Self> {
        let mut list = Vec::new();
        for url in urls {
            let options =
                AnyConnectOptions::from_str(url.expose_secret())?.disable_statement_logging();
            let pool = AnyPoolOptions::new()
                .max_connections(max_connections.max(1))
                // A replica that does not answer is left for the primary quickly.
                .acquire_timeout(Duration::from_secs(2))
                .connect_lazy_with(options);
            list.push(Replica {
                pool,
                label: label(url.expose_secret()),
                up: AtomicBool::new(false),
                version: AtomicI64::new(i64::MIN),
                reads: AtomicU64::new(0),
            });
        }
        Ok(Self {
            list,
            next: AtomicUsize::new(0),
            max_lag,
            primary_reads: AtomicU64::new(0),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn list(&self) -> &[Replica] {
        &self.list
    }

    pub fn primary_reads(&self) -> u64 {
        self.primary_reads.load(Ordering::Relaxed)
    }

    /// A replica that is up and has replayed catalogue version `at_least`, taken in turn.
    fn pick(&self, at_least: i64) -> Option<&Replica> {
        let n = self.list.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..n)
            .map(|i| &self.list[(start + i) % n])
            .find(|r| r.is_up() && r.version.load(Ordering::Acquire) >= at_least)
    }

    /// Runs `read` on a replica that may answer, or on `primary`. A replica that fails to
    /// answer (down, restarting, a query cancelled by its recovery) is marked down and the
    /// read is made once more on the primary.
    pub async fn read<T, F, Fut>(
        &self,
        primary: &AnyPool,
        at_least: i64,
        read: F,
    ) -> Result<T, DbError>
    where
        F: Fn(AnyPool) -> Fut,
        Fut: Future<Output = Result<T, DbError>>,
    {
        if let Some(r) = self.pick(at_least) {
            match read(r.pool.clone()).await {
                Err(e) if unavailable(&e) => {
                    r.up.store(false, Ordering::Release);
                    tracing::warn!(replica = %r.label, error = %e, "replica skipped until it answers again");
                }
                answered => {
                    r.reads.fetch_add(1, Ordering::Relaxed);
                    return answered;
                }
            }
        }
        if !self.list.is_empty() {
            self.primary_reads.fetch_add(1, Ordering::Relaxed);
        }
        read(primary.clone()).await
    }

    /// Looks at every replica once: how far behind the primary it is, and which catalogue
    /// version it has.
    pub async fn check(&self, primary: &AnyPool) {
        let now: Result<String, DbError> =
            sqlx::query_scalar("SELECT CAST(pg_current_wal_lsn() AS TEXT)")
                .fetch_one(primary)
                .await;
        let Ok(lsn) = now else {
            // Without the primary's position no replica can be judged: keep the last verdict.
            return;
        };
        for r in &self.list {
            let look = tokio::time::timeout(
                CHECK_EVERY,
                sqlx::query_as::<_, Look>(
                    "SELECT pg_is_in_recovery() AS in_recovery, \
                     pg_last_wal_replay_lsn() >= CAST($1 AS pg_lsn) AS caught_up, \
                     CAST(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) AS DOUBLE PRECISION) AS behind, \
                     (SELECT version FROM catalog_changes WHERE id = 1) AS version",
                )
                .bind(&lsn)
                .fetch_one(&r.pool),
            )
            .await;
            let verdict = match look {
                Err(_) => Err("no answer within a second".to_string()),
                Ok(Err(e)) => Err(e.to_string()),
                Ok(Ok(l)) => {
                    r.version.store(l.version, Ordering::Release);
                    let behind = if !l.in_recovery || l.caught_up == Some(true) {
                        0.0
                    } else {
                        l.behind.unwrap_or(f64::INFINITY)
                    };
                    if behind <= self.max_lag.as_secs_f64() {
                        Ok(())
                    } else {
                        Err(format!("{behind:.1} s behind the primary"))
                    }
                }
            };
            let was_up = r.up.swap(verdict.is_ok(), Ordering::AcqRel);
            match verdict {
                Ok(()) if !was_up => tracing::info!(replica = %r.label, "replica in use"),
                Err(why) if was_up => tracing::warn!(replica = %r.label, %why, "replica skipped"),
                _ => {}
            }
        }
    }
}

/// Looks at the replicas every second for as long as the store runs.
pub fn spawn_watch(replicas: Arc<Replicas>, primary: AnyPool) {
    if replicas.is_empty() {
        return;
    }
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(CHECK_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if primary.is_closed() {
                return;
            }
            replicas.check(&primary).await;
        }
    });
}

/// Errors after which the same read on the primary may well succeed.
fn unavailable(e: &DbError) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(d) => d.code().is_some_and(|c| {
            // Connection failures, shutdowns, and queries cancelled by a standby's recovery
            // (not 57014, a statement timeout, which the primary would hit as well).
            c.starts_with("08") || (c.starts_with("57P")) || c == "40001"
        }),
        _ => false,
    }
}

/// `postgres://user:secret@host:5433/db?x=y` → `host:5433/db`.
fn label(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    rest.split('?').next().unwrap_or(rest).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_leave_out_the_password_and_options() {
        assert_eq!(
            label("postgres://emporium:p@ss@db2.example:5433/shop?sslmode=require"),
            "db2.example:5433/shop"
        );
        assert_eq!(label("postgres://127.0.0.1/test"), "127.0.0.1/test");
    }
}
