//! Callgrind: the [`Wrapper`] that runs a server under it, and the total instruction
//! count its output file ends with.

use std::path::Path;
use std::process::{Command, Stdio};

use super::Wrapper;

/// How many times slower a server runs under callgrind, about (the driver's waits are
/// stretched by this much).
const SLOWDOWN: u32 = 50;

/// Whether `valgrind` can be run here.
#[must_use]
pub fn available() -> bool {
    Command::new("valgrind")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs a server under callgrind, counting from its first instruction, and has callgrind
/// write its counts to `out` when the server exits.
pub(crate) fn wrapper(out: &Path) -> Wrapper {
    Wrapper {
        command: vec![
            "valgrind".to_owned(),
            "--tool=callgrind".to_owned(),
            "--quiet".to_owned(),
            format!("--callgrind-out-file={}", out.display()),
            "--collect-atstart=yes".to_owned(),
        ],
        slowdown: SLOWDOWN,
    }
}

/// The instructions executed (`Ir`) over the whole run: the `totals:` line of a
/// callgrind output file (or, when there is none, the `summary:` line), in the column
/// of `Ir` among the `events:` the file counts.
pub(crate) fn total_instructions(output: &str) -> Option<u64> {
    let column = |prefix: &str| {
        output
            .lines()
            .find_map(|line| line.strip_prefix(prefix))
            .map(str::split_whitespace)
    };
    let ir = column("events:").map_or(Some(0), |mut events| events.position(|e| e == "Ir"))?;
    column("totals:")
        .or_else(|| column("summary:"))?
        .nth(ir)?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_totals_line_in_the_column_of_ir() {
        let output = "# callgrind format\nversion: 1\ncreator: callgrind-3.22.0\n\
pid: 4242\ncmd:  sse-bench serve --peer hyper\npart: 1\n\n\
positions: line\nevents: Ir\nsummary: 123456789\n\nob=(1) /x\nfl=(1) ???\nfn=(1) main\n0 5\n\n\
totals: 123456790\n";
        assert_eq!(total_instructions(output), Some(123_456_790));
        let summary_only = "events: Ir\nsummary: 77\n";
        assert_eq!(total_instructions(summary_only), Some(77));
        let two_events = "events: Dr Ir\nsummary: 5 9\ntotals: 6 10\n";
        assert_eq!(total_instructions(two_events), Some(10));
    }

    #[test]
    fn no_total_no_count() {
        assert_eq!(total_instructions(""), None);
        assert_eq!(total_instructions("events: Ir\n"), None);
        assert_eq!(total_instructions("events: Dr\ntotals: 5\n"), None);
        assert_eq!(total_instructions("events: Ir\ntotals: many\n"), None);
    }

    #[test]
    fn the_wrapper_names_the_output_file() {
        let wrapper = wrapper(Path::new("/tmp/x/hyper-10.out"));
        assert_eq!(wrapper.command[0], "valgrind");
        assert!(
            wrapper
                .command
                .contains(&"--callgrind-out-file=/tmp/x/hyper-10.out".to_owned())
        );
        assert!(wrapper.slowdown > 1);
    }
}
