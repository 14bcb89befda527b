//! The table of `sse-bench instructions`: instructions per delivery per peer, with ratios
//! to `hyper` and to `ours-axum-hub`, and the line that says how it was measured.

use std::fmt::Write as _;

use super::format_number;
use super::table::{Format, Runs, Table};
use crate::peer::Peer;
use crate::results::{InstructionsResults, PeerInstructions};

/// The Markdown table, the command line under it, and the peers that failed.
#[must_use]
pub fn render_instructions(results: &InstructionsResults) -> String {
    let per_delivery = |p: &PeerInstructions| Some(p.per_delivery);
    let mut md = String::new();
    let mut targets = Vec::new();
    let runs = Runs::new(&results.peers, |p| p.peer);
    let mut table =
        Table::new(runs).value("instructions per delivery", Format::digits(0), per_delivery);
    for base in [Peer::Hyper, Peer::OursAxumHub] {
        table = table.ratio(format!("× `{base}`"), move |runs, peer| {
            runs.ratio(peer, base, per_delivery)
        });
    }
    table.render(&mut md, &mut targets);
    let [fewer, more] = results.events;
    let subscribers = format_number(results.subscribers as f64, 0);
    let _ = writeln!(
        md,
        "`{}` ({:.0} s): callgrind, server process, user-space instructions, {subscribers} \
         subscribers, {fewer} and {more} events of {} bytes published one at a time; per \
         delivery = (I({more}) − I({fewer})) / ({} × {subscribers}); median [min–max] of {} \
         repetitions.",
        results.run.command,
        results.run.seconds,
        results.size,
        more.saturating_sub(fewer),
        results.reps,
    );
    for note in &results.notes {
        let _ = writeln!(md, "\nFailed: {note}");
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::Run;

    fn peer(peer: Peer, per_delivery: f64) -> PeerInstructions {
        PeerInstructions {
            peer,
            rep: 0,
            totals: [1, 2],
            per_delivery,
        }
    }

    #[test]
    fn ratios_to_hyper_and_to_ours_axum_hub() {
        let results = InstructionsResults {
            run: Run {
                command: "sse-bench instructions".into(),
                seconds: 412.4,
                ..Run::default()
            },
            subscribers: 1000,
            events: [10, 30],
            size: 64,
            reps: 2,
            peers: vec![
                peer(Peer::Hyper, 3630.0),
                peer(Peer::OursAxumHub, 4066.0),
                peer(Peer::Raw, 228.0),
                peer(Peer::Hyper, 3640.0),
                peer(Peer::OursAxumHub, 4066.0),
                peer(Peer::Raw, 230.0),
            ],
            notes: vec!["warp-sse: server exited".into()],
        };
        assert_eq!(
            render_instructions(&results),
            "| peer | instructions per delivery | × `hyper` | × `ours-axum-hub` |\n\
             |---|---|---|---|\n\
             | `ours-axum-hub` | 4,066 [4,066–4,066] | 1.12× | 1.00× |\n\
             | `hyper` | 3,635 [3,630–3,640] | 1.00× | 0.89× |\n\
             | `raw` | 229 [228–230] | 0.06× | 0.06× |\n\n\
             `sse-bench instructions` (412 s): callgrind, server process, user-space \
             instructions, 1,000 subscribers, 10 and 30 events of 64 bytes published one at a \
             time; per delivery = (I(30) − I(10)) / (20 × 1,000); median [min–max] of 2 \
             repetitions.\n\
             \nFailed: warp-sse: server exited\n"
        );
    }

    #[test]
    fn without_a_base_peer_its_ratios_are_dashes() {
        let results = InstructionsResults {
            events: [10, 30],
            peers: vec![peer(Peer::OursWarpHub, 5000.0)],
            ..InstructionsResults::default()
        };
        let md = render_instructions(&results);
        assert!(md.contains("| `ours-warp-hub` | 5,000 | – | – |\n"), "{md}");
    }
}
