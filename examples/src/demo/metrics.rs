//! `GET /metrics`: the hub's metrics (and any other the process records, such as the live
//! heap of a binary that counts it) in the Prometheus text format, version 0.0.4, the same
//! from every framework.

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
            super::heap::record();
            handle.run_upkeep();
            handle.render()
        }
        None => "# no Prometheus recorder installed in this process\n".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use sse_hub::observe;

    /// Every hub series the Grafana dashboard (`examples/grafana-dashboard.json`) queries
    /// is one the hub documents (histograms through their `_bucket` series).
    #[test]
    fn the_dashboard_queries_only_documented_series() {
        let dashboard = include_str!("../../grafana-dashboard.json");
        let documented = [
            observe::SUBSCRIPTIONS,
            observe::TOPIC_SUBSCRIBERS,
            observe::TOPICS,
            observe::SUBSCRIPTIONS_OPENED,
            observe::SUBSCRIPTIONS_ENDED,
            observe::RESETS,
            observe::EVENTS_PUBLISHED,
            observe::PUBLISH_ERRORS,
            observe::DELIVERIES,
            observe::DELIVERED_BYTES,
            observe::REPLAYED,
            observe::HISTORY_EVENTS,
            observe::HISTORY_BYTES,
            observe::PUBLISH_SECONDS,
            observe::BACKPLANE_UP,
            observe::BACKPLANE_ROUND_TRIP_SECONDS,
            observe::BACKPLANE_READER_LAG_SECONDS,
        ];
        let mut queried = 0;
        for (at, _) in dashboard.match_indices("sse_hub_") {
            let name: String = dashboard[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if name == "sse_hub_" {
                continue; // the dashboard's uid or tags
            }
            let series = name.strip_suffix("_bucket").unwrap_or(&name);
            assert!(
                documented.contains(&series),
                "{name} is not a documented series"
            );
            queried += 1;
        }
        assert!(queried >= documented.len(), "only {queried} queries");
    }
}
