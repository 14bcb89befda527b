//! Resuming from a Last-Event-ID: exact replay, or a `reset` for ids that cannot be resumed.

mod common;

use common::{last, poll_now, publish, ready_data, ready_frames, seen, text, topic};
use sse_core::Event;
use sse_hub::{EventId, Hub, ResetReason, Start};

fn publish_n(hub: &Hub, t: &sse_hub::Topic, n: usize) -> Vec<EventId> {
    (1..=n)
        .map(|i| publish(hub, t, &format!("{t}{i}")))
        .collect()
}

/// The id `ahead` events after `id`, in the memory backplane's format.
fn later(id: &EventId, ahead: u64) -> String {
    let (epoch, n) = id.as_str().split_once('-').unwrap();
    format!("{epoch}-{}", n.parse::<u64>().unwrap() + ahead)
}

#[test]
fn resume_sends_the_missed_events_then_live_ones() {
    let hub = Hub::new();
    let t = topic("t");
    let ids = publish_n(&hub, &t, 5);
    let mut sub = hub.resume([&t], Some(&last(ids[1].as_str()))).unwrap();
    assert_eq!(sub.start(), Start::Resumed { replay: 3 });
    publish(&hub, &t, "t6");
    let frames = ready_frames(&mut sub);
    let got: Vec<_> = frames.iter().map(|f| seen(f).data.unwrap()).collect();
    assert_eq!(got, ["t3", "t4", "t5", "t6"]);
    assert_eq!(seen(&frames[0]).id.as_deref(), Some(ids[2].as_str()));
    let stats = hub.stats();
    assert_eq!((stats.delivered, stats.replayed), (4, 3));

    let mut newest = hub
        .resume([&t], Some(&last(hub.last_id().unwrap().as_str())))
        .unwrap();
    assert_eq!(newest.start(), Start::Resumed { replay: 0 });
    assert!(poll_now(&mut newest).is_none());
}

#[test]
fn one_last_event_id_resumes_several_topics_in_publish_order() {
    let hub = Hub::new();
    let (a, b, other) = (topic("a"), topic("b"), topic("other"));
    let a1 = publish(&hub, &a, "a1");
    publish(&hub, &other, "o1");
    publish(&hub, &b, "b1");
    publish(&hub, &a, "a2");
    publish(&hub, &other, "o2");
    publish(&hub, &b, "b2");
    let mut sub = hub
        .resume(&[b.clone(), a.clone()], Some(&last(a1.as_str())))
        .unwrap();
    assert_eq!(sub.start(), Start::Resumed { replay: 3 });
    assert_eq!(ready_data(&mut sub), ["b1", "a2", "b2"]);
    // An id from a topic not subscribed is a position like any other.
    let o1 = hub.last_id().unwrap();
    let mut sub = hub.resume([&a], Some(&last(o1.as_str()))).unwrap();
    assert_eq!(sub.start(), Start::Resumed { replay: 0 });
    publish(&hub, &a, "a3");
    assert_eq!(ready_data(&mut sub), ["a3"]);
}

#[test]
fn ids_never_issued_here_get_a_reset_then_the_history() {
    let hub = Hub::new();
    let t = topic("t");
    let other_hub = Hub::new();
    let foreign = publish(&other_hub, &t, "elsewhere");
    let ids = publish_n(&hub, &t, 3);
    let future = later(&ids[2], 1);
    let origin = format!("{}-0", ids[0].as_str().split_once('-').unwrap().0);
    for bad in [
        "garbage",
        "1",
        foreign.as_str(),
        &future,
        &later(&ids[2], 1000),
    ] {
        let mut sub = hub.resume([&t], Some(&last(bad))).unwrap();
        assert_eq!(
            sub.start(),
            Start::Reset {
                reason: ResetReason::Unknown,
                replay: 3
            },
            "{bad:?}"
        );
        let frames = ready_frames(&mut sub);
        // Nothing was ever dropped from `t`: the stream continues from the origin.
        assert_eq!(
            text(&frames[0]),
            format!("event: reset\nid: {origin}\ndata: unknown\n\n"),
            "{bad:?}"
        );
        let data: Vec<_> = frames[1..].iter().map(|f| seen(f).data.unwrap()).collect();
        assert_eq!(data, ["t1", "t2", "t3"]);
    }
    // The same id becomes valid once this hub has issued it.
    publish(&hub, &t, "t4");
    let sub = hub.resume([&t], Some(&last(&future))).unwrap();
    assert_eq!(sub.start(), Start::Resumed { replay: 0 });
    assert_eq!(hub.stats().resets, 5);
}

#[test]
fn any_id_on_a_hub_that_published_nothing_is_unknown() {
    let hub = Hub::new();
    let t = topic("t");
    let mut sub = hub.resume([&t], Some(&last("abc"))).unwrap();
    assert_eq!(
        sub.start(),
        Start::Reset {
            reason: ResetReason::Unknown,
            replay: 0
        }
    );
    let reset = seen(&poll_now(&mut sub).unwrap().unwrap());
    assert_eq!(
        (reset.event.as_deref(), reset.data.as_deref()),
        (Some("reset"), Some("unknown"))
    );
    assert!(poll_now(&mut sub).is_none());
    let live = publish(&hub, &t, "live");
    assert_eq!(ready_data(&mut sub), ["live"]);
    // The reset named the origin: coming back with it replays everything.
    let origin = reset.id.unwrap();
    assert_eq!(
        origin,
        format!("{}-0", live.as_str().split_once('-').unwrap().0)
    );
    let mut back = hub.resume([&t], Some(&last(&origin))).unwrap();
    assert_eq!(back.start(), Start::Resumed { replay: 1 });
    assert_eq!(ready_data(&mut back), ["live"]);
}

#[test]
fn an_id_older_than_the_history_gets_a_reset_naming_where_the_stream_continues() {
    let hub = Hub::builder().history(3).build().unwrap();
    let t = topic("t");
    let ids = publish_n(&hub, &t, 6); // history: t4 t5 t6
    let mut sub = hub.resume([&t], Some(&last(ids[1].as_str()))).unwrap();
    assert_eq!(
        sub.start(),
        Start::Reset {
            reason: ResetReason::Expired,
            replay: 3
        }
    );
    let frames = ready_frames(&mut sub);
    assert_eq!(
        text(&frames[0]),
        format!("event: reset\nid: {}\ndata: expired\n\n", ids[2])
    );
    let data: Vec<_> = frames[1..].iter().map(|f| seen(f).data.unwrap()).collect();
    assert_eq!(data, ["t4", "t5", "t6"]);

    // The reset's id is a valid place to resume from, and so is the oldest id whose
    // successors are all held.
    for from in [&ids[2], &ids[3]] {
        let sub = hub.resume([&t], Some(&last(from.as_str()))).unwrap();
        assert!(matches!(sub.start(), Start::Resumed { .. }), "{from}");
    }
}

#[test]
fn the_history_is_bounded_by_bytes_too() {
    let t = topic("t");
    let one = Event::new()
        .id("xxxxxxxxxxxx-1")
        .unwrap()
        .data("x".repeat(100))
        .encode()
        .len();
    let hub = Hub::builder().history_bytes(one * 2 + 10).build().unwrap();
    let ids: Vec<_> = (1..=5)
        .map(|_| publish(&hub, &t, &"x".repeat(100)))
        .collect();
    let line = &hub.stats().topics[0];
    assert_eq!(line.history, 2);
    assert!(line.history_bytes <= one * 2 + 10);
    let sub = hub.resume([&t], Some(&last(ids[2].as_str()))).unwrap();
    assert_eq!(sub.start(), Start::Resumed { replay: 2 });
    let sub = hub.resume([&t], Some(&last(ids[1].as_str()))).unwrap();
    assert!(matches!(
        sub.start(),
        Start::Reset {
            reason: ResetReason::Expired,
            replay: 2
        }
    ));
}

#[test]
fn without_replay_on_reset_the_stream_goes_live_after_the_reset() {
    let hub = Hub::builder()
        .history(2)
        .replay_on_reset(false)
        .build()
        .unwrap();
    let t = topic("t");
    let ids = publish_n(&hub, &t, 4);
    let mut sub = hub.resume([&t], Some(&last(ids[0].as_str()))).unwrap();
    assert_eq!(
        sub.start(),
        Start::Reset {
            reason: ResetReason::Expired,
            replay: 0
        }
    );
    let frames = ready_frames(&mut sub);
    assert_eq!(frames.len(), 1);
    assert_eq!(
        text(&frames[0]),
        format!("event: reset\nid: {}\ndata: expired\n\n", ids[3])
    );
    publish(&hub, &t, "live");
    assert_eq!(ready_data(&mut sub), ["live"]);
}

#[test]
fn a_multi_topic_reset_replays_from_where_every_topic_is_complete() {
    let hub = Hub::builder().history(2).build().unwrap();
    let (a, b) = (topic("a"), topic("b"));
    let a1 = publish(&hub, &a, "a1");
    publish(&hub, &b, "b1");
    let a2 = publish(&hub, &a, "a2");
    publish(&hub, &b, "b2");
    publish(&hub, &a, "a3"); // drops a1: floor(a) = a1
    publish(&hub, &a, "a4"); // drops a2: floor(a) = a2
    publish(&hub, &b, "b3"); // drops b1
    // a holds a3 a4, b holds b2 b3: after a2, both are complete.
    let mut sub = hub
        .resume(&[a.clone(), b.clone()], Some(&last(a1.as_str())))
        .unwrap();
    let frames = ready_frames(&mut sub);
    assert_eq!(seen(&frames[0]).event.as_deref(), Some("reset"));
    assert_eq!(seen(&frames[0]).id.as_deref(), Some(a2.as_str()));
    let data: Vec<_> = frames[1..].iter().map(|f| seen(f).data.unwrap()).collect();
    assert_eq!(data, ["b2", "a3", "a4", "b3"]);
    let sub = hub.resume(&[a, b], Some(&last(a2.as_str()))).unwrap();
    assert_eq!(sub.start(), Start::Resumed { replay: 4 });
}
