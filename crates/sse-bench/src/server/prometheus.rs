//! The Prometheus recorder of the `ours-axum-hub-metrics` peer, and its scrapes.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use super::Source;

/// Installs a Prometheus recorder as the process's global recorder.
pub(super) fn install() -> io::Result<PrometheusHandle> {
    PrometheusBuilder::new()
        .install_recorder()
        .map_err(io::Error::other)
}

/// Renders the metrics once a second on a thread of its own, as a Prometheus server
/// scraping the process would make it do (more often than the usual 15 s, so the cost
/// shows): the hub's delivery series brought up to date, then the text built.
pub(super) fn scrape_every_second(handle: PrometheusHandle, source: Arc<Source>) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_secs(1));
            source.update_metrics();
            let text = handle.render();
            std::hint::black_box(text);
        }
    });
}
