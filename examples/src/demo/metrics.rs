//! `GET /metrics`: the hub's metrics (and any other the process records) in the
//! Prometheus text format, version 0.0.4, the same from every framework.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// The `Content-Type` of the Prometheus text format.
pub const METRICS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Histogram buckets of every `*_seconds` series: 50 µs to 5 s.
const SECONDS_BUCKETS: [f64; 14] = [
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0,
    5.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process's Prometheus recorder, once (later calls return the same
/// handle). Must run before the hub is built: the hub registers its series then.
/// `None` when another recorder was installed first (then `/metrics` says so).
pub fn install_recorder() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), &SECONDS_BUCKETS)
                .and_then(PrometheusBuilder::install_recorder)
                .map_err(|e| eprintln!("metrics: no Prometheus recorder: {e}"))
                .ok()
        })
        .as_ref()
}

/// The body of `GET /metrics`: every series in the text format.
#[must_use]
pub fn render() -> String {
    match install_recorder() {
        Some(handle) => {
            handle.run_upkeep();
            handle.render()
        }
        None => "# no Prometheus recorder installed in this process\n".to_owned(),
    }
}
