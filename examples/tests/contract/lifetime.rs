//! `--max-stream-ms`.

use std::thread;
use std::time::{Duration, Instant};

use crate::support::LIVE;
use crate::support::api::publish;
use crate::support::check::{assert_ended_with_retry, assert_same_sequence, messages, quiet_for};
use crate::support::server::{Bin, assert_help_default, start};
use crate::support::sse::{sub, sub_with};

/// `--max-stream-ms N`: each stream ends no sooner than 0.5 N (the contract says
/// between 0.5 N and 1.5 N; the upper end is only held to the liveness bound [`LIVE`])
/// after a `retry:` of at most 1000 on an event boundary; resuming loses nothing while
/// events flow.
pub(crate) fn max_stream_lifetime(bin: &Bin) {
    let n = 600_u64;
    let demo = start(bin, &["--max-stream-ms", "600", "--clock-ms", "0"]);
    let total = 150;
    // The first stream is open before anything is published.
    let mut first = Some((Instant::now(), sub(&demo, "/events?topic=t")));
    let (published, got, streams) = thread::scope(|scope| {
        let publisher = scope.spawn(|| {
            (0..total)
                .map(|i| {
                    let data = format!("m{i}");
                    let id = publish(&demo, "t", &data);
                    thread::sleep(Duration::from_millis(12));
                    (id, data)
                })
                .collect::<Vec<_>>()
        });
        let last = format!("m{}", total - 1);
        let mut got: Vec<(String, String)> = Vec::new();
        let mut streams = 0;
        let mut last_id = String::new();
        loop {
            let (opened, mut s) = first.take().unwrap_or_else(|| {
                let headers = [("last-event-id", last_id.as_bytes())];
                (Instant::now(), sub_with(&demo, "/events?topic=t", &headers))
            });
            streams += 1;
            let frames = s.until_end(LIVE);
            let lived = opened.elapsed();
            let what = format!("stream {streams}");
            assert_ended_with_retry(&s, Some(1000), &what);
            assert!(
                lived >= Duration::from_millis(n / 2),
                "{what} ended after {lived:?} < 0.5 N"
            );
            for m in messages(&frames) {
                assert_eq!(m.event, "message", "{what}: {m:?}");
                got.push((m.last_event_id, m.data));
            }
            last_id = s.last_event_id();
            if got.last().is_some_and(|(_, d)| *d == last) {
                break;
            }
        }
        (publisher.join().expect("publisher"), got, streams)
    });
    assert!(streams >= 3, "only {streams} streams");
    assert_same_sequence(
        &got,
        &published,
        &format!("every event exactly once, in order, across {streams} streams"),
    );
}

/// `--max-stream-ms 0`, the default, means never: streams of a demo started with it,
/// and of one started without it, stay open for 3 s (five times the lifetime the other
/// case uses).
pub(crate) fn max_stream_zero_is_never(bin: &Bin) {
    assert_help_default(bin, "--max-stream-ms", "0");
    let args = ["--keep-alive-ms", "100", "--clock-ms", "0"];
    let zero = start(bin, &[&args[..], &["--max-stream-ms", "0"]].concat());
    let default = start(bin, &args);
    let mut by_zero = sub(&zero, "/events?topic=t");
    let mut by_default = sub(&default, "/events?topic=t");
    quiet_for(&mut by_zero, Duration::from_secs(3), "--max-stream-ms 0");
    // Open as long; an end would be waiting in its socket by now.
    quiet_for(
        &mut by_default,
        Duration::from_millis(200),
        "no --max-stream-ms",
    );
}
