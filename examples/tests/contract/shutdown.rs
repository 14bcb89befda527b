//! SIGTERM / SIGINT and `--shutdown-grace-ms`.

use std::time::{Duration, Instant};

use crate::support::LIVE;
use crate::support::api::publish;
use crate::support::check::assert_ended_with_retry;
use crate::support::server::{Bin, assert_help_default, start};
use crate::support::sse::sub;

/// Signals the demo and checks every stream ends promptly (after a `retry:` hint, on an
/// event boundary, with the chunked terminator) and the process exits 0. "Promptly" is
/// a liveness bound ([`LIVE`]) far below the grace period (30 s): a demo that only let
/// the grace period cut its streams would fail.
fn shutdown_on(bin: &Bin, signal: &str) {
    let mut demo = start(bin, &["--shutdown-grace-ms", "30000", "--clock-ms", "100"]);
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
        assert_ended_with_retry(s, None, name);
    }
    let status = demo
        .wait_exit(LIVE)
        .unwrap_or_else(|| panic!("still running {:?} after SIG{signal}", signalled.elapsed()));
    assert_eq!(
        status.code(),
        Some(0),
        "exit status after SIG{signal}; stderr:\n{}",
        demo.stderr()
    );
}

pub(crate) fn shutdown_on_sigterm(bin: &Bin) {
    shutdown_on(bin, "TERM");
}

pub(crate) fn shutdown_on_sigint(bin: &Bin) {
    shutdown_on(bin, "INT");
}

/// With a client that stopped reading, SIGTERM: the reading client's stream still ends
/// properly, and the process exits 0 once the grace period is over, neither sooner
/// (the stuck client holds the server until then) nor later than [`LIVE`] after it.
/// `grace_flag` is the `--shutdown-grace-ms` value to pass, if any; `grace` what it
/// must amount to.
fn exit_despite_stuck_client(bin: &Bin, grace_flag: Option<&str>, grace: Duration) {
    let mut args = vec!["--clock-ms", "0"];
    if let Some(ms) = grace_flag {
        args.extend_from_slice(&["--shutdown-grace-ms", ms]);
    }
    let mut demo = start(bin, &args);
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
    let status = demo
        .wait_exit(grace + LIVE)
        .unwrap_or_else(|| panic!("still running {:?} after SIGTERM", signalled.elapsed()));
    let exited = signalled.elapsed();
    assert_eq!(status.code(), Some(0), "stderr:\n{}", demo.stderr());
    assert!(
        exited >= grace,
        "exited {exited:?} after SIGTERM, before the {grace:?} grace period was over: \
         the stuck client did not hold the server"
    );
    drop(stuck);
}

/// A client that stops reading cannot hold the process past `--shutdown-grace-ms`.
pub(crate) fn shutdown_within_grace_despite_stuck_client(bin: &Bin) {
    exit_despite_stuck_client(bin, Some("1000"), Duration::from_millis(1000));
}

/// Without `--shutdown-grace-ms` the grace period is 5000 ms: `--help` says so, and a
/// stuck client holds the process that long.
pub(crate) fn shutdown_grace_default_5000(bin: &Bin) {
    assert_help_default(bin, "--shutdown-grace-ms", "5000");
    exit_despite_stuck_client(bin, None, Duration::from_millis(5000));
}
