//! The lag policy: a subscriber too far behind is disconnected, resumes, and loses nothing
//! still in history; the publisher never waits and memory stays bounded.

mod common;

use common::{last, poll_now, publish, ready_data, seen, subscribe, topic};
use sse_hub::{End, Hub, Start, Subscription, Topic};

/// A hub keeping `history` events per topic that disconnects a subscriber more than
/// `max_lag` events behind.
fn hub(history: usize, max_lag: usize) -> Hub {
    Hub::builder()
        .history(history)
        .max_lag_events(Some(max_lag))
        .build()
        .unwrap()
}

/// Publishes one event per number, its data the number.
fn publish_numbers(hub: &Hub, t: &Topic, numbers: impl IntoIterator<Item = u32>) {
    for n in numbers {
        publish(hub, t, &n.to_string());
    }
}

/// `sub` was disconnected for lag: it ends at once, with no final frame, and says why.
fn assert_lagged(sub: &mut Subscription, what: &str) {
    assert_eq!(
        poll_now(sub),
        Some(None),
        "{what}: ended, with no final frame"
    );
    assert_eq!(sub.end(), Some(End::Lagged), "{what}");
}

#[test]
fn too_far_behind_ends_the_stream_and_resuming_loses_nothing() {
    let hub = hub(10, 4);
    let t = topic("t");
    let mut sub = subscribe(&hub, [&t]);
    let first = publish(&hub, &t, "1");
    assert_eq!(ready_data(&mut sub), ["1"]);
    publish_numbers(&hub, &t, 2..=6);
    assert_lagged(&mut sub, "5 unread: over the limit of 4");
    assert_eq!(hub.subscribers(&topic("t")), 0, "left at once");
    assert_eq!(hub.stats().lag_disconnects, 1);

    let mut back = hub.resume([&t], Some(&last(first.as_str()))).unwrap();
    assert_eq!(back.start(), Start::Resumed { replay: 5 });
    assert_eq!(ready_data(&mut back), ["2", "3", "4", "5", "6"]);
}

#[test]
fn exactly_at_the_limit_is_not_too_far() {
    let hub = hub(10, 4);
    let t = topic("t");
    let mut sub = subscribe(&hub, [&t]);
    publish_numbers(&hub, &t, 1..=4);
    assert_eq!(ready_data(&mut sub), ["1", "2", "3", "4"]);
    assert_eq!(sub.end(), None);
}

#[test]
fn lag_in_bytes_counts_but_one_big_event_alone_is_never_lag() {
    let hub = Hub::builder()
        .max_lag_events(None)
        .max_lag_bytes(Some(250))
        .build()
        .unwrap();
    let t = topic("t");
    let big = "x".repeat(1000);
    let mut sub = subscribe(&hub, [&t]);
    publish(&hub, &t, &big);
    assert_eq!(
        ready_data(&mut sub),
        std::slice::from_ref(&big),
        "one event, however big, is delivered"
    );
    for _ in 0..3 {
        publish(&hub, &t, &"y".repeat(100)); // about 127 bytes each
    }
    assert_lagged(&mut sub, "3 events of 127 bytes unread: over 250 bytes");
}

#[test]
fn events_replayed_on_resume_do_not_count_as_lag() {
    let hub = hub(20, 3);
    let t = topic("t");
    let from = publish(&hub, &t, "0");
    publish_numbers(&hub, &t, 1..=10);
    let mut sub = hub.resume([&t], Some(&last(from.as_str()))).unwrap();
    publish(&hub, &t, "11");
    publish(&hub, &t, "12");
    let got = ready_data(&mut sub);
    assert_eq!(got.len(), 12, "a backlog of 10 replayed, 2 live: {got:?}");
    publish_numbers(&hub, &t, 13..=16);
    assert_lagged(&mut sub, "4 live events unread: over 3");
}

#[test]
fn lag_over_several_topics_is_the_sum() {
    let hub = hub(10, 3);
    let (a, b) = (topic("a"), topic("b"));
    let mut sub = subscribe(&hub, &[a.clone(), b.clone()]);
    publish(&hub, &a, "a1");
    publish(&hub, &b, "b1");
    publish(&hub, &a, "a2");
    assert_eq!(ready_data(&mut sub), ["a1", "b1", "a2"]);
    publish(&hub, &a, "a3");
    publish(&hub, &b, "b2");
    publish(&hub, &a, "a4");
    publish(&hub, &b, "b3");
    assert_lagged(&mut sub, "4 unread across a and b: over 3");
}

#[test]
fn the_publisher_never_waits_and_the_history_stays_bounded() {
    let hub = Hub::builder()
        .history(100)
        .max_lag_events(None)
        .max_lag_bytes(None)
        .build()
        .unwrap();
    let t = topic("t");
    let mut stuck = subscribe(&hub, [&t]);
    publish_numbers(&hub, &t, 0..10_000);
    let line = &hub.stats().topics[0];
    assert_eq!(line.history, 100);
    // Even with no lag limit, a subscriber whose next event left the history cannot
    // go on exactly: its stream ends, and its client resumes (with a reset).
    assert_lagged(&mut stuck, "its next event left the history");
}

#[test]
fn a_stream_that_ends_before_its_first_event_still_resumes_exactly() {
    let hub = hub(10, 2);
    let t = topic("t");
    publish(&hub, &t, "old");
    let mut sub = hub.subscribe([&t]).unwrap();
    publish_numbers(&hub, &t, 1..=3);
    // The client saw only the position frame; its EventSource keeps that id.
    let position = seen(&poll_now(&mut sub).unwrap().unwrap()).id.unwrap();
    assert_lagged(&mut sub, "3 unread: over 2");
    let mut back = hub.resume([&t], Some(&last(&position))).unwrap();
    assert_eq!(back.start(), Start::Resumed { replay: 3 });
    assert_eq!(ready_data(&mut back), ["1", "2", "3"]);
}
