//! The store's notion of "now". Production reads the system clock; tests move it forward to
//! exercise expiry (tokens, throttling, sessions) without sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use time::OffsetDateTime;

#[derive(Clone, Default, Debug)]
pub struct Clock {
    offset_seconds: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> OffsetDateTime {
        #[expect(
            clippy::disallowed_methods,
            reason = "the store's one reading of the system clock"
        )]
        let system = OffsetDateTime::now_utc();
        system + time::Duration::seconds(self.offset_seconds.load(Ordering::Relaxed))
    }

    /// Unix seconds, the form every timestamp takes in the database.
    pub fn unix(&self) -> i64 {
        self.now().unix_timestamp()
    }

    /// Moves this clock (and every clone of it) forward.
    pub fn advance(&self, by: std::time::Duration) {
        let secs = i64::try_from(by.as_secs()).unwrap_or(i64::MAX);
        self.offset_seconds.fetch_add(secs, Ordering::Relaxed);
    }
}

/// Formats unix seconds for people: `2026-11-22 14:05 UTC`.
pub fn format_unix(ts: i64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_default()
}
