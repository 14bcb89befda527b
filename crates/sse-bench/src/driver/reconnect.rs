//! Reconnect storm: every client drops and reconnects at once, plainly or resuming with
//! `Last-Event-ID` after missing K events; time until all are caught up.

use std::io;
use std::time::Duration;

use super::Session;
use crate::proto::{ClientCommand, ClientReply};
use crate::results::{ReconnectPoint, ReconnectRun};
use crate::sys::ListenCounters;

/// Connects `clients`, then runs one wave per entry of `missed` (`None`: a plain
/// reconnect without `Last-Event-ID`; `Some(k)`: resume after missing `k` events).
pub(crate) fn run(
    session: &mut Session,
    clients: usize,
    missed: &[Option<u64>],
    size: usize,
    keep_alive: Duration,
    rep: usize,
) -> io::Result<ReconnectRun> {
    let open = session.connect(clients, None)?;
    session.wait_server_streams_at_least(open as u64, Duration::from_secs(10))?;
    // One event, so that every client has an id and a sequence number to come back with.
    let first = session.publish(1000.0, 1, size)?;
    let mut newest = first.first_seq;
    session.report(&ClientCommand::Wait {
        per_conn: 1,
        timeout_ms: 30_000,
    })?;

    let mut waves = Vec::new();
    for &wave in missed {
        session.client(&ClientCommand::Close)?;
        // The server notices the closed sockets (actix-web only when it writes: at the
        // next keep-alive), so that the wave does not meet the old streams.
        if !session.wait_server_streams_at_most(0, keep_alive * 3)? {
            eprintln!(
                "[sse-bench]   {}: old streams still open before the wave",
                session.peer()
            );
        }
        let k = wave.unwrap_or(0);
        if k > 0 {
            let published = session.publish(100_000.0, k, size)?;
            newest = published.first_seq + published.count - 1;
        }
        let before = ListenCounters::read().unwrap_or_default();
        let reply = session.client(&ClientCommand::Reconnect {
            resume: wave.is_some(),
            caught_up_seq: Some(newest),
            timeout_ms: 60_000,
        })?;
        let after = ListenCounters::read().unwrap_or_default();
        let ClientReply::Reconnected {
            failed,
            connected_ms,
            caught_up_ms,
            ..
        } = reply
        else {
            return Err(io::Error::other(format!("load client said {reply:?}")));
        };
        eprintln!(
            "[sse-bench]   {} wave {wave:?}: connected {connected_ms:.0} ms, caught up {caught_up_ms:?} ms, failed {failed}",
            session.peer()
        );
        waves.push(ReconnectPoint {
            mode: wave.map_or_else(|| "plain".to_owned(), |k| format!("K={k}")),
            missed: k,
            connected_ms,
            caught_up_ms,
            failed,
            listen_overflows: after.since(before).overflows,
        });
    }
    Ok(ReconnectRun {
        peer: session.peer(),
        rep,
        clients: open,
        waves,
    })
}
