//! Several hubs on one Redis stream behave as one: one order, Redis ids, resume on any
//! node, start-up backfill without gap or duplicate.

mod common;

use common::{RedisServer, config, next_event, node, topic};
use sse_core::{Event, LastEventId};
use sse_hub::{Backplane, Start};

fn last(id: &str) -> LastEventId {
    LastEventId::parse(id).expect("a usable id")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_deliver_every_event_once_in_one_order_with_redis_ids() {
    let redis = RedisServer::start();
    let (a, _) = node(config(&redis, "s")).await;
    let (b, bp) = node(config(&redis, "s")).await;
    let (x, y) = (topic("x"), topic("y"));
    let mut subs = [
        a.subscribe([&x, &y]).unwrap(),
        b.subscribe([&x, &y]).unwrap(),
        b.subscribe([&y]).unwrap(),
    ];
    let mut publishers = Vec::new();
    for (n, hub) in [a.clone(), b.clone()].into_iter().enumerate() {
        let (x, y) = (x.clone(), y.clone());
        publishers.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            // Concurrent publishes: they share one pipelined connection.
            let mut pending = Vec::new();
            for i in 0..200 {
                let t = if i % 2 == 0 { &x } else { &y };
                pending.push(hub.publish(t, Event::new().data(format!("{n}:{i}"))));
            }
            for p in pending {
                ids.push(p.await.expect("published"));
            }
            ids
        }));
    }
    let mut published = Vec::new();
    for p in publishers {
        published.extend(p.await.unwrap());
    }
    assert_eq!(published.len(), 400);
    assert!(
        published
            .iter()
            .all(|id| bp.parse_id(id.as_str()) == Some(*id))
    );
    published.sort();
    for (k, sub) in subs.iter_mut().enumerate() {
        let want = if k == 2 { 200 } else { 400 };
        let mut ids = Vec::new();
        for _ in 0..want {
            let e = next_event(sub).await;
            ids.push(bp.parse_id(&e.id).expect("a Redis id"));
        }
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted, "subscriber {k}: strictly increasing ids");
        if want == 400 {
            assert_eq!(ids, published, "subscriber {k}: every event once");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_id_from_one_node_resumes_exactly_on_another() {
    let redis = RedisServer::start();
    let (a, _) = node(config(&redis, "s")).await;
    let (b, _) = node(config(&redis, "s")).await;
    let t = topic("t");
    let mut ids = Vec::new();
    for i in 0..10 {
        ids.push(
            a.publish(&t, Event::new().data(i.to_string()))
                .await
                .unwrap(),
        );
    }
    // B may not have read A's newest events yet: the resume waits for it.
    b.caught_up(Some(&last(ids[9].as_str()))).await;
    let mut sub = b.resume([&t], Some(&last(ids[3].as_str()))).unwrap();
    assert_eq!(sub.start(), Start::Resumed { replay: 6 });
    for (i, id) in ids.iter().enumerate().skip(4) {
        let e = next_event(&mut sub).await;
        assert_eq!((e.id.as_str(), e.data), (id.as_str(), Some(i.to_string())));
    }
    let live = a.publish(&t, Event::new().data("live")).await.unwrap();
    assert_eq!(next_event(&mut sub).await.id, live.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_node_loads_the_tail_then_reads_on_without_gap_or_duplicate() {
    let redis = RedisServer::start();
    let (a, _) = node(config(&redis, "s")).await;
    let t = topic("t");
    let mut ids = Vec::new();
    for i in 0..50 {
        ids.push(
            a.publish(&t, Event::new().data(i.to_string()))
                .await
                .unwrap(),
        );
    }
    // Publishing goes on while the new node starts.
    let writer = {
        let (a, t) = (a.clone(), t.clone());
        tokio::spawn(async move {
            let mut more = Vec::new();
            for i in 50..150 {
                more.push(
                    a.publish(&t, Event::new().data(i.to_string()))
                        .await
                        .unwrap(),
                );
            }
            more
        })
    };
    let (c, _) = node(config(&redis, "s")).await;
    ids.extend(writer.await.unwrap());
    let mut sub = c.resume([&t], Some(&last(ids[9].as_str()))).unwrap();
    assert!(
        matches!(sub.start(), Start::Resumed { .. }),
        "{:?}",
        sub.start()
    );
    for id in &ids[10..] {
        assert_eq!(next_event(&mut sub).await.id, id.as_str());
    }
    // Loaded events were counted where they were published; live ones count here too.
    let before = c.stats().published;
    assert!(before < 150, "{before}");
    for i in 0..5 {
        let id = a
            .publish(&t, Event::new().data(i.to_string()))
            .await
            .unwrap();
        assert_eq!(next_event(&mut sub).await.id, id.as_str());
    }
    assert_eq!(c.stats().published, before + 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_older_than_what_a_node_loaded_resume_from_the_stream_or_reset_when_that_is_off() {
    let redis = RedisServer::start();
    let (a, _) = node(config(&redis, "s")).await;
    let t = topic("t");
    let mut ids = Vec::new();
    for i in 0..30 {
        ids.push(
            a.publish(&t, Event::new().data(i.to_string()))
                .await
                .unwrap(),
        );
    }
    // By default the stream fills in what the node did not load.
    let (d, _) = node(config(&redis, "s").backfill(10)).await;
    let mut read_back = d.resume([&t], Some(&last(ids[5].as_str()))).unwrap();
    for id in &ids[6..] {
        assert_eq!(next_event(&mut read_back).await.id, id.as_str());
    }
    assert_eq!(read_back.start(), Start::Resumed { replay: 24 });
    // With reading from the stream turned off: `reset`.
    let (c, _) = node(config(&redis, "s").backfill(10).replay_limit(0, 0)).await;
    let mut old = c.resume([&t], Some(&last(ids[5].as_str()))).unwrap();
    assert!(
        matches!(old.start(), Start::Reset { .. }),
        "{:?}",
        old.start()
    );
    let first = next_event(&mut old).await;
    assert_eq!(
        (first.event.as_str(), first.id.as_str()),
        ("reset", ids[19].as_str())
    );
    // Replayed from the reset's id: the ten loaded events.
    for id in &ids[20..] {
        assert_eq!(next_event(&mut old).await.id, id.as_str());
    }
    let mut fine = c.resume([&t], Some(&last(ids[25].as_str()))).unwrap();
    assert_eq!(fine.start(), Start::Resumed { replay: 4 });
    assert_eq!(next_event(&mut fine).await.id, ids[26].as_str());
}
