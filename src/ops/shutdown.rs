//! Stopping gracefully: on SIGTERM or SIGINT the server stops accepting and gives requests in
//! flight `server.shutdown_timeout_seconds` to finish (a checkout's transaction then commits
//! or rolls back whole); then what is held in memory is written and the database closed.

use crate::state::AppState;

/// Resolves at the first SIGTERM or SIGINT (actix treats SIGINT as a forced stop by itself).
pub async fn signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "SIGTERM cannot be caught; stopping on Ctrl-C only");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    tracing::info!("stop requested: finishing the requests in flight");
}

/// After the last request: the batched product views are written and the database closed.
pub async fn finish(state: &AppState) {
    if let Err(e) = crate::engagement::views::flush(state).await {
        tracing::warn!(error = %e, "recently viewed: last batch not written");
    }
    state.db.pool().close().await;
    tracing::info!("stopped");
}
