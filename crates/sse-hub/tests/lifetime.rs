//! The maximum stream lifetime: streams end at a jittered time between 0.5×N and 1.5×N,
//! after a `retry:` hint of at most 1000 ms, on an event boundary.

mod common;

use std::time::Duration;

use common::{is_position, last_opt, publish, seen, topic};
use futures_util::StreamExt;
use sse_hub::{End, Hub, Start};
use tokio::time::Instant;

const N: Duration = Duration::from_secs(60);

#[tokio::test(start_paused = true)]
async fn idle_streams_end_between_half_and_one_and_a_half_lifetimes() {
    let hub = Hub::builder().max_lifetime(Some(N)).build().unwrap();
    let t = topic("t");
    let start = Instant::now();
    let readers: Vec<_> = (0..200)
        .map(|_| {
            let mut sub = hub.subscribe([&t]).unwrap();
            tokio::spawn(async move {
                let mut frames = Vec::new();
                while let Some(frame) = sub.next().await {
                    frames.push(frame);
                }
                (start.elapsed(), frames, sub.end(), sub.deadline())
            })
        })
        .collect();
    let mut ends = Vec::new();
    for reader in readers {
        let (elapsed, frames, end, deadline) = reader.await.unwrap();
        assert!(elapsed >= N / 2 && elapsed <= N * 3 / 2, "{elapsed:?}");
        // The timer fires on the next whole millisecond.
        let late = elapsed - (deadline.unwrap() - start);
        assert!(late < Duration::from_millis(2), "{late:?}");
        assert_eq!(end, Some(End::Expired));
        assert_eq!(frames.len(), 2, "the position, then the hint");
        assert!(is_position(&frames[0]));
        let retry = seen(&frames[1]).retry.expect("a retry hint");
        assert!((250..=1000).contains(&retry), "{retry}");
        ends.push(elapsed);
    }
    ends.sort();
    // Spread over the window, not bunched.
    assert!(
        ends[0] < N * 3 / 4 && ends[ends.len() - 1] > N * 5 / 4,
        "{:?}..{:?}",
        ends[0],
        ends[ends.len() - 1]
    );
    assert_eq!(hub.stats().expired, 200);
    assert_eq!(hub.total_subscribers(), 0);
}

#[tokio::test(start_paused = true)]
async fn busy_streams_end_on_time_and_clients_resume_exactly() {
    let hub = Hub::builder()
        .max_lifetime(Some(N))
        .lifetime_retry(Duration::from_millis(1000)..=Duration::from_millis(1000))
        .build()
        .unwrap();
    let t = topic("t");
    let publisher = {
        let (hub, t) = (hub.clone(), t.clone());
        tokio::spawn(async move {
            for n in 0..3000 {
                publish(&hub, &t, &n.to_string());
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    // A client that reconnects with its Last-Event-ID whenever its stream ends.
    let mut last_id: Option<String> = None;
    let mut received = Vec::new();
    let mut connections = 0;
    while received.len() < 2000 {
        connections += 1;
        let mut sub = hub
            .resume([&t], last_opt(last_id.as_deref()).as_ref())
            .unwrap();
        if connections > 1 {
            assert!(
                matches!(sub.start(), Start::Resumed { .. }),
                "{:?}",
                sub.start()
            );
        }
        let start = Instant::now();
        let deadline = sub.deadline().unwrap() - start;
        let mut retry = None;
        while let Some(frame) = sub.next().await {
            let fields = seen(&frame);
            if fields.retry.is_some() {
                retry = fields.retry;
                continue;
            }
            assert!(retry.is_none(), "the hint comes last");
            last_id = fields.id.or(last_id);
            received.extend(fields.data); // none in the position frame
        }
        let elapsed = start.elapsed();
        assert_eq!(sub.end(), Some(End::Expired));
        assert_eq!(retry, Some(1000));
        assert!(elapsed >= deadline && elapsed < deadline + Duration::from_millis(2));
        assert!(elapsed >= N / 2 && elapsed <= N * 3 / 2, "{elapsed:?}");
        tokio::time::sleep(Duration::from_millis(retry.unwrap_or(0))).await;
    }
    assert!(connections >= 3, "{connections}");
    let want: Vec<_> = (0..received.len()).map(|n| n.to_string()).collect();
    assert_eq!(
        received, want,
        "every event once, in order, across {connections} connections"
    );
    publisher.abort();
}
