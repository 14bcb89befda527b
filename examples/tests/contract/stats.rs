//! `GET /stats`.

use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::LIVE;
use crate::support::api::{publish, publish_raw, stats};
use crate::support::server::{Bin, Demo, start};
use crate::support::sse::{sub, sub_with};

/// Polls `/stats` until `done` holds (fails with the last answer after [`LIVE`]).
fn stats_until(demo: &Demo, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + LIVE;
    loop {
        let now = stats(demo);
        if done(&now) {
            return now;
        }
        assert!(Instant::now() < deadline, "{what}: /stats stayed {now}");
        thread::sleep(Duration::from_millis(20));
    }
}

fn topic_counts(stats: &Value, topic: &str) -> Option<(u64, u64)> {
    let t = stats["topics"].get(topic)?;
    Some((t["subscribers"].as_u64()?, t["published"].as_u64()?))
}

/// `/stats` counts live subscriber connections now and events accepted through
/// `/publish` (not ticks, presence, or rejected publishes), in total and per topic.
pub(crate) fn stats_counts(bin: &Bin) {
    let demo = start(bin, &["--clock-ms", "50", "--keep-alive-ms", "100"]);
    let empty = stats(&demo);
    assert_eq!(empty["subscribers"], json!(0), "{empty}");
    assert_eq!(empty["published"], json!(0), "{empty}");
    let topics = empty["topics"]
        .as_object()
        .unwrap_or_else(|| panic!("topics is an object: {empty}"));
    for (name, counts) in topics {
        assert_eq!(
            counts,
            &json!({"subscribers": 0, "published": 0}),
            "{name} in {empty}"
        );
    }
    let mut chat1 = sub(&demo, "/events?topic=chat");
    let chat2 = sub(&demo, "/events?topic=chat");
    let ab = sub(&demo, "/events?topic=a&topic=b");
    let mut clock = sub(&demo, "/events?topic=clock");
    for _ in 0..3 {
        publish(&demo, "a", "x");
    }
    publish(&demo, "chat", "hello");
    publish(&demo, "z", "1");
    publish(&demo, "z", "2");
    let rejected = publish_raw(&demo, br#"{"topic":"a","data":"x","retry_ms":-1}"#);
    assert_eq!(rejected.status, 400);
    // Ticks and presence flowed meanwhile.
    assert_eq!(clock.message().event, "tick");
    assert_eq!(clock.message().event, "tick");
    let _ = chat1.message_skipping(&["presence"]);
    let now = stats_until(&demo, "4 subscribers", |s| s["subscribers"] == json!(4));
    assert_eq!(now["published"], json!(6), "{now}");
    assert_eq!(topic_counts(&now, "a"), Some((1, 3)), "{now}");
    assert_eq!(topic_counts(&now, "b"), Some((1, 0)), "{now}");
    assert_eq!(topic_counts(&now, "chat"), Some((2, 1)), "{now}");
    assert_eq!(topic_counts(&now, "clock"), Some((1, 0)), "{now}");
    assert_eq!(topic_counts(&now, "z"), Some((0, 2)), "{now}");
    chat2.close();
    ab.close();
    let now = stats_until(&demo, "2 subscribers", |s| s["subscribers"] == json!(2));
    assert_eq!(now["published"], json!(6), "{now}");
    assert_eq!(topic_counts(&now, "chat"), Some((1, 1)), "{now}");
    assert_eq!(topic_counts(&now, "a").map(|c| c.0), Some(0), "{now}");
    drop(clock);
    drop(chat1);
}

/// `/stats` does not count `reset` events: subscribers resuming from ids this server
/// never issued each get a `reset`, and the counts stay those of `/publish`.
pub(crate) fn stats_do_not_count_reset(bin: &Bin) {
    let demo = start(bin, &["--clock-ms", "0"]);
    publish(&demo, "t", "one");
    publish(&demo, "t", "two");
    for bogus in ["no-such-id", "zz"] {
        let mut s = sub_with(
            &demo,
            "/events?topic=t",
            &[("last-event-id", bogus.as_bytes())],
        );
        assert_eq!(s.message().event, "reset", "from {bogus:?}");
    }
    let now = stats(&demo);
    assert_eq!(now["published"], json!(2), "{now}");
    assert_eq!(topic_counts(&now, "t").map(|c| c.1), Some(2), "{now}");
}
