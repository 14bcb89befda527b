//! Write system calls per delivery, counted by `strace -c` attached to every thread of
//! the server during a short publish.

use std::io;
use std::process::{Command, Stdio};
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use super::Session;
use super::stream::publish_and_wait;

/// The system calls that put bytes on a socket.
pub(crate) const WRITE_CALLS: &str = "write,writev,sendto,sendmsg";

/// Whether `strace` can be run here.
pub(crate) fn available() -> bool {
    Command::new("strace")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Publishes `events` at `rate` with strace attached; returns write calls per delivery.
pub(crate) fn writes_per_delivery(
    session: &mut Session,
    rate: f64,
    events: u64,
    size: usize,
) -> io::Result<f64> {
    let pid = session.server_pid();
    let out = std::env::temp_dir().join(format!("sse-bench-strace-{pid}.txt"));
    let mut command = Command::new("strace");
    command
        .args(["-c", "-f", "-e", &format!("trace={WRITE_CALLS}"), "-o"])
        .arg(&out);
    for tid in crate::sys::threads(pid)? {
        command.args(["-p", &tid.to_string()]);
    }
    let mut tracer = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    std::thread::sleep(Duration::from_millis(500));
    let report = publish_and_wait(session, rate, events, size);
    let tracer_pid = i32::try_from(tracer.id()).map_err(io::Error::other)?;
    kill(Pid::from_raw(tracer_pid), Signal::SIGINT).map_err(io::Error::from)?;
    tracer.wait()?;
    let report = report?;
    let summary = std::fs::read_to_string(&out)?;
    let _ = std::fs::remove_file(&out);
    let calls = total_calls(&summary)
        .ok_or_else(|| io::Error::other(format!("no total in strace summary: {summary:?}")))?;
    Ok(calls as f64 / report.events.max(1) as f64)
}

/// The `calls` column of the `total` line of an `strace -c` summary.
fn total_calls(summary: &str) -> Option<u64> {
    let line = summary.lines().find(|l| l.trim_end().ends_with("total"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_total_line() {
        let summary = "% time     seconds  usecs/call     calls    errors syscall\n\
------ ----------- ----------- --------- --------- ----------------\n\
 99.10    0.500000          50     10000        12 sendto\n\
  0.90    0.004500          45       100           writev\n\
------ ----------- ----------- --------- --------- ----------------\n\
100.00    0.504500          50     10100        12 total\n";
        assert_eq!(total_calls(summary), Some(10_100));
        assert_eq!(total_calls("nothing"), None);
    }
}
