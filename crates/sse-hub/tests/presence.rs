//! Presence: subscriber counts, join/leave hooks, and the presence event a hub sends itself.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{last, poll_now, publish, ready_frames, seen, subscribe, text, topic};
use futures_util::StreamExt;
use sse_hub::{Hub, PresenceKind};

/// The demo's hook: `presence` events with the count of `chat` subscribers.
fn chat_presence_hub() -> Hub {
    Hub::builder()
        .on_presence(|change| {
            (change.topic() == "chat").then(|| change.count_event("presence").ok())?
        })
        .build()
        .unwrap()
}

#[test]
fn counts_per_topic_and_in_total_follow_subscriptions() {
    let hub = Hub::new();
    let (chat, clock) = (topic("chat"), topic("clock"));
    let a = subscribe(&hub, [&chat]);
    let b = subscribe(&hub, &[chat.clone(), clock.clone()]);
    let c = subscribe(&hub, [&clock]);
    assert_eq!(
        (
            hub.subscribers(&topic("chat")),
            hub.subscribers(&topic("clock")),
            hub.total_subscribers()
        ),
        (2, 2, 3)
    );
    drop(b);
    assert_eq!(
        (
            hub.subscribers(&topic("chat")),
            hub.subscribers(&topic("clock")),
            hub.total_subscribers()
        ),
        (1, 1, 2)
    );
    drop((a, c));
    assert_eq!(hub.total_subscribers(), 0);
    assert_eq!(hub.stats().subscribers, 0);
}

#[test]
fn the_hook_sees_every_join_and_leave_with_the_new_count() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen_by_hook = log.clone();
    let hub = Hub::builder()
        .on_presence(move |change| {
            seen_by_hook.lock().unwrap().push((
                change.topic().to_string(),
                change.kind(),
                change.subscribers(),
            ));
            None
        })
        .build()
        .unwrap();
    let a = subscribe(&hub, &[topic("x")]);
    let b = subscribe(&hub, &[topic("x"), topic("y")]);
    drop(a);
    drop(b);
    use PresenceKind::{Joined, Left};
    let want = [
        ("x", Joined, 1),
        ("x", Joined, 2),
        ("y", Joined, 1),
        ("x", Left, 1),
        ("x", Left, 0),
        ("y", Left, 0),
    ];
    let got = log.lock().unwrap().clone();
    assert_eq!(got, want.map(|(t, k, n)| (t.to_owned(), k, n)));
}

#[test]
fn chat_subscribers_get_the_count_including_themselves_and_every_change() {
    let hub = chat_presence_hub();
    let chat = topic("chat");
    let mut a = subscribe(&hub, [&chat]);
    let first = poll_now(&mut a).unwrap().unwrap();
    assert_eq!(
        text(&first),
        "event: presence\ndata: 1\n\n",
        "no id: not in the history"
    );

    let mut b = subscribe(&hub, [&chat]);
    assert_eq!(
        text(&poll_now(&mut b).unwrap().unwrap()),
        "event: presence\ndata: 2\n\n"
    );
    assert_eq!(
        text(&poll_now(&mut a).unwrap().unwrap()),
        "event: presence\ndata: 2\n\n"
    );
    drop(b);
    assert_eq!(
        text(&poll_now(&mut a).unwrap().unwrap()),
        "event: presence\ndata: 1\n\n"
    );
    assert!(poll_now(&mut a).is_none());

    // Other topics get no presence event, and presence is not history.
    let mut clock = subscribe(&hub, &[topic("clock")]);
    assert!(poll_now(&mut clock).is_none());
    let newest = publish(&hub, &chat, "hi");
    let mut c = hub.resume([&chat], Some(&last(newest.as_str()))).unwrap();
    assert_eq!(
        seen(&poll_now(&mut c).unwrap().unwrap()).data.as_deref(),
        Some("2")
    );
    assert!(poll_now(&mut c).is_none());
}

#[test]
fn a_burst_of_changes_reaches_a_subscriber_as_the_latest_count() {
    let hub = chat_presence_hub();
    let chat = topic("chat");
    let mut a = subscribe(&hub, [&chat]);
    let others: Vec<_> = (0..3).map(|_| subscribe(&hub, [&chat])).collect();
    publish(&hub, &chat, "msg");
    let frames: Vec<_> = ready_frames(&mut a).iter().map(seen).collect();
    assert_eq!(frames.len(), 2, "{frames:?}");
    assert_eq!(
        (frames[0].event.as_deref(), frames[0].data.as_deref()),
        (Some("presence"), Some("4"))
    );
    assert_eq!(frames[1].data.as_deref(), Some("msg"));
    drop(others);
}

#[tokio::test]
async fn a_waiting_subscriber_is_woken_by_a_presence_change() {
    let hub = chat_presence_hub();
    let chat = topic("chat");
    let mut a = subscribe(&hub, [&chat]);
    assert_eq!(seen(&a.next().await.unwrap()).data.as_deref(), Some("1"));
    let reader = tokio::spawn(async move {
        let frame = a.next().await.unwrap();
        (a, frame)
    });
    tokio::task::yield_now().await; // the reader is now waiting
    let b = subscribe(&hub, [&chat]);
    let (_a, frame) = tokio::time::timeout(Duration::from_secs(10), reader)
        .await
        .expect("woken")
        .unwrap();
    assert_eq!(seen(&frame).data.as_deref(), Some("2"));
    drop(b);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_joins_leave_every_subscriber_with_the_final_count() {
    let hub = chat_presence_hub();
    let chat = topic("chat");
    let joins: Vec<_> = (0..64)
        .map(|_| {
            let (hub, chat) = (hub.clone(), chat.clone());
            tokio::spawn(async move { subscribe(&hub, &[chat]) })
        })
        .collect();
    let mut subs = Vec::new();
    for join in joins {
        subs.push(join.await.unwrap());
    }
    assert_eq!(hub.subscribers(&topic("chat")), 64);
    for sub in &mut subs {
        let last = ready_frames(sub).last().map(seen).unwrap();
        assert_eq!(last.data.as_deref(), Some("64"));
    }
}
