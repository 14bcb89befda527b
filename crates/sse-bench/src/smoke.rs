//! What makes a smoke run fail: not slowness (no thresholds), but a peer that did not
//! work: a failed run, an event not delivered, a reconnect that did not catch up.

use crate::peer::Peer;
use crate::results::Results;

/// The problems found in a smoke run's `results`, given the peers each part ran
/// (latency and fan-out, idle memory, reconnect).
#[must_use]
pub fn failures(
    results: &Results,
    stream_peers: &[Peer],
    idle_peers: &[Peer],
    hub_peers: &[Peer],
) -> Vec<String> {
    let mut out: Vec<String> = results
        .notes
        .iter()
        .filter(|n| n.contains("failed"))
        .cloned()
        .collect();
    for &peer in stream_peers {
        let runs: Vec<_> = results.streams.iter().filter(|r| r.peer == peer).collect();
        if runs.is_empty() {
            out.push(format!("{peer}: no latency/fan-out run"));
        }
        for run in runs {
            for point in &run.latency {
                if point.delivered < 1.0 {
                    out.push(format!(
                        "{peer}: {:.1} % of events delivered at {} events/s",
                        point.delivered * 100.0,
                        point.rate
                    ));
                }
            }
            for point in &run.fanout {
                if point.completeness < 1.0 {
                    out.push(format!(
                        "{peer}: fan-out delivered {:.1} %",
                        point.completeness * 100.0
                    ));
                }
            }
        }
    }
    for &peer in idle_peers {
        if !results
            .idle
            .iter()
            .any(|r| r.peer == peer && !r.points.is_empty())
        {
            out.push(format!("{peer}: no idle-memory run"));
        }
    }
    for &peer in hub_peers {
        let runs: Vec<_> = results
            .reconnect
            .iter()
            .filter(|r| r.peer == peer)
            .collect();
        if runs.is_empty() {
            out.push(format!("{peer}: no reconnect run"));
        }
        for wave in runs.iter().flat_map(|r| r.waves.iter()) {
            if wave.caught_up_ms.is_none() || wave.failed > 0 {
                out.push(format!(
                    "{peer}: reconnect {} did not catch up ({} failed)",
                    wave.mode, wave.failed
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{ReconnectPoint, ReconnectRun};

    #[test]
    fn missing_runs_and_lost_events_fail() {
        let mut results = Results::default();
        let problems = failures(&results, &[Peer::Raw], &[Peer::Raw], &[Peer::OursAxumHub]);
        assert_eq!(problems.len(), 3, "{problems:?}");
        results.reconnect.push(ReconnectRun {
            peer: Peer::OursAxumHub,
            rep: 0,
            clients: 10,
            waves: vec![ReconnectPoint {
                mode: "K=10".into(),
                missed: 10,
                connected_ms: 1.0,
                caught_up_ms: None,
                failed: 0,
                listen_overflows: 0,
            }],
        });
        let problems = failures(&results, &[], &[], &[Peer::OursAxumHub]);
        assert_eq!(
            problems,
            ["ours-axum-hub: reconnect K=10 did not catch up (0 failed)"]
        );
    }
}
