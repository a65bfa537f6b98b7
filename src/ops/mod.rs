//! Running the store for real: HTTPS, stopping gracefully, backups.

pub mod backup;
pub mod shutdown;
pub mod tls;
