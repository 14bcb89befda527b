//! Structured logs on stderr: `tracing-subscriber`, filtered by `RUST_LOG` (default
//! `info`), `--log-format pretty` (human) or `json` (one object per line).

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// The `--log-format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Pretty,
    /// One JSON object per line, with the span's fields.
    Json,
}

/// Installs the process's log subscriber (once; later calls do nothing). A bad `RUST_LOG`
/// is reported on stderr and the default filter (`info`) is used.
pub fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|e| {
        if std::env::var_os(EnvFilter::DEFAULT_ENV).is_some() {
            eprintln!("RUST_LOG: {e}; using `info`");
        }
        EnvFilter::new("info")
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let installed = match format {
        LogFormat::Pretty => builder.try_init(),
        LogFormat::Json => builder.json().with_current_span(true).try_init(),
    };
    drop(installed); // already installed: keep the first
}
