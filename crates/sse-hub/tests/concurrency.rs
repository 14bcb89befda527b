//! Many publishers and subscribers on a multi-thread runtime: every event exactly once, in
//! publish order; exact resume while publishing goes on; lag disconnects that lose nothing;
//! churn with shutdown.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{last_opt, seen, subscribe, topic};
use futures_util::StreamExt;
use sse_core::Event;
use sse_hub::{End, Hub, PublishError, Start, Topic};

const LIMIT: Duration = Duration::from_secs(120);

/// The memory backplane's sequence number in an id (`<epoch>-<n>`).
fn number(id: &str) -> u64 {
    id.rsplit_once('-').unwrap().1.parse().unwrap()
}

fn big_hub() -> Hub {
    Hub::builder()
        .history(100_000)
        .history_bytes(256 << 20)
        .max_lag_events(None)
        .max_lag_bytes(None)
        .build()
        .unwrap()
}

fn publish_sync(hub: &Hub, t: &Topic, data: String) -> u64 {
    let id = hub
        .publish(t, Event::new().data(data))
        .into_ready()
        .unwrap()
        .unwrap();
    number(id.as_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_publishers_and_subscribers_see_every_event_once_in_publish_order() {
    const PUBLISHERS: usize = 4;
    const EACH: usize = 1500;
    let hub = big_hub();
    let topics: Vec<_> = (0..3).map(|n| topic(&format!("t{n}"))).collect();
    let subsets: Vec<Vec<usize>> = vec![
        vec![0],
        vec![1],
        vec![2],
        vec![0, 1],
        vec![1, 2],
        vec![0, 2],
        vec![0, 1, 2],
        vec![0, 1, 2],
        vec![2, 0],
        vec![1],
        vec![0],
        vec![2, 1, 0],
    ];
    let topic_of = |p: usize, i: usize| (p + i) % 3;
    let mut per_topic = [0usize; 3];
    for p in 0..PUBLISHERS {
        for i in 0..EACH {
            per_topic[topic_of(p, i)] += 1;
        }
    }

    let readers: Vec<_> = subsets
        .iter()
        .map(|subset| {
            let wanted: Vec<_> = subset.iter().map(|&n| topics[n].clone()).collect();
            let expect: usize = {
                let mut distinct = subset.clone();
                distinct.sort_unstable();
                distinct.dedup();
                distinct.iter().map(|&n| per_topic[n]).sum()
            };
            let mut sub = subscribe(&hub, &wanted);
            tokio::spawn(async move {
                let mut got = Vec::with_capacity(expect);
                while got.len() < expect {
                    let frame = sub.next().await.expect("no end while publishing");
                    let fields = seen(&frame);
                    got.push((number(&fields.id.unwrap()), fields.data.unwrap()));
                }
                (got, sub)
            })
        })
        .collect();

    let publishers: Vec<_> = (0..PUBLISHERS)
        .map(|p| {
            let (hub, topics) = (hub.clone(), topics.clone());
            tokio::spawn(async move {
                for i in 0..EACH {
                    let t = topic_of(p, i);
                    publish_sync(&hub, &topics[t], format!("{p} {i} {t}"));
                    if i.is_multiple_of(16) {
                        tokio::task::yield_now().await;
                    }
                }
            })
        })
        .collect();
    for publisher in publishers {
        publisher.await.unwrap();
    }

    let total = PUBLISHERS * EACH;
    for (reader, subset) in readers.into_iter().zip(&subsets) {
        let (got, mut sub) = tokio::time::timeout(LIMIT, reader).await.unwrap().unwrap();
        assert!(
            got.windows(2).all(|w| w[0].0 < w[1].0),
            "ids increase: publish order, no duplicate"
        );
        let mut last_i = HashMap::new();
        for (_, data) in &got {
            let mut parts = data.split(' ').map(|x| x.parse::<usize>().unwrap());
            let (p, i, t) = (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
            );
            assert!(subset.contains(&t), "only its topics");
            if let Some(prev) = last_i.insert(p, i) {
                assert!(i > prev, "each publisher's order is kept");
            }
        }
        if subset.len() == 3 {
            let numbers: Vec<_> = got.iter().map(|(n, _)| *n).collect();
            let all: Vec<_> = (1..=total as u64).collect();
            assert_eq!(numbers, all, "all topics: every event, in order");
        }
        assert!(
            futures_util::FutureExt::now_or_never(sub.next()).is_none(),
            "nothing extra"
        );
    }
    let stats = hub.stats();
    assert_eq!(stats.published, total as u64);
    assert_eq!(stats.lag_disconnects, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resuming_while_publishing_gets_every_event_exactly_once() {
    const EVENTS: usize = 20_000;
    let hub = big_hub();
    let (a, b, c) = (topic("a"), topic("b"), topic("c"));
    // The first connection exists before publishing starts; later ones resume.
    let mut first = Some(hub.subscribe(&[a.clone(), b.clone()]).unwrap());
    let publisher = {
        let (hub, a, b, c) = (hub.clone(), a.clone(), b.clone(), c.clone());
        tokio::spawn(async move {
            for n in 0..EVENTS {
                let t = [&a, &b, &c][n % 3];
                publish_sync(&hub, t, n.to_string());
                if n.is_multiple_of(8) {
                    tokio::task::yield_now().await;
                }
            }
        })
    };
    let expected: Vec<String> = (0..EVENTS)
        .filter(|n| n % 3 != 2)
        .map(|n| n.to_string())
        .collect();
    let mut received = Vec::new();
    let mut last_id: Option<String> = None;
    let mut connections = 0;
    let client = async {
        while received.len() < expected.len() {
            connections += 1;
            let mut sub = match first.take() {
                Some(sub) => sub,
                None => hub
                    .resume(
                        &[b.clone(), a.clone()],
                        last_opt(last_id.as_deref()).as_ref(),
                    )
                    .unwrap(),
            };
            if connections > 1 {
                assert!(
                    matches!(sub.start(), Start::Resumed { .. }),
                    "{:?}",
                    sub.start()
                );
            }
            // Read a varying number of events, then "disconnect".
            let take = 1 + (connections * 37) % 211;
            for _ in 0..take {
                let Some(frame) = sub.next().await else { break };
                let fields = seen(&frame);
                last_id = fields.id.or(last_id);
                received.extend(fields.data); // none in the position frame
                if received.len() == expected.len() {
                    break;
                }
            }
        }
    };
    tokio::time::timeout(LIMIT, client).await.unwrap();
    publisher.await.unwrap();
    assert!(connections > 50, "{connections}");
    assert_eq!(received, expected);
    assert_eq!(hub.stats().resets, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_disconnected_for_lag_resumes_and_loses_nothing() {
    const EVENTS: usize = 6000;
    const BURST: usize = 150;
    let hub = Hub::builder()
        .history(1000)
        .max_lag_events(Some(100))
        .build()
        .unwrap();
    let t = topic("t");
    let progress = Arc::new(AtomicUsize::new(0));
    let mut first = Some(hub.subscribe([&t]).unwrap());
    let publisher = {
        let (hub, t, progress) = (hub.clone(), t.clone(), progress.clone());
        tokio::spawn(async move {
            let mut n = 0;
            while n < EVENTS {
                // Stay within 300 events of the reader, so that it can always resume
                // exactly (the history holds 1000).
                while n >= progress.load(Ordering::SeqCst) + 300 {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                for _ in 0..BURST.min(EVENTS - n) {
                    publish_sync(&hub, &t, n.to_string());
                    n += 1;
                }
                tokio::task::yield_now().await;
            }
        })
    };
    let mut received = Vec::new();
    let mut last_id: Option<String> = None;
    let mut connections = 0;
    let client = async {
        while received.len() < EVENTS {
            connections += 1;
            let mut sub = match first.take() {
                Some(sub) => sub,
                None => hub
                    .resume([&t], last_opt(last_id.as_deref()).as_ref())
                    .unwrap(),
            };
            if connections > 1 {
                assert!(
                    matches!(sub.start(), Start::Resumed { .. }),
                    "{:?}",
                    sub.start()
                );
            }
            while let Some(frame) = sub.next().await {
                let fields = seen(&frame);
                last_id = fields.id.or(last_id);
                received.extend(fields.data); // none in the position frame
                progress.store(received.len(), Ordering::SeqCst);
                // A slow reader.
                if received.len().is_multiple_of(8) {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                if received.len() == EVENTS {
                    break;
                }
            }
        }
    };
    tokio::time::timeout(LIMIT, client).await.unwrap();
    publisher.await.unwrap();
    let want: Vec<_> = (0..EVENTS).map(|n| n.to_string()).collect();
    assert_eq!(received, want);
    let stats = hub.stats();
    assert!(stats.lag_disconnects >= 1, "{stats:?}");
    assert_eq!(stats.lag_disconnects as usize, connections - 1);
    assert_eq!(stats.resets, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn churn_while_publishing_then_shutdown_leaves_nothing_behind() {
    let hub = Hub::builder()
        .history(64)
        .on_presence(|change| change.count_event("presence").ok())
        .build()
        .unwrap();
    let topics: Vec<_> = (0..4).map(|n| topic(&format!("t{n}"))).collect();
    let quiet = topic("quiet");
    let stop = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    let (published, refused, subscribed) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    for p in 0..2 {
        let (hub, topics, stop) = (hub.clone(), topics.clone(), stop.clone());
        let (published, refused) = (published.clone(), refused.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0usize;
            while stop.load(Ordering::SeqCst) == 0 {
                let result = hub
                    .publish(&topics[(n + p) % 4], Event::new().data(n.to_string()))
                    .await;
                match result {
                    Ok(_) => published.fetch_add(1, Ordering::SeqCst),
                    // Only refused once the hub shuts down (before `stop` is seen).
                    Err(PublishError::Closed) => refused.fetch_add(1, Ordering::SeqCst),
                    Err(other) => panic!("publish failed: {other}"),
                };
                n += 1;
                if n.is_multiple_of(4) {
                    tokio::task::yield_now().await;
                }
            }
        }));
    }
    for c in 0..6 {
        let (hub, topics, subscribed) = (hub.clone(), topics.clone(), subscribed.clone());
        let quiet = quiet.clone();
        tasks.push(tokio::spawn(async move {
            let mut last: Option<String> = None;
            for round in 0..300usize {
                let pick: Vec<_> = topics
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| (round + c + i) % 3 != 0)
                    .map(|(_, t)| t.clone())
                    .chain((round % 2 == 0).then(|| quiet.clone()))
                    .collect();
                let mut sub = hub
                    .resume(&pick, last_opt(last.as_deref()).as_ref())
                    .expect("two or three of four topics, on a hub with room");
                if sub.start() == Start::Closed {
                    return;
                }
                subscribed.fetch_add(1, Ordering::SeqCst);
                for _ in 0..(round % 7) {
                    match sub.next().await {
                        Some(frame) => {
                            if let Some(id) = seen(&frame).id {
                                last = Some(id);
                            }
                        }
                        None => break,
                    }
                }
            }
        }));
    }
    // Long-lived readers, ended by the shutdown. They follow a topic nobody publishes to
    // (so they cannot lag and be disconnected first) but the churning subscribers join
    // and leave, so presence events wake them all along.
    let readers: Vec<_> = (0..8)
        .map(|_| {
            let mut sub = hub.subscribe([&quiet]).unwrap();
            tokio::spawn(async move {
                let (mut frames, mut last) = (0, None);
                while let Some(frame) = sub.next().await {
                    frames += 1;
                    last = Some(frame);
                }
                (frames, last, sub.end())
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(1, Ordering::SeqCst);
    hub.shutdown();
    for task in tasks {
        tokio::time::timeout(LIMIT, task).await.unwrap().unwrap();
    }
    for reader in readers {
        let (frames, last, end) = tokio::time::timeout(LIMIT, reader).await.unwrap().unwrap();
        // The position frame, presence events, and the shutdown's `retry:` hint last.
        assert!(frames >= 3, "{frames} frames");
        let last = last.expect("a last frame");
        assert!(
            seen(&last)
                .retry
                .is_some_and(|ms| (1000..=5000).contains(&ms)),
            "ends with the shutdown's retry hint: {last:?}"
        );
        assert_eq!(end, Some(End::Shutdown));
    }
    let (published, refused, subscribed) = (
        published.load(Ordering::SeqCst),
        refused.load(Ordering::SeqCst),
        subscribed.load(Ordering::SeqCst),
    );
    assert!(published > 100, "{published} events published");
    assert!(refused <= 2, "{refused} refused: one per publisher at most");
    assert!(subscribed > 100, "{subscribed} subscriptions");
    assert_eq!(hub.stats().published, published as u64);
    assert_eq!(hub.total_subscribers(), 0);
    for t in topics.iter().chain([&quiet]) {
        assert_eq!(hub.subscribers(t), 0);
    }
}
