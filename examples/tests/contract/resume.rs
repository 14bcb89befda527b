//! Ids and resuming: `Last-Event-ID` (header or query), exact replay, `reset`.

use std::collections::HashSet;
use std::thread;

use crate::support::api::publish;
use crate::support::check::{
    assert_nothing_before_marker, assert_same_sequence, encode, history, read_n,
};
use crate::support::server::{Bin, start};
use crate::support::sse::{Sub, sub, sub_with};

/// Reads the messages after a `reset` until the live one (`live_id`): they must be a
/// suffix of `history` (what history may still hold, replayed) followed by the live
/// message, without duplicates.
fn assert_reset_then_live(sub: &mut Sub, history: &[(String, String)], live: &(String, String)) {
    let first = sub.message();
    assert_eq!(
        first.event, "reset",
        "the first message must be `reset`, got {first:?}"
    );
    let mut after = Vec::new();
    loop {
        let m = sub.message();
        let item = (m.last_event_id.clone(), m.data.clone());
        assert_eq!(m.event, "message", "unexpected {m:?}");
        let done = &item == live;
        after.push(item);
        if done {
            break;
        }
    }
    let replayed = &after[..after.len() - 1];
    assert!(
        history.ends_with(replayed),
        "after reset: {replayed:?} is not a suffix of history {history:?}"
    );
}

/// An id shaped like `id` but later: its last run of digits increased by a million
/// (ids are opaque, but a counter is the common shape); without digits, `id~`.
fn future_id(id: &str) -> String {
    let bytes = id.as_bytes();
    let Some(end) = bytes.iter().rposition(u8::is_ascii_digit) else {
        return format!("{id}~");
    };
    let start = bytes[..end]
        .iter()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |p| p + 1);
    let run = &id[start..=end];
    let bumped = run.parse::<u64>().map_or_else(
        |_| "9".repeat(run.len() + 1),
        |n| (n + 1_000_000).to_string(),
    );
    format!("{}{bumped}{}", &id[..start], &id[end + 1..])
}

/// Ids are ordered hub-wide: an id from any topic resumes a subscription to several
/// topics exactly (events of those topics published after it, in order).
pub(crate) fn ids_ordered_hub_wide(bin: &Bin) {
    let demo = start(bin, &[]);
    let plan = [
        ("a", "a1"),
        ("b", "b1"),
        ("c", "c1"),
        ("a", "a2"),
        ("b", "b2"),
        ("c", "c2"),
    ];
    let ids: Vec<String> = plan.iter().map(|(t, d)| publish(&demo, t, d)).collect();
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        ids.len(),
        "distinct ids {ids:?}"
    );
    let pair = |i: usize| (ids[i].clone(), plan[i].1.to_owned());
    // From b1's id, subscribed to a and b: a2, b2.
    let mut s = sub_with(
        &demo,
        "/events?topic=a&topic=b",
        &[("last-event-id", ids[1].as_bytes())],
    );
    assert_eq!(read_n(&mut s, 2), [pair(3), pair(4)]);
    // From c1's id (a topic not subscribed): a2, b2.
    let mut s = sub_with(
        &demo,
        "/events?topic=b&topic=a",
        &[("last-event-id", ids[2].as_bytes())],
    );
    assert_eq!(read_n(&mut s, 2), [pair(3), pair(4)]);
    // From a1's id, subscribed to b only: b1, b2; then live.
    let mut s = sub_with(
        &demo,
        "/events?topic=b",
        &[("last-event-id", ids[0].as_bytes())],
    );
    assert_eq!(read_n(&mut s, 2), [pair(1), pair(4)]);
    let live = publish(&demo, "b", "b3");
    assert_eq!(read_n(&mut s, 1), [(live, "b3".to_owned())]);
}

/// Resume from the `Last-Event-ID` header: what followed, then live; resuming from the
/// newest id replays nothing.
pub(crate) fn resume_by_header(bin: &Bin) {
    let demo = start(bin, &[]);
    let h = history(&demo, "t", 5);
    let mut s = sub_with(
        &demo,
        "/events?topic=t",
        &[("last-event-id", h[1].0.as_bytes())],
    );
    assert_eq!(read_n(&mut s, 3), h[2..]);
    let live = publish(&demo, "t", "live");
    assert_eq!(read_n(&mut s, 1), [(live.clone(), "live".to_owned())]);
    let mut s = sub_with(
        &demo,
        "/events?topic=t",
        &[("last-event-id", live.as_bytes())],
    );
    assert_nothing_before_marker(&demo, &mut s, "t", &[]);
}

/// Resume from `?lastEventId=` when no header is sent.
pub(crate) fn resume_by_query(bin: &Bin) {
    let demo = start(bin, &[]);
    let h = history(&demo, "t", 5);
    let mut s = sub(
        &demo,
        &format!("/events?topic=t&lastEventId={}", encode(&h[2].0)),
    );
    assert_eq!(read_n(&mut s, 2), h[3..]);
    let mut s = sub(
        &demo,
        &format!("/events?lastEventId={}&topic=t", encode(&h[4].0)),
    );
    assert_nothing_before_marker(&demo, &mut s, "t", &[]);
}

/// The header wins over the query parameter.
pub(crate) fn resume_header_wins(bin: &Bin) {
    let demo = start(bin, &[]);
    let h = history(&demo, "t", 5);
    let target = format!("/events?topic=t&lastEventId={}", encode(&h[0].0));
    let mut s = sub_with(&demo, &target, &[("last-event-id", h[3].0.as_bytes())]);
    assert_eq!(read_n(&mut s, 1), h[4..]);
    assert_nothing_before_marker(&demo, &mut s, "t", &[]);
}

/// While events are being published, a client that disconnects again and again and
/// resumes with the last id it saw gets every event of its topics exactly once, in
/// order.
pub(crate) fn resume_no_gap_no_duplicate(bin: &Bin) {
    let demo = start(bin, &[]);
    let total = 240;
    let mut s = sub(&demo, "/events?topic=a&topic=b");
    let published = thread::scope(|scope| {
        let publisher = scope.spawn(|| {
            (0..total)
                .map(|i| {
                    let topic = ["a", "b", "c"][i % 3];
                    let data = format!("{topic}{i}");
                    (topic, publish(&demo, topic, &data), data)
                })
                .collect::<Vec<_>>()
        });
        let last = format!("b{}", total - 2);
        let mut got = Vec::new();
        let mut reconnects = 0;
        'outer: loop {
            for _ in 0..17 {
                let m = s.message();
                assert_eq!(m.event, "message", "no reset expected: {m:?}");
                let done = m.data == last;
                got.push((m.last_event_id, m.data));
                if done {
                    break 'outer;
                }
            }
            let id = s.last_event_id();
            s.close();
            reconnects += 1;
            s = sub_with(
                &demo,
                "/events?topic=a&topic=b",
                &[("last-event-id", id.as_bytes())],
            );
        }
        assert!(reconnects >= 5, "only {reconnects} reconnects");
        (publisher.join().expect("publisher"), got)
    });
    let (all, got) = published;
    let expected: Vec<(String, String)> = all
        .into_iter()
        .filter(|(topic, _, _)| *topic != "c")
        .map(|(_, id, data)| (id, data))
        .collect();
    assert_same_sequence(&got, &expected, "resuming while publishing");
}

/// The page's case: a client on `chat` and `clock` resumes from whatever id it saw last
/// (a chat message's, or a tick's or presence's when those carry ids): exactly, without
/// `reset`, nothing replayed twice, nothing missed.
pub(crate) fn resume_from_last_id_seen_with_ticks(bin: &Bin) {
    let demo = start(bin, &["--clock-ms", "50"]);
    let target = "/events?topic=chat&topic=clock";
    let mut s = sub(&demo, target);
    let before = publish(&demo, "chat", "before");
    assert_eq!(
        s.message_skipping(&["presence", "tick"]).last_event_id,
        before
    );
    let mut ticks = 0;
    while ticks < 3 {
        let m = s.message_skipping(&["presence"]);
        assert_eq!(m.event, "tick", "{m:?}");
        ticks += 1;
    }
    let seen = s.last_event_id();
    s.close();
    let after = publish(&demo, "chat", "after");
    let mut s = sub_with(&demo, target, &[("last-event-id", seen.as_bytes())]);
    loop {
        let m = s.message();
        assert_ne!(
            m.event, "reset",
            "resuming from {seen:?}, an id this stream gave"
        );
        if m.event == "message" {
            assert_eq!(
                (m.data.as_str(), m.last_event_id.as_str()),
                ("after", after.as_str()),
                "from {seen:?}"
            );
            break;
        }
    }
}

/// An id this server never issued yields `reset` first, then the live stream (a
/// replay of what history holds is allowed after the reset); by header and by query.
pub(crate) fn reset_for_unknown_id(bin: &Bin) {
    let demo = start(bin, &[]);
    let mut h = history(&demo, "t", 3);
    for (i, bogus) in ["no-such-id", "0000-never", "zz"].into_iter().enumerate() {
        let mut by_header = sub_with(
            &demo,
            "/events?topic=t",
            &[("last-event-id", bogus.as_bytes())],
        );
        let mut by_query = sub(
            &demo,
            &format!("/events?topic=t&lastEventId={}", encode(bogus)),
        );
        let data = format!("live{i}");
        let live = (publish(&demo, "t", &data), data);
        assert_reset_then_live(&mut by_header, &h, &live);
        assert_reset_then_live(&mut by_query, &h, &live);
        h.push(live);
    }
}

/// An id "from the future" (shaped like this server's ids, but not issued yet) yields
/// `reset`.
pub(crate) fn reset_for_future_id(bin: &Bin) {
    let demo = start(bin, &[]);
    let h = history(&demo, "t", 3);
    let future = future_id(&h[2].0);
    let mut s = sub_with(
        &demo,
        "/events?topic=t",
        &[("last-event-id", future.as_bytes())],
    );
    let live = (publish(&demo, "t", "live"), "live".to_owned());
    assert_reset_then_live(&mut s, &h, &live);
}

/// With `--history 3`, an id older than the three events kept for its topic yields
/// `reset`; an id still held resumes exactly. History is per topic.
pub(crate) fn reset_for_id_older_than_history(bin: &Bin) {
    let demo = start(bin, &["--history", "3"]);
    let t = history(&demo, "t", 6);
    let _u = history(&demo, "u", 10);
    let mut s = sub_with(
        &demo,
        "/events?topic=t",
        &[("last-event-id", t[1].0.as_bytes())],
    );
    let live = (publish(&demo, "t", "live"), "live".to_owned());
    assert_reset_then_live(&mut s, &t[3..], &live);
    let mut s = sub_with(
        &demo,
        "/events?topic=t",
        &[("last-event-id", t[4].0.as_bytes())],
    );
    let first = s.message();
    assert_eq!(
        first.event, "message",
        "no reset for an id still in history: {first:?}"
    );
    assert_eq!((first.last_event_id, first.data), t[5].clone());
    let m = s.message();
    assert_eq!((m.last_event_id, m.data), live);
}

/// A Last-Event-ID over 1 KiB is ignored as if absent (no reset, no replay; the query
/// parameter then counts); exactly 1 KiB is a value like any other (never issued:
/// reset).
pub(crate) fn last_event_id_over_1kib_ignored(bin: &Bin) {
    let demo = start(bin, &[]);
    let h = history(&demo, "t", 2);
    let over = "a".repeat(1025);
    let mut by_header = sub_with(
        &demo,
        "/events?topic=t",
        &[("last-event-id", over.as_bytes())],
    );
    let mut by_query = sub(&demo, &format!("/events?topic=t&lastEventId={over}"));
    let target = format!("/events?topic=t&lastEventId={}", encode(&h[0].0));
    let mut header_then_query = sub_with(&demo, &target, &[("last-event-id", over.as_bytes())]);
    let exact = "a".repeat(1024);
    let mut at_limit = sub_with(
        &demo,
        "/events?topic=t",
        &[("last-event-id", exact.as_bytes())],
    );
    let live = (publish(&demo, "t", "live"), "live".to_owned());
    for s in [&mut by_header, &mut by_query] {
        let m = s.message();
        assert_eq!(
            (m.event.as_str(), &m.last_event_id, &m.data),
            ("message", &live.0, &live.1)
        );
    }
    assert_eq!(
        read_n(&mut header_then_query, 2),
        [h[1].clone(), live.clone()]
    );
    assert_reset_then_live(&mut at_limit, &h, &live);
}

/// A Last-Event-ID with control characters is ignored as if absent.
pub(crate) fn last_event_id_control_chars_ignored(bin: &Bin) {
    let demo = start(bin, &[]);
    let h = history(&demo, "t", 2);
    let mut subs = vec![
        sub_with(&demo, "/events?topic=t", &[("last-event-id", b"ab\tcd")]),
        sub(&demo, "/events?topic=t&lastEventId=ab%01cd"),
        sub(&demo, "/events?topic=t&lastEventId=ab%7Fcd"),
        sub(&demo, "/events?topic=t&lastEventId=ab%0Acd"),
        sub(&demo, "/events?topic=t&lastEventId=%00"),
    ];
    let target = format!("/events?topic=t&lastEventId={}", encode(&h[0].0));
    let mut header_then_query = sub_with(&demo, &target, &[("last-event-id", b"x\ty")]);
    let live = (publish(&demo, "t", "live"), "live".to_owned());
    for s in &mut subs {
        let m = s.message();
        assert_eq!(
            (m.event.as_str(), &m.last_event_id, &m.data),
            ("message", &live.0, &live.1)
        );
    }
    assert_eq!(read_n(&mut header_then_query, 2), [h[1].clone(), live]);
}

#[test]
fn future_id_is_later_in_the_same_shape() {
    assert_eq!(future_id("41"), "1000041");
    assert_eq!(future_id("ab-12-7"), "ab-12-1000007");
    assert_eq!(future_id("7x"), "1000007x");
    assert_eq!(future_id("abc"), "abc~");
}
