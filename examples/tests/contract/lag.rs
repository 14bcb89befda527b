//! A subscriber that falls behind.

use sse_core::Frame;

use crate::support::LIVE;
use crate::support::api::publish;
use crate::support::check::assert_same_sequence;
use crate::support::server::{Bin, start};
use crate::support::sse::{Step, Sub, sub_with};

/// A subscriber that stops reading while much is published is disconnected (it fell
/// too far behind: 14 MiB, whatever "too far" is exactly), and reading on, resuming
/// with Last-Event-ID whenever its stream ends, it loses nothing that history holds.
/// A run without any disconnection fails: it would not have tested resuming.
pub(crate) fn slow_subscriber_loses_nothing(bin: &Bin) {
    // The default history (1000 events) holds all 900 events (14 MiB), far more than
    // the sockets buffer for a client with a small receive buffer: it falls behind.
    let demo = start(bin, &["--clock-ms", "0"]);
    let mut s = Sub::open_small_buffer(demo.addr, "/events?topic=t", &[]);
    let total = 900;
    let pad = "p".repeat(16 * 1024);
    let published: Vec<(String, String)> = (0..total)
        .map(|i| {
            let data = format!("{i} {pad}");
            (publish(&demo, "t", &data), data)
        })
        .collect();
    let mut got: Vec<(String, String)> = Vec::new();
    let mut resumed = 0;
    while got.len() < total {
        match s.next(LIVE) {
            Step::Frame(Frame::Message(m)) => {
                assert_eq!(m.event, "message", "nothing may be lost: {:?}", m.event);
                got.push((m.last_event_id, m.data));
            }
            Step::Frame(_) => {}
            Step::End => {
                let id = s.last_event_id();
                resumed += 1;
                s = sub_with(
                    &demo,
                    "/events?topic=t",
                    &[("last-event-id", id.as_bytes())],
                );
            }
            Step::Timeout => panic!("stalled after {} of {total} events", got.len()),
        }
    }
    assert_same_sequence(
        &got,
        &published,
        &format!("slow subscriber, {resumed} resumes"),
    );
    assert!(
        resumed > 0,
        "a subscriber 14 MiB behind was never disconnected: nothing resumed"
    );
}
