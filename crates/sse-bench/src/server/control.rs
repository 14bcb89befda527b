//! The server's side of the driver protocol: commands on stdin, answers on stdout.

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::time::Instant;

use super::Source;
use crate::proto::{ServerCommand, ServerReply};

/// Writes one answer line.
fn answer(reply: &ServerReply) {
    let line = serde_json::to_string(reply)
        .unwrap_or_else(|e| format!("{{\"reply\":\"error\",\"message\":\"{e}\"}}"));
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Announces the server, then serves commands until `quit` or the end of stdin, and
/// exits the process.
pub(super) async fn run(addr: SocketAddr, source: Arc<Source>) {
    answer(&ServerReply::Ready {
        addr: addr.to_string(),
        pid: std::process::id(),
    });
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let reply = match serde_json::from_str::<ServerCommand>(&line) {
            Ok(ServerCommand::Publish { rate, count, size }) => {
                publish(&source, rate, count, size).await
            }
            Ok(ServerCommand::Stats) => ServerReply::Stats {
                heap: crate::heap::live(),
                conns: source.open_streams(),
                hub_bytes: source.hub_bytes(),
            },
            Ok(ServerCommand::Quit) => break,
            Err(e) => ServerReply::Error {
                message: format!("bad command {line:?}: {e}"),
            },
        };
        answer(&reply);
    }
    std::process::exit(0);
}

/// Publishes `count` events at `rate` per second, open loop (see
/// [`ServerCommand::Publish`]).
async fn publish(source: &Source, rate: f64, count: u64, size: usize) -> ServerReply {
    if !(rate.is_finite() && rate > 0.0) {
        return ServerReply::Error {
            message: format!("rate must be positive, not {rate}"),
        };
    }
    let first_seq = source.take_seqs(count);
    let start = Instant::now();
    let start_ns = crate::payload::now_ns();
    for i in 0..count {
        let offset = Duration::from_secs_f64(i as f64 / rate);
        let due = start + offset;
        if due > Instant::now() {
            tokio::time::sleep_until(due).await;
        }
        let due_ns = start_ns + u64::try_from(offset.as_nanos()).unwrap_or(u64::MAX);
        // Overdue events go out back to back, as if they had queued up meanwhile.
        source.publish(crate::payload::make(first_seq + i, due_ns, size));
    }
    ServerReply::Published {
        first_seq,
        count,
        start_ns,
        end_ns: crate::payload::now_ns(),
    }
}
