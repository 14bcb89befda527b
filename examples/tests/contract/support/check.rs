//! Checks shared by the cases: markers, exact sequences, replays, endings.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use sse_core::{Frame, Message};

use crate::support::LIVE;
use crate::support::api::publish;
use crate::support::server::Demo;
use crate::support::sse::{Step, Sub};

/// Percent-encodes everything but unreserved characters (for ids in a query).
pub(crate) fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The messages among `frames`.
pub(crate) fn messages(frames: &[Frame]) -> Vec<Message> {
    frames
        .iter()
        .filter_map(|f| match f {
            Frame::Message(m) => Some(m.clone()),
            _ => None,
        })
        .collect()
}

/// Publishes a marker to `topic` and asserts it is the next message `sub` gets (other
/// than `skip` types): whatever was attempted before it delivered nothing.
pub(crate) fn assert_nothing_before_marker(demo: &Demo, sub: &mut Sub, topic: &str, skip: &[&str]) {
    let id = publish(demo, topic, "marker");
    let m = sub.message_skipping(skip);
    assert_eq!(
        (m.event.as_str(), m.data.as_str(), m.last_event_id.as_str()),
        ("message", "marker", id.as_str()),
        "something was delivered before the marker"
    );
}

/// Asserts `got` equals `expected` (both `(id, data)` in order); on failure names the
/// first difference, what is missing and what is repeated.
pub(crate) fn assert_same_sequence(
    got: &[(String, String)],
    expected: &[(String, String)],
    what: &str,
) {
    if got == expected {
        return;
    }
    let short = |(id, data): &(String, String)| format!("{id}={}", &data[..data.len().min(12)]);
    let at = got
        .iter()
        .zip(expected)
        .position(|(g, e)| g != e)
        .unwrap_or(got.len().min(expected.len()));
    let seen: HashSet<&(String, String)> = got.iter().collect();
    let missing: Vec<String> = expected
        .iter()
        .filter(|e| !seen.contains(e))
        .map(short)
        .collect();
    let mut once = HashSet::new();
    let repeated: Vec<String> = got.iter().filter(|g| !once.insert(*g)).map(short).collect();
    let around = |list: &[(String, String)]| -> Vec<String> {
        list[at.saturating_sub(3)..(at + 4).min(list.len())]
            .iter()
            .map(short)
            .collect()
    };
    panic!(
        "{what}: {} received, {} expected; first difference at {at}: got {:?} expected {:?}; \
         missing {missing:?}; repeated {repeated:?}",
        got.len(),
        expected.len(),
        around(got),
        around(expected),
    );
}

/// Publishes `n` events `e0..` to `topic`; returns (id, data) pairs.
pub(crate) fn history(demo: &Demo, topic: &str, n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| {
            let data = format!("e{i}");
            (publish(demo, topic, &data), data)
        })
        .collect()
}

pub(crate) fn read_n(s: &mut Sub, n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|_| {
            let m = s.message();
            assert_eq!(m.event, "message", "{m:?}");
            (m.last_event_id, m.data)
        })
        .collect()
}

/// Asserts a stream that just ended did so on an event boundary, after a `retry:` hint
/// of at most `max_retry` ms that no message follows.
pub(crate) fn assert_ended_with_retry(s: &Sub, max_retry: Option<u64>, what: &str) {
    assert!(
        s.on_event_boundary(),
        "{what}: ended inside an event: {:?}",
        s.text()
    );
    let last_retry = s.frames.iter().rposition(|f| matches!(f, Frame::Retry(_)));
    let Some(at) = last_retry else {
        panic!("{what}: no retry: hint before the end: {:?}", s.text());
    };
    let Frame::Retry(ms) = s.frames[at] else {
        unreachable!()
    };
    if let Some(max) = max_retry {
        assert!(ms <= max, "{what}: retry {ms} > {max}");
    }
    assert!(
        !s.frames[at..]
            .iter()
            .any(|f| matches!(f, Frame::Message(_))),
        "{what}: messages after the retry hint: {:?}",
        s.text()
    );
}

/// Reads up to the next comment (a keep-alive), skipping `retry:` hints; fails on a
/// message (none may come, `because`), the end of the stream, or a timeout. Returns
/// when it arrived.
pub(crate) fn next_comment(s: &mut Sub, because: &str) -> Instant {
    loop {
        match s.next(LIVE) {
            Step::Frame(Frame::Comment(_)) => return Instant::now(),
            Step::Frame(Frame::Message(m)) => panic!("{because}, yet {m:?}"),
            Step::Frame(_) => {}
            other => panic!("expected a keep-alive: {other:?}"),
        }
    }
}

/// Reads `s` for `duration`: comments and `retry:` hints may come, but no message
/// (`because`) and not the end of the stream.
pub(crate) fn quiet_for(s: &mut Sub, duration: Duration, because: &str) {
    let until = Instant::now() + duration;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        match s.next(left) {
            Step::Frame(Frame::Message(m)) => panic!("{because}, yet {m:?}"),
            Step::Frame(_) => {}
            Step::End => panic!("{because}, yet the stream ended: {:?}", s.text()),
            Step::Timeout => return,
        }
    }
}
