//! Faults against a real `redis-server`: paused, killed, restarted empty, trimmed past a
//! node, ids that go back, bad entries written by hand.

mod common;

use std::time::{Duration, Instant};

use common::{RedisServer, config, eventually, next_event, node, seen, topic};
use futures_util::FutureExt;
use futures_util::StreamExt;
use sse_core::Event;
use sse_hub::Subscription;

/// The stream is still open and has nothing to deliver now.
fn open_and_idle(sub: &mut Subscription) {
    match sub.next().now_or_never() {
        None => {}
        Some(Some(frame)) => panic!("unexpected frame {:?}", seen(&frame)),
        Some(None) => panic!("the stream ended"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_redis_fails_publishes_fast_keeps_streams_open_and_comes_back() {
    let mut redis = RedisServer::start();
    let (hub, backplane) = node(config(&redis, "s")).await;
    let t = topic("t");
    let mut sub = hub.subscribe([&t]).unwrap();
    hub.publish(&t, Event::new().data("before")).await.unwrap();
    assert_eq!(next_event(&mut sub).await.data.as_deref(), Some("before"));

    redis.pause();
    let start = Instant::now();
    let failed = hub.publish(&t, Event::new().data("while paused")).await;
    let took = start.elapsed();
    assert!(failed.is_err(), "{failed:?}");
    assert!(
        took < Duration::from_secs(2),
        "publish failed after {took:?}"
    );
    eventually("health reports down", || hub.health().is_err()).await;
    // Once down, publishing fails at once.
    let start = Instant::now();
    assert!(hub.publish(&t, Event::new().data("x")).await.is_err());
    assert!(start.elapsed() < Duration::from_millis(100));
    open_and_idle(&mut sub);

    redis.resume();
    let back = eventually("health comes back", || hub.health().is_ok()).await;
    assert!(
        back < Duration::from_secs(2),
        "healthy {back:?} after SIGCONT"
    );
    let after = hub.publish(&t, Event::new().data("after")).await.unwrap();
    // The publish that failed while Redis was paused reached Redis late and nobody
    // receives it: the next event is the one published after.
    let e = next_event(&mut sub).await;
    assert_eq!(
        (e.id.as_str(), e.data.as_deref()),
        (after.as_str(), Some("after"))
    );
    assert!(backplane.stats().skipped >= 1, "{:?}", backplane.stats());
    redis.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_restarted_empty_reaches_subscribers_as_a_reset() {
    let mut redis = RedisServer::start();
    let (hub, backplane) = node(config(&redis, "s")).await;
    let (a, b) = (topic("a"), topic("b"));
    let mut sub = hub.subscribe([&a, &b]).unwrap();
    let old = hub.publish(&a, Event::new().data("old")).await.unwrap();
    assert_eq!(next_event(&mut sub).await.id, old.as_str());

    redis.kill();
    eventually("health reports down", || hub.health().is_err()).await;
    assert!(hub.publish(&a, Event::new().data("lost")).await.is_err());
    open_and_idle(&mut sub);
    redis.restart_empty();
    let back = eventually("health comes back", || hub.health().is_ok()).await;
    assert!(
        back < Duration::from_secs(2),
        "healthy {back:?} after the restart"
    );

    let new = hub.publish(&b, Event::new().data("new")).await.unwrap();
    let reset = next_event(&mut sub).await;
    assert_eq!(reset.event, "reset");
    // One `reset` per topic of the subscription, then the new event.
    let mut e = next_event(&mut sub).await;
    if e.event == "reset" {
        e = next_event(&mut sub).await;
    }
    assert_eq!(
        (e.id.as_str(), e.data.as_deref()),
        (new.as_str(), Some("new"))
    );
    assert_eq!(backplane.stats().breaks, 1);
    // A client coming back with the old id gets a reset too: the new stream does not
    // hold it.
    let last = sse_core::LastEventId::parse(old.as_str()).unwrap();
    let mut again = hub.resume([&a], Some(&last)).unwrap();
    assert_eq!(next_event(&mut again).await.event, "reset");
    assert!(matches!(again.start(), sse_hub::Start::Reset { .. }));
    assert_eq!(backplane.stats().replay_refusals, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_trimmed_past_the_node_is_a_reset_and_the_lost_event_never_arrives() {
    let redis = RedisServer::start();
    let (hub, backplane) = node(config(&redis, "s")).await;
    let t = topic("t");
    let mut sub = hub.subscribe([&t]).unwrap();
    let first = hub.publish(&t, Event::new().data("first")).await.unwrap();
    assert_eq!(next_event(&mut sub).await.id, first.as_str());
    // Atomically: an entry the node never reads, trimmed away, then a new one.
    let script = "redis.call('XADD', KEYS[1], '*', 'topic', 't', 'data', 'lost') \
                  redis.call('XTRIM', KEYS[1], 'MAXLEN', '0') \
                  return redis.call('XADD', KEYS[1], '*', 'topic', 't', 'data', 'after')";
    let after = redis
        .cli(&["EVAL", script, "1", "s"])
        .expect("the script ran");
    let reset = next_event(&mut sub).await;
    assert_eq!(reset.event, "reset");
    let e = next_event(&mut sub).await;
    assert_eq!(
        (e.id.as_str(), e.data.as_deref()),
        (after.as_str(), Some("after"))
    );
    assert_eq!(backplane.stats().breaks, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_that_go_back_are_a_reset() {
    let redis = RedisServer::start();
    let (hub, _) = node(config(&redis, "s")).await;
    let t = topic("t");
    let mut sub = hub.subscribe([&t]).unwrap();
    hub.publish(&t, Event::new().data("now")).await.unwrap();
    next_event(&mut sub).await;
    let script = "redis.call('DEL', KEYS[1]) \
                  return redis.call('XADD', KEYS[1], '5-1', 'topic', 't', 'data', 'early')";
    assert_eq!(
        redis.cli(&["EVAL", script, "1", "s"]).as_deref(),
        Some("5-1")
    );
    let reset = next_event(&mut sub).await;
    assert_eq!((reset.event.as_str(), reset.id.as_str()), ("reset", "5-0"));
    let e = next_event(&mut sub).await;
    assert_eq!((e.id.as_str(), e.data.as_deref()), ("5-1", Some("early")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_entries_are_skipped_counted_and_never_mangled() {
    let redis = RedisServer::start();
    let (hub, backplane) = node(config(&redis, "s")).await;
    let t = topic("t");
    let mut sub = hub.subscribe([&t]).unwrap();
    let bad: [&[&str]; 5] = [
        &["XADD", "s", "*", "data", "no topic"],
        &["XADD", "s", "*", "topic", "t"],
        &["XADD", "s", "*", "topic", "bad topic", "data", "x"],
        &["XADD", "s", "*", "topic", "t", "data", "x", "retry", "soon"],
        &["XADD", "s", "*", "topic", "t", "data", "x", "event", "a\nb"],
    ];
    for args in bad {
        assert!(redis.cli(args).is_some(), "{args:?}");
    }
    // Valid UTF-8 beyond ASCII passes; bytes that are not UTF-8 do not.
    assert!(
        redis
            .cli(&["XADD", "s", "*", "topic", "t", "data", "\u{ff}"])
            .is_some()
    );
    let non_utf8 = "redis.call('XADD', KEYS[1], '*', 'topic', 't', 'data', string.char(255, 254))";
    assert!(redis.cli(&["EVAL", non_utf8, "1", "s"]).is_some());
    let good = redis
        .cli(&["XADD", "s", "*", "topic", "t", "data", "good"])
        .unwrap();
    // What arrives is the events that are valid, exactly.
    let mut got = Vec::new();
    loop {
        let e = next_event(&mut sub).await;
        let done = e.id == good;
        got.push((e.data.unwrap_or_default(), e.event));
        if done {
            break;
        }
    }
    assert_eq!(
        got,
        [
            ("\u{ff}".to_owned(), "message".to_owned()),
            ("good".to_owned(), "message".to_owned()),
        ]
    );
    assert_eq!(backplane.stats().skipped, 6, "{:?}", backplane.stats());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_redis_at_start_is_unhealthy_and_publishing_fails_fast() {
    let mut redis = RedisServer::start();
    let url = config(&redis, "s");
    redis.kill();
    let backplane = sse_redis::RedisBackplane::new(url).unwrap();
    let hub = sse_hub::Hub::builder()
        .backplane(backplane.clone())
        .build()
        .unwrap();
    let why = hub.health().unwrap_err().to_string();
    assert!(
        why.contains("loading") || why.contains("unreachable"),
        "{why}"
    );
    let start = Instant::now();
    assert!(
        hub.publish(&topic("t"), Event::new().data("x"))
            .await
            .is_err()
    );
    assert!(start.elapsed() < Duration::from_secs(2));
    eventually("health says unreachable", || {
        hub.health()
            .is_err_and(|e| e.to_string().contains("unreachable"))
    })
    .await;
}
