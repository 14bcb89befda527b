//! `--log-format`: structured logs on stderr.

use serde_json::Value;

use crate::support::LIVE;
use crate::support::server::{Bin, run_to_exit, start};

/// `--log-format json`: every line on stderr is a JSON object; the shutdown is logged
/// (INFO, the default filter) with its fields. A format that is not `pretty` or `json`
/// is a bad flag: exit status 2, the flag named.
pub(crate) fn log_format_json_lines(bin: &Bin) {
    let mut demo = start(bin, &["--log-format", "json", "--clock-ms", "0"]);
    demo.signal("TERM");
    let status = demo.wait_exit(LIVE).expect("exits after SIGTERM");
    assert!(status.success(), "{status}");
    let stderr = demo.stderr();
    let lines: Vec<Value> = stderr
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    assert!(
        lines.iter().any(|l| l["level"] == "INFO"
            && l["fields"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("shutting down"))),
        "no INFO shutdown line in:\n{stderr}"
    );
    let (status, stderr) = run_to_exit(bin, &["--log-format", "xml"], LIVE);
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--log-format"), "{stderr}");
}
