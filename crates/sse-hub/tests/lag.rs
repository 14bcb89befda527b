//! The lag policy: a subscriber too far behind is disconnected, resumes, and loses nothing
//! still in history; the publisher never waits and memory stays bounded.

mod common;

use common::{poll_now, publish, ready_data, seen, subscribe, topic};
use sse_core::Event;
use sse_hub::{End, Hub, Start};

#[test]
fn too_far_behind_ends_the_stream_and_resuming_loses_nothing() {
    let hub = Hub::builder()
        .history(10)
        .max_lag_events(Some(4))
        .build()
        .unwrap();
    let t = topic("t");
    let mut sub = subscribe(&hub, [&t]);
    let first = publish(&hub, &t, "1");
    assert_eq!(ready_data(&mut sub), ["1"]);
    for n in 2..=6 {
        publish(&hub, &t, &n.to_string()); // 5 unread: over the limit of 4
    }
    assert_eq!(poll_now(&mut sub), Some(None), "ended, with no final frame");
    assert_eq!(sub.end(), Some(End::Lagged));
    assert_eq!(hub.subscribers("t"), 0, "left at once");
    assert_eq!(hub.stats().lag_disconnects, 1);

    let mut back = hub.resume([&t], Some(first.as_str())).unwrap();
    assert_eq!(back.start(), Start::Resumed { replay: 5 });
    assert_eq!(ready_data(&mut back), ["2", "3", "4", "5", "6"]);
}

#[test]
fn exactly_at_the_limit_is_not_too_far() {
    let hub = Hub::builder()
        .history(10)
        .max_lag_events(Some(4))
        .build()
        .unwrap();
    let t = topic("t");
    let mut sub = subscribe(&hub, [&t]);
    for n in 1..=4 {
        publish(&hub, &t, &n.to_string());
    }
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
    assert_eq!(poll_now(&mut sub), Some(None));
    assert_eq!(sub.end(), Some(End::Lagged));
}

#[test]
fn events_replayed_on_resume_do_not_count_as_lag() {
    let hub = Hub::builder()
        .history(20)
        .max_lag_events(Some(3))
        .build()
        .unwrap();
    let t = topic("t");
    let from = publish(&hub, &t, "0");
    for n in 1..=10 {
        publish(&hub, &t, &n.to_string());
    }
    let mut sub = hub.resume([&t], Some(from.as_str())).unwrap();
    publish(&hub, &t, "11");
    publish(&hub, &t, "12");
    let got = ready_data(&mut sub);
    assert_eq!(got.len(), 12, "a backlog of 10 replayed, 2 live: {got:?}");
    for n in 13..=16 {
        publish(&hub, &t, &n.to_string());
    }
    assert_eq!(
        poll_now(&mut sub),
        Some(None),
        "4 live events unread: over 3"
    );
}

#[test]
fn lag_over_several_topics_is_the_sum() {
    let hub = Hub::builder()
        .history(10)
        .max_lag_events(Some(3))
        .build()
        .unwrap();
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
    assert_eq!(poll_now(&mut sub), Some(None));
    assert_eq!(sub.end(), Some(End::Lagged));
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
    for n in 0..10_000 {
        hub.publish(&t, Event::new().data(n.to_string()))
            .into_ready()
            .unwrap()
            .unwrap();
    }
    let line = &hub.stats().topics[0];
    assert_eq!(line.history, 100);
    // Even with no lag limit, a subscriber whose next event left the history cannot
    // go on exactly: its stream ends, and its client resumes (with a reset).
    assert_eq!(poll_now(&mut stuck), Some(None));
    assert_eq!(stuck.end(), Some(End::Lagged));
}

#[test]
fn a_stream_that_ends_before_its_first_event_still_resumes_exactly() {
    let hub = Hub::builder()
        .history(10)
        .max_lag_events(Some(2))
        .build()
        .unwrap();
    let t = topic("t");
    publish(&hub, &t, "old");
    let mut sub = hub.subscribe([&t]).unwrap();
    for n in 1..=3 {
        publish(&hub, &t, &n.to_string());
    }
    // The client saw only the position frame; its EventSource keeps that id.
    let position = seen(&poll_now(&mut sub).unwrap().unwrap()).id.unwrap();
    assert_eq!(poll_now(&mut sub), Some(None));
    let mut back = hub.resume([&t], Some(&position)).unwrap();
    assert_eq!(back.start(), Start::Resumed { replay: 3 });
    assert_eq!(ready_data(&mut back), ["1", "2", "3"]);
}
