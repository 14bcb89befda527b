//! `--keep-alive-ms`.

use std::time::{Duration, Instant};

use sse_core::Frame;

use crate::support::check::{next_comment, quiet_for};
use crate::support::server::{Bin, assert_help_default, start};
use crate::support::sse::sub;

/// The interval of [`keep_alive_after_silence`]: long enough that the slack below twice
/// the interval dwarfs any delivery delay.
const INTERVAL: Duration = Duration::from_millis(1500);

/// How late a keep-alive may be: a keep-alive at twice the interval fails.
const LATE: Duration = Duration::from_millis(1000);

/// `--keep-alive-ms N`: a comment after N ms of silence, again and again: the k-th no
/// sooner than k intervals after the request (exact: the server's timer starts after
/// the request), and each within `N + 1 s` of the previous one (so one at `2 N` fails).
pub(crate) fn keep_alive_after_silence(bin: &Bin) {
    let interval_ms = INTERVAL.as_millis().to_string();
    let demo = start(bin, &["--keep-alive-ms", &interval_ms, "--clock-ms", "0"]);
    let requested = Instant::now();
    let mut s = sub(&demo, "/events?topic=t");
    let mut previous = requested;
    for k in 1..=3 {
        let at = next_comment(&mut s, "nothing was published");
        let since_request = at - requested;
        assert!(
            since_request >= INTERVAL * k,
            "keep-alive {k} after {since_request:?}, early"
        );
        let gap = at - previous;
        assert!(
            gap <= INTERVAL + LATE,
            "keep-alive {k} came {gap:?} after the previous frame, late for {INTERVAL:?}"
        );
        previous = at;
    }
}

/// Without `--keep-alive-ms` the interval is 15000 ms: `--help` says so, and no
/// keep-alive comes in the first 3 s (waiting the whole 15 s would prove little more).
pub(crate) fn keep_alive_default_15000(bin: &Bin) {
    assert_help_default(bin, "--keep-alive-ms", "15000");
    let demo = start(bin, &["--clock-ms", "0"]);
    let mut s = sub(&demo, "/events?topic=t");
    quiet_for(&mut s, Duration::from_secs(3), "nothing was published");
    assert!(
        !s.frames.iter().any(|f| matches!(f, Frame::Comment(_))),
        "a keep-alive within 3 s: {:?}",
        s.text()
    );
}
