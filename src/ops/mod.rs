//! Running the store for real: HTTPS, stopping gracefully, backups, metrics.

pub mod backup;
pub mod metrics;
pub mod shutdown;
pub mod tls;
