//! Instructions per delivery: each peer's server under callgrind, run twice with the same
//! subscribers and a different number of events. The difference of the two totals holds
//! only the extra events' deliveries: start-up, connecting and exiting cancel out.

use std::io;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::stream::publish_and_wait;
use super::{DriverOptions, Session, callgrind};
use crate::peer::Peer;
use crate::results::{InstructionsResults, PeerInstructions};

/// What `sse-bench instructions` counts.
#[derive(Debug, Clone)]
pub struct InstructionsPlan {
    /// The peers, in this order.
    pub peers: Vec<Peer>,
    /// Subscribers in every run.
    pub subscribers: usize,
    /// Events in the two runs of each peer (the first fewer than the second).
    pub events: [u64; 2],
    /// Bytes of data per event.
    pub size: usize,
    /// Repetitions of every peer's pair of runs.
    pub reps: usize,
    /// Where callgrind writes its files (`<peer>-<events>-<rep>.out`).
    pub out_dir: PathBuf,
}

impl InstructionsPlan {
    /// The peers counted when none are named.
    pub const PEERS: [Peer; 6] = [
        Peer::Hyper,
        Peer::OursAxumHub,
        Peer::OursWarpHub,
        Peer::OursActixHub,
        Peer::AxumSse,
        Peer::Raw,
    ];
}

/// Every stream's keep-alive interval: longer than any run, so that no stream sends one
/// however slowly callgrind runs the server.
const KEEP_ALIVE: Duration = Duration::from_secs(3600);

/// Counts each peer of `plan`; a peer that fails is left out, with a note.
#[must_use]
pub fn run_instructions(
    plan: &InstructionsPlan,
    options: &DriverOptions,
    command: &str,
) -> InstructionsResults {
    let start = Instant::now();
    let mut results = InstructionsResults {
        run: super::begin(command),
        subscribers: plan.subscribers,
        events: plan.events,
        size: plan.size,
        reps: plan.reps,
        ..InstructionsResults::default()
    };
    for rep in 0..plan.reps {
        for &peer in &plan.peers {
            match peer_instructions(peer, rep, plan, options) {
                Ok(counted) => results.peers.push(counted),
                Err(e) => {
                    let note = format!("{peer} rep {rep}: {e}");
                    options.note(&format!("instructions {note}"));
                    results.notes.push(note);
                }
            }
        }
    }
    super::end(&mut results.run, start);
    results
}

/// `peer`'s two runs of repetition `rep`, and what they give per delivery.
fn peer_instructions(
    peer: Peer,
    rep: usize,
    plan: &InstructionsPlan,
    options: &DriverOptions,
) -> io::Result<PeerInstructions> {
    let totals = [
        count(peer, plan.events[0], rep, plan, options)?,
        count(peer, plan.events[1], rep, plan, options)?,
    ];
    let per_delivery = per_delivery(totals, plan.events, plan.subscribers).ok_or_else(|| {
        io::Error::other(format!(
            "{totals:?} instructions for {:?} events: not more with more",
            plan.events
        ))
    })?;
    Ok(PeerInstructions {
        peer,
        rep,
        totals,
        per_delivery,
    })
}

/// The instructions `peer`'s server executes from start to exit when `events` events go
/// to `plan.subscribers` subscribers, one event at a time.
fn count(
    peer: Peer,
    events: u64,
    rep: usize,
    plan: &InstructionsPlan,
    options: &DriverOptions,
) -> io::Result<u64> {
    let start = Instant::now();
    std::fs::create_dir_all(&plan.out_dir)?;
    let out = plan.out_dir.join(format!("{peer}-{events}-{rep}.out"));
    match std::fs::remove_file(&out) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let options = DriverOptions {
        wrapper: Some(callgrind::wrapper(&out)),
        ..options.clone()
    };
    let mut session = Session::start(peer, &options, KEEP_ALIVE)?;
    let delivered = deliver(&mut session, plan.subscribers, events, plan.size);
    // The server exits first, and callgrind writes its file as it does.
    session.quit();
    delivered?;
    let text = std::fs::read_to_string(&out)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", out.display())))?;
    let total = callgrind::total_instructions(&text)
        .ok_or_else(|| io::Error::other(format!("{}: no totals line", out.display())))?;
    options.note(&format!(
        "instructions {peer} rep {rep}, {events} events: {total} in {:.1} s",
        start.elapsed().as_secs_f64()
    ));
    Ok(total)
}

/// Connects `subscribers`, then publishes `events` events one at a time, each received
/// by every subscriber before the next is published (so that no write carries two).
fn deliver(session: &mut Session, subscribers: usize, events: u64, size: usize) -> io::Result<()> {
    let open = session.connect(subscribers, None)?;
    if open != subscribers {
        return Err(io::Error::other(format!(
            "{open} of {subscribers} subscribers connected"
        )));
    }
    if !session.wait_server_streams_at_least(open as u64, Duration::from_secs(10))? {
        return Err(io::Error::other("the server does not count every stream"));
    }
    for event in 0..events {
        let report = publish_and_wait(session, 1.0, 1, size)?;
        if report.events != subscribers as u64 || report.min_events != 1 {
            return Err(io::Error::other(format!(
                "event {event}: {} deliveries to {subscribers} subscribers (fewest {})",
                report.events, report.min_events
            )));
        }
    }
    Ok(())
}

/// Instructions per delivery from the `totals` of two runs with `events` events each to
/// `subscribers` subscribers: `(I₂ − I₁) / ((K₂ − K₁) × N)`. `None` unless the second run
/// had more events and more instructions.
#[must_use]
pub(crate) fn per_delivery(totals: [u64; 2], events: [u64; 2], subscribers: usize) -> Option<f64> {
    let extra_events = events[1].checked_sub(events[0]).filter(|&k| k > 0)?;
    let extra = totals[1].checked_sub(totals[0])?;
    let deliveries = extra_events.checked_mul(u64::try_from(subscribers).ok()?)?;
    (deliveries > 0).then(|| extra as f64 / deliveries as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_difference_over_the_extra_deliveries() {
        // 1,000 subscribers, 10 then 30 events: 20,000 more deliveries.
        let per = per_delivery([50_000_000, 130_000_000], [10, 30], 1000);
        assert_eq!(per, Some(4000.0));
        assert_eq!(per_delivery([7, 7 + 3 * 20], [1, 4], 20), Some(1.0));
        assert_eq!(per_delivery([0, 5], [0, 2], 4), Some(0.625));
    }

    #[test]
    fn no_more_events_or_fewer_instructions_is_no_answer() {
        assert_eq!(per_delivery([1, 2], [10, 10], 1000), None);
        assert_eq!(per_delivery([1, 2], [30, 10], 1000), None);
        assert_eq!(per_delivery([5, 2], [10, 30], 1000), None);
        assert_eq!(per_delivery([1, 2], [10, 30], 0), None);
    }
}
