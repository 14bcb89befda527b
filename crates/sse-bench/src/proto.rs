//! What the driver says to a server or a load client, and what they answer: one JSON
//! object per line on the child's stdin and stdout.

use serde::{Deserialize, Serialize};

/// A command to a benchmark server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case")]
pub enum ServerCommand {
    /// Publish `count` events of about `size` bytes of data, open loop: event `i` is due
    /// at `start + i / rate` whether or not earlier ones went out on time, and carries
    /// that due time. Answered with [`ServerReply::Published`] when the last is published.
    Publish {
        /// Events per second.
        rate: f64,
        /// How many.
        count: u64,
        /// Bytes of data per event (at least the sequence number and timestamp).
        size: usize,
    },
    /// Answered with [`ServerReply::Stats`].
    Stats,
    /// Exit at once.
    Quit,
}

/// A server's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum ServerReply {
    /// The server listens.
    Ready {
        /// Where.
        addr: String,
        /// Its process id.
        pid: u32,
    },
    /// A [`ServerCommand::Publish`] is done.
    Published {
        /// The sequence number of the first event.
        first_seq: u64,
        /// How many were published.
        count: u64,
        /// When the first was due (ns since the epoch).
        start_ns: u64,
        /// When the last was handed over (ns since the epoch).
        end_ns: u64,
    },
    /// Counters.
    Stats {
        /// Live heap bytes (counting allocator).
        heap: i64,
        /// Open event streams.
        conns: u64,
        /// What the hub says one subscription takes, for hub peers.
        hub_bytes: Option<u64>,
    },
    /// A command failed.
    Error {
        /// Why.
        message: String,
    },
}

/// A command to a load client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case")]
pub enum ClientCommand {
    /// Open `n` more event streams (answered when all have their response head).
    Connect {
        /// How many.
        n: usize,
        /// Every `k`-th new connection gets a 4 KiB receive buffer and will stop reading
        /// at [`ClientCommand::StopReading`]; its latencies are not recorded.
        slow_every: Option<usize>,
    },
    /// Forget the counts and latencies so far.
    Reset,
    /// Wait until every healthy stream has received `per_conn` events since the last
    /// reset (or `timeout_ms` passed), then report.
    Wait {
        /// Events per stream.
        per_conn: u64,
        /// The limit.
        timeout_ms: u64,
    },
    /// Report now.
    Report,
    /// The slow connections stop reading (and keep their sockets open).
    StopReading,
    /// Close every stream, remembering each one's last event id.
    Close,
    /// Reopen as many streams as were closed, each with its predecessor's last event id
    /// when `resume` is set; report when all are open and, when `caught_up_seq` is set,
    /// when every stream has received the event with that sequence number.
    Reconnect {
        /// Send `Last-Event-ID`.
        resume: bool,
        /// The newest event every stream must have.
        caught_up_seq: Option<u64>,
        /// The limit.
        timeout_ms: u64,
    },
    /// Exit at once.
    Quit,
}

/// Latency percentiles in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Percentiles {
    /// Samples.
    pub count: u64,
    /// Median.
    pub p50: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Largest.
    pub max: f64,
}

/// What a load client saw since the last reset.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LoadReport {
    /// Open streams.
    pub conns: usize,
    /// Open streams that are not slow.
    pub healthy: usize,
    /// Events received by all streams.
    pub events: u64,
    /// Fewest events received by a healthy stream.
    pub min_events: u64,
    /// Most events received by a healthy stream.
    pub max_events: u64,
    /// When the first event arrived (ns since the epoch), 0 when none did.
    pub first_ns: u64,
    /// When the last event arrived.
    pub last_ns: u64,
    /// Publish-to-delivery latency, from each event's due time, over healthy streams.
    pub latency: Percentiles,
    /// Per event: the latency of the last healthy stream to receive it, over the events
    /// every healthy stream received.
    pub last_subscriber: Percentiles,
    /// Events skipped (a sequence number jumped ahead).
    pub gaps: u64,
    /// Events received again or out of order.
    pub repeats: u64,
    /// Streams the server ended (or that failed).
    pub ended: u64,
}

/// A load client's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum ClientReply {
    /// The client is ready.
    Ready {
        /// Its process id.
        pid: u32,
    },
    /// A [`ClientCommand::Connect`] is done.
    Connected {
        /// Open streams now.
        total: usize,
        /// Connections that failed.
        failed: usize,
        /// How long it took.
        ms: f64,
    },
    /// A report.
    Report(LoadReport),
    /// A [`ClientCommand::Close`] is done.
    Closed {
        /// Streams closed.
        n: usize,
    },
    /// A [`ClientCommand::Reconnect`] is done.
    Reconnected {
        /// Streams reopened.
        n: usize,
        /// Connections that failed.
        failed: usize,
        /// Until every stream had its response head.
        connected_ms: f64,
        /// Until every stream had the `caught_up_seq` event (when asked, and reached).
        caught_up_ms: Option<f64>,
        /// Streams that had it.
        caught_up: usize,
    },
    /// A command failed.
    Error {
        /// Why.
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_tagged_json() {
        let line = serde_json::to_string(&ServerCommand::Publish {
            rate: 10.0,
            count: 3,
            size: 64,
        })
        .unwrap();
        assert_eq!(line, r#"{"cmd":"publish","rate":10.0,"count":3,"size":64}"#);
        let back: ClientReply = serde_json::from_str(r#"{"reply":"closed","n":4}"#).unwrap();
        assert_eq!(back, ClientReply::Closed { n: 4 });
        assert!(serde_json::from_str::<ClientCommand>(r#"{"cmd":"dance"}"#).is_err());
    }
}
