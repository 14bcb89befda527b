//! The `metrics` feature: after a scripted run, every series shows exactly what happened,
//! read back from a Prometheus recorder's text output. The hub registers its series with
//! the recorder current when it is built and when it makes a topic, so each test runs
//! with a recorder of its own (`metrics::with_local_recorder`).

#![cfg(feature = "metrics")]

mod common;

use common::{last, poll_now, publish, ready_frames, subscribe, topic};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusRecorder};
use sse_hub::{End, Hub, PublishError, Start, observe};

/// The value of one series (`name` or `name{label="value"}`) in the text output; fails
/// when it is missing.
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| {
            let rest = line.strip_prefix(series)?;
            rest.strip_prefix(' ')?.trim().parse().ok()
        })
        .unwrap_or_else(|| panic!("no series {series} in:\n{text}"))
}

fn with_recorder<T>(run: impl FnOnce(&PrometheusRecorder) -> T) -> T {
    let recorder = PrometheusBuilder::new().build_recorder();
    metrics::with_local_recorder(&recorder, || run(&recorder))
}

#[test]
fn every_series_shows_what_happened() {
    with_recorder(|recorder| {
        let hub = Hub::builder()
            .history(16)
            .max_lag_events(Some(5))
            .shutdown_retry(None)
            .build()
            .unwrap();
        let t = topic("t");
        // Subscribe live, publish 4, read them all.
        let mut live = subscribe(&hub, [&t]);
        let ids: Vec<_> = (0..4).map(|n| publish(&hub, &t, &n.to_string())).collect();
        let frames = ready_frames(&mut live);
        assert_eq!(frames.len(), 4);
        let bytes: usize = frames.iter().map(sse_core::Encoded::len).sum();
        // Resume after the first: 3 replayed.
        let mut resumed = hub.resume([&t], Some(&last(ids[0].as_str()))).unwrap();
        assert_eq!(resumed.start(), Start::Resumed { replay: 3 });
        let replayed: usize = ready_frames(&mut resumed)
            .iter()
            .map(sse_core::Encoded::len)
            .sum();
        // A foreign id: reset (replaying the 4 held, not counted as bytes here).
        let mut reset = hub.resume([&t], Some(&last("elsewhere-1"))).unwrap();
        assert!(matches!(reset.start(), Start::Reset { .. }));
        let reset_frames = ready_frames(&mut reset);
        let reset_bytes: usize = reset_frames
            .iter()
            .skip(1)
            .map(sse_core::Encoded::len)
            .sum();
        // The client of `reset` goes away.
        drop(reset);
        // Six more, `live` reading as they come, `resumed` not: it is too far behind.
        let mut more = 0;
        for n in 4..10 {
            publish(&hub, &t, &n.to_string());
            more += ready_frames(&mut live)
                .iter()
                .map(sse_core::Encoded::len)
                .sum::<usize>();
        }
        assert_eq!(poll_now(&mut resumed), Some(None));
        assert_eq!(resumed.end(), Some(End::Lagged));

        hub.update_metrics();
        let text = recorder.handle().render();
        assert_eq!(value(&text, observe::SUBSCRIPTIONS), 1.0);
        assert_eq!(value(&text, "sse_hub_topic_subscribers{topic=\"t\"}"), 1.0);
        assert_eq!(value(&text, observe::TOPICS), 1.0);
        assert_eq!(
            value(&text, "sse_hub_events_published_total{topic=\"t\"}"),
            10.0
        );
        assert_eq!(value(&text, "sse_hub_history_events{topic=\"t\"}"), 10.0);
        for (start, n) in [("live", 1.0), ("resumed", 1.0), ("reset", 1.0)] {
            let series = format!("sse_hub_subscriptions_opened_total{{start=\"{start}\"}}");
            assert_eq!(value(&text, &series), n, "{series}");
        }
        assert_eq!(
            value(&text, "sse_hub_resets_total{reason=\"unknown\"}"),
            1.0
        );
        assert_eq!(
            value(&text, "sse_hub_resets_total{reason=\"expired\"}"),
            0.0
        );
        for (reason, n) in [
            ("lag", 1.0),
            ("lifetime", 0.0),
            ("shutdown", 0.0),
            ("disconnect", 1.0),
        ] {
            let series = format!("sse_hub_subscriptions_ended_total{{reason=\"{reason}\"}}");
            assert_eq!(value(&text, &series), n, "{series}");
        }
        // live: 10; resumed: 3 replayed; reset: 4 replayed.
        assert_eq!(value(&text, observe::DELIVERIES), 17.0);
        assert_eq!(value(&text, observe::REPLAYED), 7.0);
        assert_eq!(
            value(&text, observe::DELIVERED_BYTES),
            (bytes + more + replayed + reset_bytes) as f64
        );
        assert_eq!(
            value(&text, &format!("{}_count", observe::PUBLISH_SECONDS)),
            10.0
        );

        // Shutdown: the open stream ends, publishing fails.
        hub.shutdown();
        assert_eq!(poll_now(&mut live), Some(None));
        assert!(matches!(publish_err(&hub, &t), PublishError::Closed));
        hub.update_metrics();
        let text = recorder.handle().render();
        assert_eq!(
            value(
                &text,
                "sse_hub_subscriptions_ended_total{reason=\"shutdown\"}"
            ),
            1.0
        );
        assert_eq!(
            value(&text, "sse_hub_publish_errors_total{kind=\"closed\"}"),
            1.0
        );
        assert_eq!(value(&text, observe::SUBSCRIPTIONS), 0.0);
        assert_eq!(value(&text, "sse_hub_topic_subscribers{topic=\"t\"}"), 0.0);
    });
}

fn publish_err(hub: &Hub, t: &sse_hub::Topic) -> PublishError {
    hub.publish(t, sse_core::Event::new().data("x"))
        .into_ready()
        .expect("complete at once")
        .expect_err("refused")
}

#[test]
fn topics_beyond_the_cap_share_one_label_and_forgotten_topics_give_back_their_history() {
    with_recorder(|recorder| {
        let hub = Hub::builder()
            .metrics_topics(2)
            .max_topics(3)
            .build()
            .unwrap();
        for name in ["a", "b", "c", "d"] {
            publish(&hub, &topic(name), "x");
        }
        let held: usize = hub.stats().topics.iter().map(|t| t.history_bytes).sum();
        hub.update_metrics();
        let text = recorder.handle().render();
        assert_eq!(
            value(&text, "sse_hub_events_published_total{topic=\"a\"}"),
            1.0
        );
        assert_eq!(
            value(&text, "sse_hub_events_published_total{topic=\"b\"}"),
            1.0
        );
        assert_eq!(
            value(&text, "sse_hub_events_published_total{topic=\"(other)\"}"),
            2.0
        );
        assert!(!text.contains("topic=\"c\"") && !text.contains("topic=\"d\""));
        // `a` was forgotten to make room for `d`: 3 topics, their history only.
        assert_eq!(value(&text, observe::TOPICS), 3.0);
        assert_eq!(value(&text, "sse_hub_history_events{topic=\"a\"}"), 0.0);
        let history_bytes: f64 = ["a", "b", "(other)"]
            .iter()
            .map(|label| {
                value(
                    &text,
                    &format!("sse_hub_history_bytes{{topic=\"{label}\"}}"),
                )
            })
            .sum();
        assert_eq!(history_bytes, held as f64);
        // A forgotten topic made again keeps its own label.
        publish(&hub, &topic("a"), "y");
        hub.update_metrics();
        let text = recorder.handle().render();
        assert_eq!(
            value(&text, "sse_hub_events_published_total{topic=\"a\"}"),
            2.0
        );
    });
}

#[test]
fn a_hub_built_with_metrics_off_reports_nothing_beside_one_that_reports() {
    with_recorder(|recorder| {
        let quiet = Hub::builder().metrics(false).build().unwrap();
        let mut quiet_sub = subscribe(&quiet, [&topic("quiet")]);
        for n in 0..3 {
            publish(&quiet, &topic("quiet"), &n.to_string());
        }
        assert_eq!(ready_frames(&mut quiet_sub).len(), 3);
        quiet.update_metrics();
        assert_eq!(recorder.handle().render(), "", "nothing registered");
        // The reporting hub's counts are its own: the quiet one's 3 deliveries are not in them.
        let hub = Hub::builder().build().unwrap();
        let mut sub = subscribe(&hub, [&topic("loud")]);
        publish(&hub, &topic("loud"), "x");
        assert_eq!(ready_frames(&mut sub).len(), 1);
        quiet.update_metrics();
        hub.update_metrics();
        let text = recorder.handle().render();
        assert_eq!(value(&text, observe::DELIVERIES), 1.0);
        assert_eq!(value(&text, observe::SUBSCRIPTIONS), 1.0);
        assert_eq!(value(&text, observe::TOPICS), 1.0);
        assert!(!text.contains("quiet"), "{text}");
        drop(quiet_sub);
    });
}

#[test]
fn backplane_hooks_set_their_series() {
    with_recorder(|recorder| {
        observe::backplane_disconnected(&"connection refused");
        let text = recorder.handle().render();
        assert_eq!(value(&text, observe::BACKPLANE_UP), 0.0);
        observe::backplane_connected();
        observe::backplane_round_trip(std::time::Duration::from_millis(3));
        observe::backplane_reader_lag(std::time::Duration::from_millis(5));
        let text = recorder.handle().render();
        assert_eq!(value(&text, observe::BACKPLANE_UP), 1.0);
        let count = |name: &str| value(&text, &format!("{name}_count"));
        assert_eq!(count(observe::BACKPLANE_ROUND_TRIP_SECONDS), 1.0);
        assert_eq!(count(observe::BACKPLANE_READER_LAG_SECONDS), 1.0);
    });
}

#[test]
fn history_gauges_follow_the_hub_wide_budget() {
    with_recorder(|recorder| {
        // Room for about four of these events hub-wide: publishing to two topics evicts
        // the oldest of either.
        let event = "x".repeat(200);
        let hub = Hub::builder().memory_budget_bytes(1000).build().unwrap();
        for n in 0..6 {
            publish(&hub, &topic(if n % 2 == 0 { "a" } else { "b" }), &event);
        }
        let stats = hub.stats();
        let held: usize = stats.topics.iter().map(|t| t.history_bytes).sum();
        let events: usize = stats.topics.iter().map(|t| t.history).sum();
        assert!(
            events < 6,
            "the budget evicted nothing: {events} events held"
        );
        let text = recorder.handle().render();
        let sum = |name: &str| -> f64 {
            ["a", "b"]
                .iter()
                .map(|t| value(&text, &format!("{name}{{topic=\"{t}\"}}")))
                .sum()
        };
        assert_eq!(sum("sse_hub_history_bytes"), held as f64);
        assert_eq!(sum("sse_hub_history_events"), events as f64);
    });
}
