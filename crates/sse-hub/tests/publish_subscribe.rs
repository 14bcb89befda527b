//! Publishing and subscribing: encode once, ids, hub-wide order, topics, statistics.

mod common;

use common::{last, poll_now, publish, ready_data, ready_frames, seen, subscribe, text, topic};
use sse_core::Event;
use sse_hub::{Hub, PublishError, ResetReason, Start, SubscribeError, Topic};

#[test]
fn every_subscriber_gets_the_same_bytes_with_the_id_the_publish_returned() {
    let hub = Hub::new();
    let chat = topic("chat");
    let mut subs: Vec<_> = (0..3).map(|_| subscribe(&hub, [&chat])).collect();
    assert!(subs.iter().all(|s| s.start() == Start::Live));

    // An id set by the caller is replaced by the hub's.
    let event = Event::new()
        .event("msg")
        .unwrap()
        .id("mine")
        .unwrap()
        .data("hello");
    let id = hub.publish(&chat, event).into_ready().unwrap().unwrap();

    let frames: Vec<_> = subs
        .iter_mut()
        .map(|s| poll_now(s).unwrap().unwrap())
        .collect();
    assert_eq!(
        text(&frames[0]),
        format!("event: msg\nid: {id}\ndata: hello\n\n")
    );
    let ptr = frames[0].as_bytes().as_ptr();
    assert!(
        frames.iter().all(|f| f.as_bytes().as_ptr() == ptr),
        "one buffer, shared"
    );
    assert!(
        subs.iter_mut().all(|s| poll_now(s).is_none()),
        "nothing more yet"
    );
}

#[test]
fn a_live_subscription_starts_with_the_next_event() {
    let hub = Hub::new();
    let t = topic("t");
    publish(&hub, &t, "before");
    let mut sub = subscribe(&hub, [&t]);
    publish(&hub, &t, "after");
    assert_eq!(ready_data(&mut sub), ["after"]);
}

#[test]
fn ids_are_ordered_hub_wide_and_several_topics_merge_in_publish_order() {
    let hub = Hub::new();
    let (a, b, c) = (topic("a"), topic("b"), topic("c"));
    let mut sub = subscribe(&hub, &[c.clone(), a.clone()]);
    let mut ids = Vec::new();
    for (n, t) in [&a, &b, &c, &c, &a, &b, &a, &c].into_iter().enumerate() {
        ids.push((t.clone(), publish(&hub, t, &format!("{t}{n}"))));
    }
    assert!(
        ids.windows(2).all(|w| w[0].1 < w[1].1),
        "ids increase across topics"
    );
    let got: Vec<_> = ready_frames(&mut sub).iter().map(seen).collect();
    let want: Vec<_> = ids
        .iter()
        .filter(|(t, _)| *t != b)
        .map(|(_, id)| id.to_string())
        .collect();
    assert_eq!(
        got.iter()
            .map(|s| s.id.clone().unwrap())
            .collect::<Vec<_>>(),
        want
    );
    assert_eq!(
        got.iter()
            .map(|s| s.data.clone().unwrap())
            .collect::<Vec<_>>(),
        ["a0", "c2", "c3", "a4", "a6", "c7"]
    );
}

#[test]
fn subscribe_checks_its_topics() {
    let hub = Hub::builder()
        .max_topics_per_subscription(2)
        .build()
        .unwrap();
    assert_eq!(hub.subscribe(&[]).unwrap_err(), SubscribeError::NoTopics);
    let three = [topic("a"), topic("b"), topic("c")];
    let err = hub.subscribe(&three).unwrap_err();
    assert_eq!(err, SubscribeError::TooManyForOne { given: 3, limit: 2 });
    assert_eq!(
        err.to_string(),
        "too many topics for one subscription: 3 given, at most 2 allowed"
    );
    // Duplicates count once.
    let sub = hub
        .subscribe(&[topic("a"), topic("b"), topic("a")])
        .unwrap();
    assert_eq!(
        sub.topics().map(Topic::as_str).collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert_eq!(hub.subscribers(&topic("a")), 1);
}

#[test]
fn stats_count_published_events_per_topic_and_deliveries() {
    let hub = Hub::new();
    let (chat, clock) = (topic("chat"), topic("clock"));
    let mut a = subscribe(&hub, [&chat]);
    let mut b = subscribe(&hub, &[chat.clone(), clock.clone()]);
    for n in 0..3 {
        publish(&hub, &chat, &n.to_string());
    }
    for _ in 0..2 {
        hub.publish_uncounted(&clock, Event::new().data("tick"))
            .into_ready()
            .unwrap()
            .unwrap();
    }
    assert_eq!(ready_frames(&mut a).len(), 3);
    assert_eq!(ready_frames(&mut b).len(), 5);

    let stats = hub.stats();
    assert_eq!(stats.published, 3, "uncounted events are not counted");
    assert_eq!(stats.delivered, 8);
    assert_eq!(stats.replayed, 0);
    assert_eq!(stats.subscribers, 2);
    let lines: Vec<_> = stats
        .topics
        .iter()
        .map(|t| (t.topic.as_str(), t.subscribers, t.published, t.history))
        .collect();
    assert_eq!(lines, [("chat", 2, 3, 3), ("clock", 1, 0, 2)]);
    assert_eq!(
        (
            hub.subscribers(&topic("chat")),
            hub.subscribers(&topic("clock"))
        ),
        (2, 1)
    );
    assert_eq!(hub.subscribers(&topic("nothing")), 0);
    assert_eq!(hub.total_subscribers(), 2);

    drop(a);
    assert_eq!(
        (hub.subscribers(&topic("chat")), hub.total_subscribers()),
        (1, 1)
    );
}

fn topic_names(hub: &Hub) -> Vec<String> {
    hub.stats()
        .topics
        .into_iter()
        .map(|t| t.topic.to_string())
        .collect()
}

#[test]
fn a_full_hub_forgets_the_idle_topic_published_to_least_recently() {
    let hub = Hub::builder().max_topics(4).build().unwrap();
    let _busy = subscribe(&hub, &[topic("busy")]);
    for name in ["first", "second", "third"] {
        publish(&hub, &topic(name), name);
    }
    publish(&hub, &topic("first"), "again"); // now `second` is the idle one published to least recently
    publish(&hub, &topic("new"), "y");
    assert_eq!(topic_names(&hub), ["busy", "first", "new", "third"]);
    publish(&hub, &topic("newer"), "z"); // then `third`, although `first` was made before it
    assert_eq!(topic_names(&hub), ["busy", "first", "new", "newer"]);
}

#[test]
fn topics_made_for_one_subscription_are_not_forgotten_to_make_room_for_each_other() {
    let hub = Hub::builder().max_topics(3).build().unwrap();
    for name in ["a", "b", "c"] {
        publish(&hub, &topic(name), name);
    }
    // `x` is made first, idle and never published to: making `y` must forget `b`, not `x`.
    let mut sub = subscribe(&hub, &[topic("x"), topic("y")]);
    assert_eq!(topic_names(&hub), ["c", "x", "y"]);
    assert_eq!(
        (hub.subscribers(&topic("x")), hub.subscribers(&topic("y"))),
        (1, 1)
    );
    publish(&hub, &topic("x"), "to x");
    assert_eq!(ready_data(&mut sub), ["to x"]);
}

#[test]
fn a_full_hub_forgets_idle_topics_and_refuses_when_every_topic_is_busy() {
    let hub = Hub::builder().max_topics(2).build().unwrap();
    let busy = subscribe(&hub, &[topic("busy")]);
    let old = publish(&hub, &topic("idle"), "x");
    publish(&hub, &topic("new"), "y"); // forgets `idle`, the only idle topic
    let names: Vec<_> = hub
        .stats()
        .topics
        .into_iter()
        .map(|t| t.topic.to_string())
        .collect();
    assert_eq!(names, ["busy", "new"]);

    // `idle` lost its history: resuming it from before cannot be exact (making it again
    // forgets `new`, idle too).
    let again = hub
        .resume(&[topic("idle")], Some(&last(old.as_str())))
        .unwrap();
    assert_eq!(
        again.start(),
        Start::Reset {
            reason: ResetReason::Expired,
            replay: 0
        }
    );
    // Both topics have subscribers now: no room for a third.
    let err = hub
        .publish(&topic("third"), Event::new().data("z"))
        .into_ready()
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(err, PublishError::TooManyTopics { limit: 2 }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "too many topics: the hub holds 2, all with subscribers"
    );
    let err = hub.subscribe(&[topic("third")]).unwrap_err();
    assert_eq!(err, SubscribeError::TooManyTopics { limit: 2 });
    assert_eq!(
        hub.stats().published,
        2,
        "the refused event was not published"
    );
    drop((busy, again));
    publish(&hub, &topic("third"), "room again");
}

#[test]
fn a_live_stream_starts_with_an_id_only_frame_naming_its_position() {
    let hub = Hub::new();
    let t = topic("t");
    let mut sub = hub.subscribe([&t]).unwrap();
    let origin = text(&poll_now(&mut sub).unwrap().unwrap());
    let id = publish(&hub, &t, "x");
    let epoch = id.as_str().split_once('-').unwrap().0;
    assert_eq!(
        origin,
        format!("id: {epoch}-0\n\n"),
        "before any event: the origin"
    );

    let mut later = hub.subscribe([&t]).unwrap();
    assert_eq!(
        text(&poll_now(&mut later).unwrap().unwrap()),
        format!("id: {id}\n\n")
    );
    assert!(poll_now(&mut later).is_none());

    let quiet = Hub::builder().announce_position(false).build().unwrap();
    let mut sub = quiet.subscribe([&t]).unwrap();
    assert!(
        poll_now(&mut sub).is_none(),
        "no position frame when turned off"
    );
}
