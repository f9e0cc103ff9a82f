//! Logging set-up. What may be logged is decided where events are emitted: identifiers
//! (reference, route, form) and codes only; never answers, client addresses or user agents.
//! Both formats carry exactly the same events and fields, so that rule holds for either.

use crate::config::LogFormat;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber writing to `writer` in `format`. `RUST_LOG` overrides the
/// default level.
pub fn init<W>(format: LogFormat, writer: W)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .with_target(false);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        // One object a line, the event's fields at the top level beside `timestamp`, `level`
        // and `message`, for log pipelines (journald, Loki, Elastic) to index.
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}
