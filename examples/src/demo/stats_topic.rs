//! The `stats` topic: about once a second, an event `stats` with the server's counts as
//! JSON (`subscribers`, `events_per_s`, `published`), for the page's live panel. Sent only
//! while someone follows the topic, not counted in `/stats`.

use std::time::{Duration, Instant};

use sse_core::{Event, EventName};
use sse_hub::{Hub, Topic};
use tokio_util::sync::CancellationToken;

/// The topic of the live statistics.
pub const STATS_TOPIC: &str = "stats";

/// The event type of its events.
const STATS: EventName = EventName::from_static("stats");

/// How often the statistics are sent.
const PERIOD: Duration = Duration::from_secs(1);

/// Publishes the statistics every second until `stopping` is cancelled or the hub
/// shuts down. Must be called inside a tokio runtime.
pub fn spawn_stats(hub: Hub, stopping: CancellationToken) {
    let topic = Topic::from_static(STATS_TOPIC);
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(PERIOD);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last = (Instant::now(), hub.stats().published);
        loop {
            tokio::select! {
                () = stopping.cancelled() => break,
                _ = interval.tick() => {}
            }
            let now = (Instant::now(), hub.stats().published);
            let rate = events_per_s(last, now);
            last = now;
            if hub.subscribers(&topic) == 0 {
                continue;
            }
            let data = serde_json::json!({
                "subscribers": hub.total_subscribers(),
                "events_per_s": rate,
                "published": now.1,
            });
            let event = Event::new().with_event(STATS).data(data.to_string());
            if hub.publish_uncounted(&topic, event).await.is_err() {
                break;
            }
        }
    });
}

/// Events per second between two readings of the `published` counter, rounded to a tenth.
fn events_per_s((then, before): (Instant, u64), (now, after): (Instant, u64)) -> f64 {
    let seconds = now.duration_since(then).as_secs_f64();
    if seconds <= 0.0 {
        return 0.0;
    }
    #[allow(clippy::cast_precision_loss)] // counts far below 2^53
    let events = after.saturating_sub(before) as f64;
    (events / seconds * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_is_per_second_and_never_negative() {
        let start = Instant::now();
        let later = start + Duration::from_millis(500);
        assert!((events_per_s((start, 10), (later, 15)) - 10.0).abs() < f64::EPSILON);
        assert!(events_per_s((start, 10), (later, 10)).abs() < f64::EPSILON);
        assert!(events_per_s((later, 0), (start, 5)).abs() < f64::EPSILON);
    }
}
