//! `GET /metrics`: the Prometheus text format (0.0.4), parsed with `prometheus-parse`;
//! after a scripted run every series of the hub shows exactly what happened.

use std::collections::HashMap;
use std::thread;
use std::time::{Duration, Instant};

use prometheus_parse::{Scrape, Value};
use sse_core::Frame;

use crate::support::LIVE;
use crate::support::api::{get, publish};
use crate::support::server::{Bin, Demo, start};
use crate::support::sse::{Step, Sub, sub, sub_with};

/// Every series as `name` or `name{label="value"}` (one label at most here) → value.
fn scrape(demo: &Demo) -> HashMap<String, f64> {
    let response = get(demo, "/metrics", &[]);
    assert_eq!(response.status, 200);
    let content_type = response.header("content-type").unwrap_or_default();
    assert!(
        content_type.starts_with("text/plain") && content_type.contains("version=0.0.4"),
        "content-type {content_type}"
    );
    let text = response.text();
    let scrape = Scrape::parse(text.lines().map(|l| Ok(l.to_owned())))
        .unwrap_or_else(|e| panic!("not the Prometheus text format: {e}\n{text}"));
    let mut out = HashMap::new();
    for sample in scrape.samples {
        let value = match sample.value {
            Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => v,
            Value::Histogram(_) | Value::Summary(_) => continue,
        };
        let mut labels: Vec<_> = sample.labels.iter().collect();
        labels.sort();
        let name = match labels.as_slice() {
            [] => sample.metric,
            [(key, value)] => format!("{}{{{key}=\"{value}\"}}", sample.metric),
            more => panic!("{} has several labels: {more:?}", sample.metric),
        };
        out.insert(name, value);
    }
    out
}

/// The value of `series`; fails naming what there is when it is missing.
fn value(all: &HashMap<String, f64>, series: &str) -> f64 {
    *all.get(series).unwrap_or_else(|| {
        let mut names: Vec<_> = all.keys().collect();
        names.sort();
        panic!("no series {series}; there are {names:?}")
    })
}

/// Scrapes until `done` holds (fails with the last scrape after [`LIVE`]).
fn scrape_until(
    demo: &Demo,
    what: &str,
    done: impl Fn(&HashMap<String, f64>) -> bool,
) -> HashMap<String, f64> {
    let deadline = Instant::now() + LIVE;
    loop {
        let now = scrape(demo);
        if done(&now) {
            return now;
        }
        assert!(Instant::now() < deadline, "{what}: /metrics stayed {now:?}");
        thread::sleep(Duration::from_millis(20));
    }
}

/// The bytes of the frame the hub encodes for a message published with only `data` (one
/// line): `id: <id>\ndata: <data>\n\n`.
fn frame_len(id: &str, data: &str) -> usize {
    "id: \n".len() + id.len() + "data: \n".len() + data.len() + 1
}

/// Reads `n` messages; returns their encoded size.
fn read_messages(s: &mut Sub, n: usize) -> usize {
    (0..n)
        .map(|_| {
            let m = s.message();
            assert_eq!(m.event, "message", "{m:?}");
            frame_len(&m.last_event_id, &m.data)
        })
        .sum()
}

/// Subscribe, publish 10, resume, reset, lag disconnect, disconnect: then every counter
/// and gauge of the hub says exactly that, in a body a Prometheus parser reads.
pub(crate) fn metrics_after_a_scripted_run(bin: &Bin) {
    // History 20: a subscriber more than 10 events behind is disconnected.
    let demo = start(
        bin,
        &[
            "--clock-ms",
            "0",
            "--history",
            "20",
            "--keep-alive-ms",
            "100",
        ],
    );
    let before = scrape(&demo);
    for series in [
        "sse_hub_subscriptions",
        "sse_hub_deliveries_total",
        "sse_hub_delivered_bytes_total",
        "sse_hub_replayed_events_total",
        "sse_hub_resets_total{reason=\"unknown\"}",
        "sse_hub_subscriptions_ended_total{reason=\"lag\"}",
        "sse_hub_publish_errors_total{kind=\"closed\"}",
    ] {
        assert_eq!(value(&before, series), 0.0, "{series} at start");
    }

    // Subscribe live and read 10 events.
    let mut live = sub(&demo, "/events?topic=m");
    let published: Vec<(String, String)> = (0..10)
        .map(|i| {
            let data = format!("event {i}");
            (publish(&demo, "m", &data), data)
        })
        .collect();
    let mut bytes = read_messages(&mut live, 10);
    let history_bytes: usize = published.iter().map(|(id, data)| frame_len(id, data)).sum();
    // Resume after the fifth: 5 replayed.
    let mut resumed = sub_with(
        &demo,
        "/events?topic=m",
        &[("last-event-id", published[4].0.as_bytes())],
    );
    bytes += read_messages(&mut resumed, 5);
    // An id never issued: `reset`, then the 10 the history holds.
    let mut reset = sub_with(
        &demo,
        "/events?topic=m",
        &[("last-event-id", b"never-issued")],
    );
    assert_eq!(reset.message().event, "reset");
    bytes += read_messages(&mut reset, 10);

    // A subscriber that does not read while 16 events of 900 KiB (14 MiB, far more than
    // the sockets buffer, within the 16 MiB of history) are published falls too far
    // behind; reading on, it finds its stream ended.
    let mut slow = Sub::open_small_buffer(demo.addr, "/events?topic=lag", &[]);
    let pad = "p".repeat(900 * 1024);
    for i in 0..16 {
        publish(&demo, "lag", &format!("{i} {pad}"));
    }
    let mut lagged = 0;
    let deadline = Instant::now() + LIVE;
    loop {
        assert!(
            Instant::now() < deadline,
            "the slow subscriber's stream did not end ({lagged} events read)"
        );
        match slow.next(LIVE) {
            Step::Frame(Frame::Message(m)) => {
                bytes += frame_len(&m.last_event_id, &m.data);
                lagged += 1;
            }
            Step::Frame(_) => {}
            Step::End => break,
            Step::Timeout => panic!("the slow subscriber's stream neither went on nor ended"),
        }
    }
    assert!(
        lagged < 16,
        "the slow subscriber got all 16: it never lagged"
    );

    // The three others go away.
    live.close();
    resumed.close();
    reset.close();
    let after = scrape_until(&demo, "every subscription gone", |m| {
        m.get("sse_hub_subscriptions") == Some(&0.0)
    });

    let expect = [
        ("sse_hub_subscriptions_opened_total{start=\"live\"}", 2.0),
        ("sse_hub_subscriptions_opened_total{start=\"resumed\"}", 1.0),
        ("sse_hub_subscriptions_opened_total{start=\"reset\"}", 1.0),
        ("sse_hub_resets_total{reason=\"unknown\"}", 1.0),
        ("sse_hub_resets_total{reason=\"expired\"}", 0.0),
        ("sse_hub_subscriptions_ended_total{reason=\"lag\"}", 1.0),
        (
            "sse_hub_subscriptions_ended_total{reason=\"disconnect\"}",
            3.0,
        ),
        (
            "sse_hub_subscriptions_ended_total{reason=\"lifetime\"}",
            0.0,
        ),
        (
            "sse_hub_subscriptions_ended_total{reason=\"shutdown\"}",
            0.0,
        ),
        ("sse_hub_events_published_total{topic=\"m\"}", 10.0),
        ("sse_hub_events_published_total{topic=\"lag\"}", 16.0),
        ("sse_hub_publish_errors_total{kind=\"closed\"}", 0.0),
        (
            "sse_hub_publish_errors_total{kind=\"too_many_topics\"}",
            0.0,
        ),
        ("sse_hub_publish_seconds_count", 26.0),
        ("sse_hub_deliveries_total", (25 + lagged) as f64),
        ("sse_hub_replayed_events_total", 15.0),
        ("sse_hub_delivered_bytes_total", bytes as f64),
        ("sse_hub_subscriptions", 0.0),
        ("sse_hub_topic_subscribers{topic=\"m\"}", 0.0),
        ("sse_hub_topic_subscribers{topic=\"lag\"}", 0.0),
        ("sse_hub_topics", 2.0),
        ("sse_hub_history_events{topic=\"m\"}", 10.0),
        ("sse_hub_history_bytes{topic=\"m\"}", history_bytes as f64),
        ("sse_hub_history_events{topic=\"lag\"}", 16.0),
    ];
    let wrong: Vec<String> = expect
        .iter()
        .filter(|(series, want)| value(&after, series) != *want)
        .map(|(series, want)| format!("{series} = {} (expected {want})", value(&after, series)))
        .collect();
    assert!(
        wrong.is_empty(),
        "after the scripted run:\n{}",
        wrong.join("\n")
    );
}
