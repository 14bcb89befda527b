//! Shutdown: one call ends every stream promptly, after a jittered `retry:` hint.

mod common;

use std::collections::HashSet;
use std::future::poll_fn;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use common::{last, poll_now, publish, ready_data, seen, subscribe, text, topic};
use futures_util::StreamExt;
use sse_core::{Event, EventStream, KeepAlive};
use sse_hub::{End, Hub, PublishError, Start};
use tokio::sync::Barrier;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_every_waiting_stream_with_a_jittered_retry() {
    let hub = Hub::new();
    let (a, b) = (topic("a"), topic("b"));
    const READERS: usize = 100;
    // Every reader and this test meet here once each reader's stream has returned
    // `Pending` (its waker registered): then all of them are waiting.
    let waiting = Arc::new(Barrier::new(READERS + 1));
    let readers: Vec<_> = (0..READERS)
        .map(|n| {
            let topics = if n % 3 == 0 {
                vec![a.clone(), b.clone()]
            } else {
                vec![a.clone()]
            };
            let mut sub = subscribe(&hub, &topics);
            let waiting = waiting.clone();
            tokio::spawn(async move {
                let first = poll_fn(|cx| Poll::Ready(sub.poll_next_unpin(cx))).await;
                assert!(first.is_pending(), "nothing to read yet: {first:?}");
                waiting.wait().await;
                let frames: Vec<_> = sub.collect().await;
                frames
            })
        })
        .collect();
    waiting.wait().await;
    hub.shutdown();
    let mut retries = HashSet::new();
    for reader in readers {
        let frames = tokio::time::timeout(Duration::from_secs(10), reader)
            .await
            .expect("every stream ends promptly")
            .unwrap();
        assert_eq!(frames.len(), 1, "only the final frame");
        let retry = seen(&frames[0]).retry.expect("a retry hint");
        assert!((1000..=5000).contains(&retry), "{retry}");
        assert_eq!(text(&frames[0]), format!("retry: {retry}\n\n"));
        retries.insert(retry);
    }
    assert!(
        retries.len() > 50,
        "jittered: {} distinct values",
        retries.len()
    );
    assert_eq!(hub.total_subscribers(), 0);
    assert_eq!(hub.subscribers(&topic("a")), 0);
}

#[test]
fn shutdown_ends_a_busy_stream_on_an_event_boundary() {
    let hub = Hub::builder()
        .shutdown_retry(Some(
            Duration::from_millis(700)..=Duration::from_millis(700),
        ))
        .build()
        .unwrap();
    let t = topic("t");
    let mut sub = subscribe(&hub, [&t]);
    for n in 0..10 {
        publish(&hub, &t, &n.to_string());
    }
    assert_eq!(
        seen(&poll_now(&mut sub).unwrap().unwrap()).data.as_deref(),
        Some("0")
    );
    hub.shutdown();
    assert_eq!(
        text(&poll_now(&mut sub).unwrap().unwrap()),
        "retry: 700\n\n"
    );
    assert_eq!(poll_now(&mut sub), Some(None));
    assert_eq!(poll_now(&mut sub), Some(None), "stays ended");
    assert_eq!(sub.end(), Some(End::Shutdown));
}

#[test]
fn after_shutdown_subscriptions_are_ended_and_publishing_fails() {
    let hub = Hub::builder().shutdown_retry(None).build().unwrap();
    let t = topic("t");
    let mut before = subscribe(&hub, [&t]);
    hub.shutdown();
    hub.shutdown(); // twice is fine
    assert!(hub.is_shut_down());
    assert_eq!(
        poll_now(&mut before),
        Some(None),
        "no final frame when none is set"
    );

    let mut after = hub.resume([&t], Some(&last("whatever"))).unwrap();
    assert_eq!(after.start(), Start::Closed);
    assert_eq!(poll_now(&mut after), Some(None));
    let err = hub
        .publish(&t, Event::new().data("x"))
        .into_ready()
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, PublishError::Closed));
    assert_eq!(err.to_string(), "the hub is shut down");
    assert_eq!(hub.total_subscribers(), 0);
}

#[tokio::test(start_paused = true)]
async fn an_event_stream_over_a_subscription_ends_at_shutdown() {
    let hub = Hub::new();
    let t = topic("t");
    let body = EventStream::new(subscribe(&hub, [&t]))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)));
    let reader = tokio::spawn(body.collect::<Vec<_>>());
    tokio::time::sleep(Duration::from_secs(20)).await;
    publish(&hub, &t, "last");
    tokio::time::sleep(Duration::from_secs(1)).await;
    hub.shutdown();
    let chunks: Vec<_> = reader
        .await
        .unwrap()
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(chunks.len(), 3, "{chunks:?}");
    assert_eq!(&chunks[0][..], b": keep-alive\n\n");
    assert!(chunks[1].ends_with(b"data: last\n\n"));
    assert!(chunks[2].starts_with(b"retry: "));
}

#[test]
fn dropping_the_hub_handle_leaves_subscriptions_working() {
    let hub = Hub::new();
    let t = topic("t");
    let mut sub = subscribe(&hub, [&t]);
    let other = hub.clone();
    drop(hub);
    publish(&other, &t, "still here");
    assert_eq!(ready_data(&mut sub), ["still here"]);
}
