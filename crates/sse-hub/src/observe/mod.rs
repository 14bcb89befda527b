//! Observability: what the hub tells an operator, through the `metrics` facade (feature
//! `metrics`) and `tracing` (feature `tracing`). The application picks the exporter and
//! the subscriber; the hub only emits.
//!
//! Every hook the hub calls lives here, so the rest of the crate has one-line calls at
//! the points where things happen. Without a feature its hooks are empty inline
//! functions on zero-sized types: they compile to nothing.
//!
//! # Metrics
//!
//! The names below, with the `topic` label capped by
//! [`HubBuilder::metrics_topics`](crate::HubBuilder::metrics_topics): the first topics
//! the hub makes get their own label value, the others are counted together under
//! [`OTHER_TOPICS`], so the set of series stays bounded however many topics clients make.
//!
//! The hub registers its series when it is built and when it makes a topic: install the
//! recorder (for example `metrics_exporter_prometheus::PrometheusBuilder::install_recorder`)
//! before building the hub, or the hub's series go to no recorder.
//!
//! Deliveries make no recorder call: the hub counts them as it always does (sharded
//! counters, plus their bytes with this feature), and `sse_hub_deliveries_total`,
//! `sse_hub_delivered_bytes_total` and `sse_hub_replayed_events_total` are brought up to
//! date when a subscription ends and by [`Hub::update_metrics`](crate::Hub::update_metrics),
//! which an exporter calls before it renders (the demo's `/metrics` does).
//!
//! # Tracing
//!
//! Each subscription has a span `subscription` (level DEBUG, so that a server logging at
//! INFO creates no span per connection) with its number, topics and
//! resume plan (`start` = `live`, `resumed` or `reset`; `after` the id it resumed after;
//! `reason` of a reset; `replay` the events replayed). Events: `subscribed` (DEBUG), the
//! end of a stream for lag (INFO), for its lifetime or the shutdown (DEBUG), the client
//! going away (DEBUG); the hub's shutdown (INFO); a backplane's disconnection (WARN) and
//! reconnection (INFO). Nothing is emitted per delivered event.
//!
//! # For a backplane
//!
//! A backplane that talks to a server (Redis) reports its health with
//! [`backplane_connected`], [`backplane_disconnected`], [`backplane_round_trip`] and
//! [`backplane_reader_lag`]; they feed the `sse_hub_backplane_*` series and the
//! tracing events above, and do nothing without the features.

use std::fmt;
use std::time::Duration;

#[cfg(feature = "metrics")]
mod metrics;
#[cfg(not(feature = "metrics"))]
mod metrics_off;
#[cfg(feature = "tracing")]
mod trace;
#[cfg(not(feature = "tracing"))]
mod trace_off;

#[cfg(feature = "metrics")]
pub(crate) use self::metrics::{HubMetrics, TopicMetrics};
#[cfg(not(feature = "metrics"))]
pub(crate) use metrics_off::{HubMetrics, TopicMetrics};
#[cfg(feature = "tracing")]
pub(crate) use trace::{SubscriptionSpan, shutdown};
#[cfg(not(feature = "tracing"))]
pub(crate) use trace_off::{SubscriptionSpan, shutdown};

pub use crate::config::DEFAULT_METRICS_TOPICS;

/// The `topic` label value of the topics beyond the cap (not a valid topic name, so it
/// never collides with one).
pub const OTHER_TOPICS: &str = "(other)";

/// Gauge: subscriptions open now.
pub const SUBSCRIPTIONS: &str = "sse_hub_subscriptions";
/// Gauge, label `topic`: subscriptions to each topic open now.
pub const TOPIC_SUBSCRIBERS: &str = "sse_hub_topic_subscribers";
/// Gauge: topics the hub holds.
pub const TOPICS: &str = "sse_hub_topics";
/// Counter, label `start` (`live`, `resumed`, `reset`): subscriptions opened.
pub const SUBSCRIPTIONS_OPENED: &str = "sse_hub_subscriptions_opened_total";
/// Counter, label `reason` (`lag`, `lifetime`, `shutdown`, `disconnect`): subscriptions
/// ended, by why: the hub ended the stream, or the client went away (the subscription was
/// dropped while open).
pub const SUBSCRIPTIONS_ENDED: &str = "sse_hub_subscriptions_ended_total";
/// Counter, label `reason` (`unknown`, `expired`): streams that began with `reset`.
pub const RESETS: &str = "sse_hub_resets_total";
/// Counter, label `topic`: events appended to the topic's log (published here, or
/// delivered by the backplane), `publish_uncounted` ones included.
pub const EVENTS_PUBLISHED: &str = "sse_hub_events_published_total";
/// Counter, label `kind` (`closed`, `too_many_topics`, `out_of_order`, `backplane`,
/// `too_large`):
/// publishes that failed.
pub const PUBLISH_ERRORS: &str = "sse_hub_publish_errors_total";
/// Counter: events handed to subscribers, live and replayed (one per subscriber per event).
pub const DELIVERIES: &str = "sse_hub_deliveries_total";
/// Counter: bytes of those events.
pub const DELIVERED_BYTES: &str = "sse_hub_delivered_bytes_total";
/// Counter: of the deliveries, events published before the subscriber subscribed
/// (resume and reset replay).
pub const REPLAYED: &str = "sse_hub_replayed_events_total";
/// Gauge, label `topic`: events the topic's history holds.
pub const HISTORY_EVENTS: &str = "sse_hub_history_events";
/// Gauge, label `topic`: bytes the topic's history holds.
pub const HISTORY_BYTES: &str = "sse_hub_history_bytes";
/// Histogram: seconds from `Hub::publish` until the backplane has ordered the event
/// (in-process: appended to the log and subscribers woken; Redis: `XADD` acknowledged).
pub const PUBLISH_SECONDS: &str = "sse_hub_publish_seconds";
/// Gauge: 1 while the backplane is connected, 0 while it is not (set by the backplane).
pub const BACKPLANE_UP: &str = "sse_hub_backplane_up";
/// Histogram: seconds of one request to the backplane's server and back (set by the backplane).
pub const BACKPLANE_ROUND_TRIP_SECONDS: &str = "sse_hub_backplane_round_trip_seconds";
/// Histogram: seconds from an event's acceptance by the backplane's server until this
/// process's reader delivered it to the hub (set by the backplane).
pub const BACKPLANE_READER_LAG_SECONDS: &str = "sse_hub_backplane_reader_lag_seconds";

/// For a backplane: it is connected (again). Sets [`BACKPLANE_UP`] to 1 and logs the
/// reconnection at INFO. Call it on each change, not on each request.
pub fn backplane_connected() {
    metrics_backplane_up(true);
    trace_backplane(None);
}

/// For a backplane: it lost its server. Sets [`BACKPLANE_UP`] to 0 and logs `reason` at
/// WARN. Call it on each change, not on each failed request.
pub fn backplane_disconnected(reason: &dyn fmt::Display) {
    metrics_backplane_up(false);
    trace_backplane(Some(reason));
}

/// For a backplane: one request to its server took `elapsed` (records
/// [`BACKPLANE_ROUND_TRIP_SECONDS`]).
#[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
pub fn backplane_round_trip(elapsed: Duration) {
    #[cfg(feature = "metrics")]
    ::metrics::histogram!(BACKPLANE_ROUND_TRIP_SECONDS).record(elapsed);
}

/// For a backplane: an event reached this process's hub `lag` after the server accepted
/// it (records [`BACKPLANE_READER_LAG_SECONDS`]).
#[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
pub fn backplane_reader_lag(lag: Duration) {
    #[cfg(feature = "metrics")]
    ::metrics::histogram!(BACKPLANE_READER_LAG_SECONDS).record(lag);
}

#[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
fn metrics_backplane_up(up: bool) {
    #[cfg(feature = "metrics")]
    ::metrics::gauge!(BACKPLANE_UP).set(if up { 1.0 } else { 0.0 });
}

#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
fn trace_backplane(down: Option<&dyn fmt::Display>) {
    #[cfg(feature = "tracing")]
    match down {
        Some(reason) => tracing::warn!(%reason, "backplane disconnected"),
        None => tracing::info!("backplane connected"),
    }
}
