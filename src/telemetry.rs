//! Logging: one line per event, human-readable or JSON (`log.format`).

use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, LogSettings};

/// One line per event on standard error (commands print their results on standard output, so
/// `emporium report vat > vat.csv` holds only the report); JSON when `log.format = "json"`.
/// `RUST_LOG` overrides `log.level`.
pub fn init(settings: &LogSettings) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    // try_init: a second call (tests) keeps the first subscriber.
    let _ = match settings.format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
