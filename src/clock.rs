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

/// Formats unix seconds as a time of day in the shop's time zone: `15:42 (Europe/Berlin)`, with
/// the date when it is not today there.
pub fn format_local(ts: i64, now: i64, zone: &str) -> String {
    let tz = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let (Ok(at), Ok(today)) = (
        jiff::Timestamp::from_second(ts),
        jiff::Timestamp::from_second(now),
    ) else {
        return format_unix(ts);
    };
    let (at, today) = (at.to_zoned(tz.clone()), today.to_zoned(tz));
    if at.date() == today.date() {
        format!("{} ({zone})", at.strftime("%H:%M"))
    } else {
        format!("{} ({zone})", at.strftime("%Y-%m-%d %H:%M"))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn local_times_follow_the_zone_and_its_summer_time() {
        // 2026-11-27 14:00 UTC is 15:00 in Berlin (winter), 2026-07-01 12:00 UTC is 14:00.
        let winter = 1_795_788_000;
        assert_eq!(
            super::format_local(winter, winter, "Europe/Berlin"),
            "15:00 (Europe/Berlin)"
        );
        let summer = 1_782_907_200;
        assert_eq!(
            super::format_local(summer, winter, "Europe/Berlin"),
            "2026-07-01 14:00 (Europe/Berlin)"
        );
        assert_eq!(super::format_local(winter, winter, "UTC"), "14:00 (UTC)");
    }
}
