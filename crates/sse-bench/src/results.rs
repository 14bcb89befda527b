//! What a suite run measured, run by run (saved as JSON, rendered as tables and charts).

use serde::{Deserialize, Serialize};

use crate::peer::Peer;
use crate::proto::Percentiles;

/// Latency at one publish rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LatencyPoint {
    /// Events per second published.
    pub rate: f64,
    /// Events published.
    pub events: u64,
    /// Over every delivery to a healthy subscriber.
    pub latency: Percentiles,
    /// Per event, the latency of the last subscriber to receive it.
    pub last_subscriber: Percentiles,
    /// Deliveries received over deliveries expected.
    pub delivered: f64,
}

/// Fan-out at one offered rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FanoutPoint {
    /// Events per second offered.
    pub offered_events: f64,
    /// Deliveries per second offered (events × subscribers).
    pub offered: f64,
    /// Deliveries per second received, from the first due time to the last arrival.
    pub delivered: f64,
    /// Server CPU time per delivery, in microseconds.
    pub cpu_us: f64,
    /// Client CPU time over the same span, as a fraction of one CPU.
    pub client_cpu: f64,
    /// Deliveries received over deliveries expected.
    pub completeness: f64,
}

/// One run of the streaming benchmarks (latency, fan-out) for one peer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamRun {
    /// The peer.
    pub peer: Peer,
    /// The repetition.
    pub rep: usize,
    /// Subscribers.
    pub subscribers: usize,
    /// Time to connect them all, in milliseconds.
    pub connect_ms: f64,
    /// One point per rate.
    pub latency: Vec<LatencyPoint>,
    /// The saturation burst first, then lower offered rates.
    pub fanout: Vec<FanoutPoint>,
    /// Write system calls (write, writev, sendto, sendmsg) per delivery, when traced.
    pub syscalls_per_delivery: Option<f64>,
    /// Listen-queue overflows during the run.
    pub listen_overflows: u64,
}

impl StreamRun {
    /// The saturation point (the burst offered far above capacity).
    #[must_use]
    pub fn saturation(&self) -> Option<&FanoutPoint> {
        self.fanout.first()
    }
}

/// Memory at one number of idle streams.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdlePoint {
    /// Open streams.
    pub conns: usize,
    /// Live heap bytes per stream, over the server with none.
    pub heap_per_conn: f64,
    /// RSS bytes per stream, over the server with none.
    pub rss_per_conn: f64,
}

/// One run of the idle-memory benchmark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdleRun {
    /// The peer.
    pub peer: Peer,
    /// The repetition.
    pub rep: usize,
    /// One point per size.
    pub points: Vec<IdlePoint>,
    /// What the hub says one subscription takes (`Subscription::memory`), for hub peers.
    pub hub_bytes: Option<u64>,
    /// Listen-queue overflows during the run.
    pub listen_overflows: u64,
}

/// One reconnect wave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReconnectPoint {
    /// `plain` (no `Last-Event-ID`, nothing missed) or `K=n` (resume, n events missed).
    pub mode: String,
    /// Events missed.
    pub missed: u64,
    /// Until every stream had its response head, in milliseconds.
    pub connected_ms: f64,
    /// Until every stream had every missed event, in milliseconds (`None`: not reached).
    pub caught_up_ms: Option<f64>,
    /// Connections that failed.
    pub failed: usize,
    /// Listen-queue overflows during the wave.
    pub listen_overflows: u64,
}

/// One run of the reconnect-storm benchmark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReconnectRun {
    /// The peer.
    pub peer: Peer,
    /// The repetition.
    pub rep: usize,
    /// Clients.
    pub clients: usize,
    /// One point per mode.
    pub waves: Vec<ReconnectPoint>,
}

/// One run of the slow-consumer benchmark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlowRun {
    /// The peer.
    pub peer: Peer,
    /// The repetition.
    pub rep: usize,
    /// Subscribers, and how many of them stop reading.
    pub subscribers: usize,
    /// See `subscribers`.
    pub slow: usize,
    /// Events per phase, their data size and rate.
    #[serde(default)]
    pub events: u64,
    /// See `events`.
    #[serde(default)]
    pub size: usize,
    /// See `events`.
    #[serde(default)]
    pub rate: f64,
    /// Healthy subscribers' latency before anyone stops reading.
    pub baseline: Percentiles,
    /// Healthy subscribers' latency while the slow ones do not read (two phases).
    pub with_slow: Vec<Percentiles>,
    /// Server live heap at the end of each phase (baseline, slow 1, slow 2), bytes.
    pub heap: Vec<i64>,
    /// Server RSS at the end of each phase, bytes.
    pub rss: Vec<u64>,
    /// Streams the server still had open at the end.
    pub open_at_end: u64,
    /// Healthy deliveries received over expected, in the slow phases.
    pub healthy_delivered: f64,
}

/// Where, when and how one invocation ran: the head of every saved result.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Run {
    /// When (UTC, RFC 3339).
    pub date: String,
    /// The git commit measured (and whether the tree had changes).
    pub commit: String,
    /// CPU, memory, kernel.
    pub machine: String,
    /// Load averages before and after.
    pub load: Vec<(f64, f64, f64)>,
    /// The command line.
    pub command: String,
    /// Wall time of the whole invocation, in seconds.
    pub seconds: f64,
}

/// Everything one invocation measured.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Results {
    /// Where, when and how it ran.
    #[serde(flatten)]
    pub run: Run,
    /// Notes (missing tools, failed runs).
    pub notes: Vec<String>,
    /// Latency and fan-out runs.
    pub streams: Vec<StreamRun>,
    /// Idle-memory runs.
    pub idle: Vec<IdleRun>,
    /// Reconnect-storm runs.
    pub reconnect: Vec<ReconnectRun>,
    /// Slow-consumer runs.
    pub slow: Vec<SlowRun>,
}

impl Results {
    /// Keeps only the named parts (`stream`, `idle`, `reconnect`, `slow`).
    pub fn retain_parts(&mut self, parts: &[&str]) {
        let keep = |part: &str| parts.contains(&part);
        if !keep("stream") {
            self.streams.clear();
        }
        if !keep("idle") {
            self.idle.clear();
        }
        if !keep("reconnect") {
            self.reconnect.clear();
        }
        if !keep("slow") {
            self.slow.clear();
        }
    }

    /// Adds `other`'s runs (for example a part run again on a quieter machine): dates,
    /// commits, commands and load averages are listed side by side.
    pub fn merge(&mut self, other: Self) {
        let join = |a: &mut String, b: String| {
            if a.is_empty() {
                *a = b;
            } else if *a != b {
                a.push_str("; ");
                a.push_str(&b);
            }
        };
        join(&mut self.run.date, other.run.date);
        join(&mut self.run.commit, other.run.commit);
        join(&mut self.run.machine, other.run.machine);
        join(&mut self.run.command, other.run.command);
        self.run.load.extend(other.run.load);
        self.run.seconds += other.run.seconds;
        self.notes.extend(other.notes);
        self.streams.extend(other.streams);
        self.idle.extend(other.idle);
        self.reconnect.extend(other.reconnect);
        self.slow.extend(other.slow);
    }
}

/// One peer's instructions (`sse-bench instructions`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerInstructions {
    /// The peer.
    pub peer: Peer,
    /// The repetition.
    pub rep: usize,
    /// Instructions the server executed (callgrind's total `Ir`) in the run with each of
    /// [`InstructionsResults::events`].
    pub totals: [u64; 2],
    /// Instructions per delivery: the difference of the totals over the difference of
    /// the deliveries.
    pub per_delivery: f64,
}

/// What one `sse-bench instructions` invocation counted.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct InstructionsResults {
    /// Where, when and how it ran.
    #[serde(flatten)]
    pub run: Run,
    /// Subscribers in every run.
    pub subscribers: usize,
    /// Events published in the two runs of each peer, fewer first.
    pub events: [u64; 2],
    /// Bytes of data per event.
    pub size: usize,
    /// Repetitions of every peer's pair of runs.
    pub reps: usize,
    /// One entry per peer and repetition that could be counted.
    pub peers: Vec<PeerInstructions>,
    /// Peers that failed, and why.
    pub notes: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_results_keep_both_runs_and_both_dates() {
        let run = |date: &str| Results {
            run: Run {
                date: date.into(),
                commit: "abc".into(),
                seconds: 10.0,
                ..Run::default()
            },
            idle: vec![IdleRun {
                peer: Peer::Raw,
                rep: 0,
                points: Vec::new(),
                hub_bytes: None,
                listen_overflows: 0,
            }],
            ..Results::default()
        };
        let mut a = run("day 1");
        a.merge(run("day 2"));
        assert_eq!(
            (a.run.date.as_str(), a.run.commit.as_str()),
            ("day 1; day 2", "abc")
        );
        assert_eq!((a.idle.len(), a.run.seconds), (2, 20.0));
        a.retain_parts(&["stream"]);
        assert!(a.idle.is_empty());
    }
}
