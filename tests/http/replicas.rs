//! Read replicas (PostgreSQL): listings and product pages are read from a streaming standby
//! that keeps up; one that lags, has not yet replayed the change the cache was emptied for, or
//! is down, is skipped. Needs `EMPORIUM_TEST_REPLICA_URL`, a standby of the suite's PostgreSQL
//! (`.ci/run` makes one with `pg_basebackup`); the run on SQLite has no replicas.

use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use sqlx::Connection;

use crate::helpers::{TestApp, postgres_url, run_beside};

fn replica_admin_url() -> Option<String> {
    std::env::var("EMPORIUM_TEST_REPLICA_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

/// Pauses the standby's replay; resumes it when dropped, even after a failed assertion (a
/// paused standby would outlive the test).
struct Paused(String);

impl Paused {
    async fn new(url: &str) -> Self {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query("SELECT pg_wal_replay_pause()")
            .execute(&mut c)
            .await
            .unwrap();
        Self(url.to_string())
    }
}

impl Drop for Paused {
    fn drop(&mut self) {
        let url = self.0.clone();
        run_beside(async move {
            if let Ok(mut c) = sqlx::PgConnection::connect(&url).await {
                let _ = sqlx::query("SELECT pg_wal_replay_resume()")
                    .execute(&mut c)
                    .await;
            }
        });
    }
}

async fn until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !done().await {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "waited 20 s for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Commits a write on the primary and waits until the standby replayed it, so its lag starts
/// from now.
async fn fresh_commit(app: &TestApp, replica: &str) {
    let pool = app.state.db.pool();
    sqlx::query("UPDATE catalog_changes SET version = version WHERE id = 1")
        .execute(pool)
        .await
        .unwrap();
    let lsn: String = sqlx::query_scalar("SELECT CAST(pg_current_wal_lsn() AS TEXT)")
        .fetch_one(pool)
        .await
        .unwrap();
    let mut c = sqlx::PgConnection::connect(replica).await.unwrap();
    until(
        "the standby to replay the primary's last write",
        async || {
            sqlx::query_scalar::<_, bool>("SELECT pg_last_wal_replay_lsn() >= CAST($1 AS pg_lsn)")
                .bind(&lsn)
                .fetch_one(&mut c)
                .await
                .unwrap()
        },
    )
    .await;
}

async fn rename(app: &TestApp, id: i64, name: &str) {
    // Straight to the primary, as another instance would; the shared version is left alone.
    sqlx::query("UPDATE products SET name = $1 WHERE id = $2")
        .bind(name)
        .bind(id)
        .execute(app.state.db.pool())
        .await
        .unwrap();
}

async fn page(app: &TestApp, id: i64) -> String {
    let res = app.get(&format!("/products/{id}")).await;
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

#[tokio::test]
async fn catalogue_reads_use_a_replica_that_keeps_up_and_skip_one_that_does_not() {
    let Some(standby) = replica_admin_url() else {
        if postgres_url().is_some() {
            eprintln!("read replica test skipped: EMPORIUM_TEST_REPLICA_URL is not set");
        }
        return;
    };
    let mut replica_url = String::new();
    let app = TestApp::spawn_with(|s| {
        let primary: url::Url = s.database.url.expose_secret().parse().unwrap();
        let mut r: url::Url = standby.parse().unwrap();
        r.set_path(primary.path());
        replica_url = r.to_string();
        s.database.replica_urls = vec![
            SecretString::from(replica_url.clone()),
            // Nothing listens there: skipped from the start, and nothing fails.
            SecretString::from("postgres://postgres@127.0.0.1:1/down"),
        ];
        s.database.replica_max_lag_seconds = 5;
        s.metrics.enabled = true;
    })
    .await;
    let ids: Vec<i64> = {
        let mut v = Vec::new();
        for name in ["Aster Lamp", "Birch Lamp", "Cedar Lamp"] {
            v.push(app.product(name, "Oakridge", "Lighting", 2500, 5).await);
        }
        v
    };
    let replicas = app.state.db.replicas().clone();
    let (live, down) = (&replicas.list()[0], &replicas.list()[1]);
    let version = || async {
        sqlx::query_scalar::<_, i64>("SELECT version FROM catalog_changes WHERE id = 1")
            .fetch_one(app.state.db.pool())
            .await
            .unwrap()
    };
    until(
        "the standby to be in use at the current version",
        async || live.is_up() && live.version() >= version().await,
    )
    .await;

    // A listing nobody asked for yet is read from the standby.
    let before = live.reads();
    let res = app.get("/products?q=lamp&sort=name").await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Birch Lamp"));
    assert!(
        live.reads() > before,
        "the listing was read from the standby"
    );
    assert!(!down.is_up(), "the replica that does not answer is skipped");

    // Replay stops; the primary renames two products behind the store's back. Within the lag
    // allowed the standby still answers, with the old name.
    fresh_commit(&app, &replica_url).await;
    let paused = Paused::new(&replica_url).await;
    rename(&app, ids[0], "Renamed Aster").await;
    rename(&app, ids[1], "Renamed Birch").await;
    let html = page(&app, ids[0]).await;
    assert!(
        html.contains("Aster Lamp") && !html.contains("Renamed"),
        "read from the standby, which has not replayed the rename"
    );
    // Past the lag allowed the standby is skipped and the primary answers.
    until("the lagging standby to be skipped", async || !live.is_up()).await;
    let primary_reads = replicas.primary_reads();
    assert!(page(&app, ids[1]).await.contains("Renamed Birch"));
    assert!(replicas.primary_reads() > primary_reads);
    drop(paused);
    until("the standby to catch up", async || {
        live.is_up() && live.version() >= version().await
    })
    .await;

    // A change the store knows of (the shared version moved) is never read back from a standby
    // that has not replayed it, however small its lag.
    fresh_commit(&app, &replica_url).await;
    let _paused = Paused::new(&replica_url).await;
    rename(&app, ids[2], "Renamed Cedar").await;
    emporium::catalog::changed(&app.state, false).await;
    assert!(page(&app, ids[2]).await.contains("Renamed Cedar"));
    assert!(
        live.is_up(),
        "the standby was still within the lag allowed: the version kept it out"
    );
    let html = app
        .get("/products?q=lamp&sort=price")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Renamed Cedar"));

    // The figures name each replica without its password.
    let metrics = app.get("/metrics").await.text().await.unwrap();
    let label = replica_url.split_once('@').unwrap().1;
    assert!(
        metrics.contains(&format!("emporium_db_replica_up{{source=\"{label}\"}} 1")),
        "{metrics}"
    );
    assert!(metrics.contains("emporium_db_replica_up{source=\"127.0.0.1:1/down\"} 0"));
    assert!(metrics.contains(&format!(
        "emporium_db_replica_reads_total{{source=\"{label}\"}}"
    )));
}
