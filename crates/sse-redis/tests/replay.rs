//! Resume beyond a node's history: the stream is the history of record, the node's ring
//! its cache. An id older than the ring is resumed from the stream (`XRANGE`) with no
//! gap and no duplicate, even while publishing goes on; an id the stream no longer
//! holds, or too far back, gets `reset`.

mod common;

use std::time::Duration;

use common::{RedisServer, config, next_event, topic};
use futures_util::StreamExt;
use sse_core::{Event, LastEventId};
use sse_hub::{EventId, Hub, ResetReason, Start, Subscription, Topic};
use sse_redis::{RedisBackplane, RedisConfig};

fn last(id: &str) -> LastEventId {
    LastEventId::parse(id).expect("a usable id")
}

/// A node whose history keeps only `history` events per topic.
async fn small_node(config: RedisConfig, history: usize) -> (Hub, RedisBackplane) {
    common::node_with_history(config, history).await
}

/// Publishes `count` events alternately to `x` and `y`: their ids and topics.
async fn publish(
    hub: &Hub,
    x: &Topic,
    y: &Topic,
    from: usize,
    count: usize,
) -> Vec<(EventId, Topic)> {
    let mut out = Vec::new();
    for i in from..from + count {
        let t = if i % 2 == 0 { x } else { y };
        let id = hub
            .publish(t, Event::new().event("n").unwrap().data(i.to_string()))
            .await
            .expect("published");
        out.push((id, t.clone()));
    }
    out
}

/// Reads `topics` from after `from` as a client does: on every end of the stream, it
/// resumes with the last id it received. Returns the ids of the events received (a
/// `reset` fails the test) until `want` of them arrived, and the first subscription's
/// start.
async fn read_as_client(
    hub: &Hub,
    topics: &[&Topic],
    from: EventId,
    want: usize,
) -> (Vec<String>, Start) {
    let mut ids = Vec::new();
    let mut position = from.as_str().to_owned();
    let mut first_start = None;
    while ids.len() < want {
        let mut sub: Subscription = hub
            .resume(topics.iter().copied(), Some(&last(&position)))
            .expect("subscribed");
        first_start.get_or_insert(sub.start());
        while ids.len() < want {
            let next = tokio::time::timeout(Duration::from_secs(10), sub.next())
                .await
                .expect("a frame within 10 s");
            let Some(frame) = next else { break };
            let seen = common::seen(&frame);
            if seen.data.is_none() {
                continue;
            }
            assert_ne!(seen.event, "reset", "no reset: the stream holds the events");
            position.clone_from(&seen.id);
            ids.push(seen.id);
        }
    }
    (ids, first_start.expect("subscribed once"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_id_the_ring_dropped_resumes_from_the_stream_while_publishing_goes_on() {
    let redis = RedisServer::start();
    let (hub, backplane) = small_node(config(&redis, "s"), 5).await;
    let (x, y) = (topic("x"), topic("y"));
    let before = publish(&hub, &x, &y, 0, 60).await;
    let from = before[3].0;

    // The ring holds 5 events per topic: ids[3] is long gone from it.
    let sub = hub.resume([&x], Some(&last(from.as_str()))).unwrap();
    assert_eq!(sub.start(), Start::Fetching { replay: 5 });
    drop(sub);

    // Publishing goes on while the clients resume (and, when the small ring overruns
    // them during the read, reconnect as a browser does).
    let writer = {
        let (hub, x, y) = (hub.clone(), x.clone(), y.clone());
        tokio::spawn(async move { publish(&hub, &x, &y, 60, 300).await })
    };
    // Of the 360 events, those after ids[3]: x ones are 4, 6, ... 358.
    let (only_x, both) = ([&x], [&x, &y]);
    let (one, two) = tokio::join!(
        read_as_client(&hub, &only_x, from, 178),
        read_as_client(&hub, &both, from, 356),
    );
    let mut all = before;
    all.extend(writer.await.unwrap());
    let expect_x: Vec<String> = all[4..]
        .iter()
        .filter(|(_, t)| *t == x)
        .map(|(id, _)| id.as_str().to_owned())
        .collect();
    let expect_xy: Vec<String> = all[4..]
        .iter()
        .map(|(id, _)| id.as_str().to_owned())
        .collect();
    assert_eq!(
        one.0, expect_x,
        "x: every event after the id once, in order"
    );
    assert_eq!(
        two.0, expect_xy,
        "x and y: every event after the id once, in id order"
    );
    assert_eq!(one.1, Start::Fetching { replay: 5 });
    assert!(backplane.stats().replays >= 2, "{:?}", backplane.stats());
    assert_eq!(backplane.stats().replay_refusals, 0);

    // Once read, the subscription says how it resumed.
    let mut sub = hub.resume([&y], Some(&last(all[300].0.as_str()))).unwrap();
    let first = next_event(&mut sub).await;
    assert_eq!(first.id, all[301].0.as_str());
    assert_eq!(sub.start(), Start::Resumed { replay: 30 });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_id_the_stream_no_longer_holds_gets_reset() {
    let redis = RedisServer::start();
    let (hub, backplane) = small_node(config(&redis, "s"), 5).await;
    let (x, y) = (topic("x"), topic("y"));
    let ids = publish(&hub, &x, &y, 0, 40).await;
    // Trim exactly: the stream keeps its 20 newest entries.
    assert_eq!(
        redis.cli(&["XTRIM", "s", "MAXLEN", "20"]).as_deref(),
        Some("20")
    );

    let mut sub = hub.resume([&x], Some(&last(ids[10].0.as_str()))).unwrap();
    assert_eq!(sub.start(), Start::Fetching { replay: 5 });
    let reset = next_event(&mut sub).await;
    assert_eq!(reset.event, "reset");
    assert_eq!(reset.data.as_deref(), Some("expired"));
    // The reset names the floor (the newest x event the ring dropped); the ring's five
    // follow.
    assert_eq!(reset.id, ids[28].0.as_str());
    assert_eq!(
        sub.start(),
        Start::Reset {
            reason: ResetReason::Expired,
            replay: 5
        }
    );
    for (id, _) in ids[30..].iter().step_by(2) {
        assert_eq!(next_event(&mut sub).await.id, id.as_str());
    }
    // The oldest entry the stream still holds resumes.
    let mut held = hub.resume([&x], Some(&last(ids[20].0.as_str()))).unwrap();
    for (id, _) in ids[22..].iter().step_by(2) {
        assert_eq!(next_event(&mut held).await.id, id.as_str());
    }
    assert_eq!(held.start(), Start::Resumed { replay: 9 });
    let stats = backplane.stats();
    assert_eq!((stats.replays, stats.replay_refusals), (1, 1));
    assert_eq!(hub.stats().resets, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_over_the_limits_gets_reset_and_entries_no_reader_delivered_are_skipped() {
    let redis = RedisServer::start();
    let limited = config(&redis, "s").replay_limit(25, 1 << 20).batch(4);
    let (hub, backplane) = small_node(limited, 5).await;
    let (x, y) = (topic("x"), topic("y"));
    let mut ids = publish(&hub, &x, &y, 0, 10).await;
    // Entries written by hand that no reader delivers: skipped by the read-back too.
    let bad: [&[&str]; 3] = [
        &["XADD", "s", "*", "data", "no topic"],
        &[
            "XADD", "s", "*", "topic", "x", "data", "late", "deadline", "1",
        ],
        &[
            "XADD", "s", "*", "topic", "x", "event", "a\nb", "data", "bad name",
        ],
    ];
    for args in bad {
        assert!(redis.cli(args).is_some(), "{args:?}");
    }
    ids.extend(publish(&hub, &x, &y, 10, 20).await);

    // The ring's floor for x is ids[18]: 21 entries after ids[0] up to it (18 events,
    // 3 bad), within 25, read in pages of 4.
    let xs: Vec<_> = ids[1..].iter().filter(|(_, t)| *t == x).collect();
    let mut sub = hub.resume([&x], Some(&last(ids[0].0.as_str()))).unwrap();
    for (id, _) in &xs {
        let e = next_event(&mut sub).await;
        assert_eq!((e.event.as_str(), e.id.as_str()), ("n", id.as_str()));
    }
    assert_eq!(sub.start(), Start::Resumed { replay: xs.len() });

    // Floor ids[28]: 31 entries after ids[0], over the entry limit.
    ids.extend(publish(&hub, &x, &y, 30, 10).await);
    let mut far = hub.resume([&x], Some(&last(ids[0].0.as_str()))).unwrap();
    assert_eq!(next_event(&mut far).await.event, "reset");
    // Over the byte limit (the x entries' values alone are over 10 bytes).
    let (small, small_bp) = small_node(config(&redis, "s").replay_limit(100, 10), 5).await;
    let mut big = small.resume([&x], Some(&last(ids[0].0.as_str()))).unwrap();
    assert_eq!(next_event(&mut big).await.event, "reset");
    assert_eq!(backplane.stats().replay_refusals, 1);
    assert_eq!(small_bp.stats().replay_refusals, 1);
}
