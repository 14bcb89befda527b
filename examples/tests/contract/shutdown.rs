//! SIGTERM / SIGINT and `--shutdown-grace-ms`.

use std::time::{Duration, Instant};

use crate::support::LIVE;
use crate::support::api::publish;
use crate::support::check::assert_ended_with_retry;
use crate::support::server::{Bin, start};
use crate::support::sse::sub;

/// Signals the demo and checks every stream ends promptly (after a `retry:` hint, on an
/// event boundary, with the chunked terminator) and the process exits 0 within the
/// grace period.
fn shutdown_on(bin: &Bin, signal: &str) {
    let grace = Duration::from_millis(10_000);
    let mut demo = start(bin, &["--shutdown-grace-ms", "10000", "--clock-ms", "100"]);
    let mut plain = sub(&demo, "/events?topic=t");
    let mut chat = sub(&demo, "/events?topic=chat");
    let mut mixed = sub(&demo, "/events?topic=clock&topic=t");
    let id = publish(&demo, "t", "before");
    assert_eq!(plain.message().last_event_id, id);
    assert_eq!(mixed.message_skipping(&["tick"]).last_event_id, id);
    assert_eq!(chat.message().event, "presence");
    let signalled = Instant::now();
    demo.signal(signal);
    for (name, s) in [
        ("t", &mut plain),
        ("chat", &mut chat),
        ("clock+t", &mut mixed),
    ] {
        let _ = s.until_end(LIVE);
        let after = signalled.elapsed();
        assert!(
            after < Duration::from_secs(4),
            "{name}: stream took {after:?} to end (not prompt)"
        );
        assert_ended_with_retry(s, None, name);
    }
    let status = demo
        .wait_exit(grace + Duration::from_secs(2))
        .unwrap_or_else(|| panic!("still running {:?} after SIG{signal}", signalled.elapsed()));
    let exited = signalled.elapsed();
    assert_eq!(
        status.code(),
        Some(0),
        "exit status after SIG{signal}; stderr:\n{}",
        demo.stderr()
    );
    assert!(
        exited <= grace + Duration::from_secs(1),
        "exit took {exited:?}"
    );
}

pub(crate) fn shutdown_on_sigterm(bin: &Bin) {
    shutdown_on(bin, "TERM");
}

pub(crate) fn shutdown_on_sigint(bin: &Bin) {
    shutdown_on(bin, "INT");
}

/// A client that stops reading cannot hold the process past `--shutdown-grace-ms`.
pub(crate) fn shutdown_within_grace_despite_stuck_client(bin: &Bin) {
    let mut demo = start(bin, &["--shutdown-grace-ms", "1000", "--clock-ms", "0"]);
    let stuck = sub(&demo, "/events?topic=big");
    let mut reader = sub(&demo, "/events?topic=t");
    let big = "z".repeat(512 * 1024);
    for _ in 0..24 {
        publish(&demo, "big", &big);
    }
    let id = publish(&demo, "t", "x");
    assert_eq!(reader.message().last_event_id, id);
    let signalled = Instant::now();
    demo.signal("TERM");
    let _ = reader.until_end(LIVE);
    assert_ended_with_retry(&reader, None, "reading client");
    let status = demo.wait_exit(LIVE).expect("exit");
    let exited = signalled.elapsed();
    assert_eq!(status.code(), Some(0), "stderr:\n{}", demo.stderr());
    assert!(
        exited <= Duration::from_millis(1000 + 1500),
        "exit took {exited:?} with a 1 s grace"
    );
    drop(stuck);
}
