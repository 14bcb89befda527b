//! Plans (what to run, how often, with which peers) and running them: every run gets a
//! fresh server and client, peers interleaved in each repetition.

use std::time::{Duration, Instant};

pub use super::slow::SlowPlan;
pub use super::stream::StreamPlan;
use super::{DriverOptions, Session, idle, interleave, reconnect, slow, stream};
use crate::peer::Peer;
use crate::results::Results;
use crate::server::KEEP_ALIVE;

/// The idle-memory benchmark's settings.
#[derive(Debug, Clone)]
pub struct IdlePlan {
    /// Open streams at each measurement (cumulative).
    pub sizes: Vec<usize>,
}

/// The reconnect storm's settings.
#[derive(Debug, Clone)]
pub struct ReconnectPlan {
    /// Clients.
    pub clients: usize,
    /// Waves: `None` plain, `Some(k)` resume after missing `k` events.
    pub missed: Vec<Option<u64>>,
    /// Bytes of data per event.
    pub size: usize,
    /// The servers' keep-alive interval: short, so that every framework notices the
    /// closed streams before the wave (actix-web only notices when it writes).
    pub keep_alive: Duration,
}

/// A benchmark, its repetitions and peers.
#[derive(Debug, Clone)]
pub struct Part<T> {
    /// The settings.
    pub plan: T,
    /// Repetitions (each runs every peer once, in a new order).
    pub reps: usize,
    /// The peers.
    pub peers: Vec<Peer>,
}

/// What one invocation runs.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Latency and fan-out.
    pub stream: Option<Part<StreamPlan>>,
    /// Memory per idle stream.
    pub idle: Option<Part<IdlePlan>>,
    /// Reconnect storm.
    pub reconnect: Option<Part<ReconnectPlan>>,
    /// Slow consumers.
    pub slow: Option<Part<SlowPlan>>,
}

impl Plan {
    /// The full suite, sized for a 2-CPU machine and about 11 minutes.
    #[must_use]
    pub fn full() -> Self {
        Self {
            stream: Some(Part {
                plan: StreamPlan {
                    subscribers: 10_000,
                    latency: vec![(1.0, 3), (10.0, 10), (100.0, 50)],
                    burst: (2000.0, 60),
                    curve: vec![0.25, 0.5, 0.8],
                    step_seconds: 1.0,
                    size: 64,
                    strace: Some((2.0, 3)),
                },
                reps: 3,
                peers: Peer::ALL.to_vec(),
            }),
            idle: Some(Part {
                plan: IdlePlan {
                    sizes: vec![1000, 5000, 10_000, 19_000],
                },
                reps: 3,
                peers: Peer::idle(),
            }),
            reconnect: Some(Part {
                plan: ReconnectPlan {
                    clients: 10_000,
                    missed: vec![None, Some(0), Some(10), Some(100)],
                    size: 64,
                    keep_alive: Duration::from_secs(1),
                },
                reps: 3,
                peers: Peer::HUB.to_vec(),
            }),
            slow: Some(Part {
                plan: SlowPlan {
                    subscribers: 10_000,
                    slow_every: 20,
                    rate: 10.0,
                    events: 50,
                    size: 1024,
                },
                reps: 2,
                peers: vec![
                    Peer::OursAxumHub,
                    Peer::OursActixHub,
                    Peer::OursWarpHub,
                    Peer::AxumSse,
                    Peer::Raw,
                ],
            }),
        }
    }

    /// Every peer through every benchmark once, with 100 connections, in seconds: a
    /// check that everything works, not a measurement.
    #[must_use]
    pub fn smoke() -> Self {
        Self {
            stream: Some(Part {
                plan: StreamPlan {
                    subscribers: 100,
                    latency: vec![(100.0, 10)],
                    burst: (2000.0, 20),
                    curve: vec![0.5],
                    step_seconds: 0.2,
                    size: 64,
                    strace: None,
                },
                reps: 1,
                peers: Peer::ALL.to_vec(),
            }),
            idle: Some(Part {
                plan: IdlePlan { sizes: vec![100] },
                reps: 1,
                peers: Peer::idle(),
            }),
            reconnect: Some(Part {
                plan: ReconnectPlan {
                    clients: 100,
                    missed: vec![None, Some(0), Some(10)],
                    size: 64,
                    keep_alive: Duration::from_millis(300),
                },
                reps: 1,
                peers: Peer::HUB.to_vec(),
            }),
            slow: Some(Part {
                plan: SlowPlan {
                    subscribers: 100,
                    slow_every: 20,
                    rate: 100.0,
                    events: 20,
                    size: 1024,
                },
                reps: 1,
                peers: vec![Peer::OursAxumHub, Peer::AxumSse],
            }),
        }
    }
}

/// Runs `f` on a fresh session of each peer, for each repetition, peers interleaved.
fn each<T>(
    part_name: &str,
    keep_alive: Duration,
    reps: usize,
    peers: &[Peer],
    options: &DriverOptions,
    notes: &mut Vec<String>,
    mut f: impl FnMut(&mut Session, usize) -> std::io::Result<T>,
) -> Vec<T> {
    let mut out = Vec::new();
    for rep in 0..reps {
        for peer in interleave(peers, rep) {
            let start = Instant::now();
            let result = Session::start(peer, options, keep_alive).and_then(|mut session| {
                let result = f(&mut session, rep);
                session.quit();
                result
            });
            match result {
                Ok(run) => {
                    options.note(&format!(
                        "{part_name} {peer} rep {rep}: {:.1} s",
                        start.elapsed().as_secs_f64()
                    ));
                    out.push(run);
                }
                Err(e) => {
                    let note = format!("{part_name} {peer} rep {rep} failed: {e}");
                    options.note(&note);
                    notes.push(note);
                }
            }
        }
    }
    out
}

/// Runs `plan`; what failed is in [`Results::notes`].
#[must_use]
pub fn run_plan(plan: &Plan, options: &DriverOptions, command: &str) -> Results {
    let start = Instant::now();
    let mut results = Results {
        run: super::begin(command),
        ..Results::default()
    };
    if options.cpus.is_none() {
        results
            .notes
            .push("fewer than 2 CPUs: server and client not pinned".to_owned());
    }
    if let Some(part) = &plan.stream {
        if part.plan.strace.is_some() && !super::strace::available() {
            results
                .notes
                .push("strace not found: write system calls not counted".to_owned());
        }
        results.streams = each(
            "latency+fanout",
            KEEP_ALIVE,
            part.reps,
            &part.peers,
            options,
            &mut results.notes,
            |s, rep| stream::run(s, &part.plan, rep, options),
        );
    }
    if let Some(part) = &plan.idle {
        results.idle = each(
            "idle",
            KEEP_ALIVE,
            part.reps,
            &part.peers,
            options,
            &mut results.notes,
            |s, rep| idle::run(s, &part.plan.sizes, rep),
        );
    }
    if let Some(part) = &plan.reconnect {
        results.reconnect = each(
            "reconnect",
            part.plan.keep_alive,
            part.reps,
            &part.peers,
            options,
            &mut results.notes,
            |s, rep| {
                reconnect::run(
                    s,
                    part.plan.clients,
                    &part.plan.missed,
                    part.plan.size,
                    part.plan.keep_alive,
                    rep,
                )
            },
        );
    }
    if let Some(part) = &plan.slow {
        results.slow = each(
            "slow",
            KEEP_ALIVE,
            part.reps,
            &part.peers,
            options,
            &mut results.notes,
            |s, rep| slow::run(s, &part.plan, rep),
        );
    }
    super::end(&mut results.run, start);
    results
}
