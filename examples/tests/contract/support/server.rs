//! Running a demo binary as a child process on a free loopback port.

use std::io::Read;
use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use sse_conformance::client;

/// How long a demo may take to start answering `/healthz`.
const STARTUP: Duration = Duration::from_secs(20);

/// How many ports to try before giving up (another process may take the port between
/// our probe and the demo's bind).
const PORT_ATTEMPTS: usize = 8;

/// One of the three demo binaries.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bin {
    /// The binary's name, as in `Cargo.toml`.
    pub(crate) name: &'static str,
    /// Its path, from Cargo.
    pub(crate) path: &'static str,
}

impl Bin {
    pub(crate) const AXUM: Self = Self {
        name: "demo-axum",
        path: env!("CARGO_BIN_EXE_demo-axum"),
    };
    pub(crate) const ACTIX: Self = Self {
        name: "demo-actix",
        path: env!("CARGO_BIN_EXE_demo-actix"),
    };
    pub(crate) const WARP: Self = Self {
        name: "demo-warp",
        path: env!("CARGO_BIN_EXE_demo-warp"),
    };
}

/// Starts `bin` with `args` ([`Demo::start`]).
pub(crate) fn start(bin: &Bin, args: &[&str]) -> Demo {
    Demo::start(bin, args)
}

/// A port that was free a moment ago (bound on port 0, then released).
pub(crate) fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

/// What a child wrote to stderr, collected by a thread so the pipe never fills.
#[derive(Debug, Clone, Default)]
pub(crate) struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn collect(child: &mut Child) -> Self {
        let captured = Self::default();
        if let Some(mut stderr) = child.stderr.take() {
            let sink = Arc::clone(&captured.0);
            thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = stderr.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    sink.lock()
                        .expect("stderr lock")
                        .extend_from_slice(&buf[..n]);
                }
            });
        }
        captured
    }

    /// Everything written so far, as text.
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("stderr lock")).into_owned()
    }
}

/// A running demo server, killed when dropped.
#[derive(Debug)]
pub(crate) struct Demo {
    /// Where it listens.
    pub(crate) addr: SocketAddr,
    child: Option<Child>,
    stderr: Captured,
    bin: Bin,
}

impl Demo {
    /// Starts `bin` with `args` (plus `--addr 127.0.0.1:PORT` on a free port) and waits
    /// until `/healthz` answers from that very process.
    pub(crate) fn start(bin: &Bin, args: &[&str]) -> Self {
        let mut last_stderr = String::new();
        for _ in 0..PORT_ATTEMPTS {
            let port = free_port();
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            let addr_text = addr.to_string();
            let mut all = vec!["--addr", addr_text.as_str()];
            all.extend_from_slice(args);
            let (mut child, stderr) = spawn(bin, &all);
            let deadline = Instant::now() + STARTUP;
            loop {
                if let Ok(Some(_)) = child.try_wait() {
                    // Most likely the port was taken meanwhile: try another one.
                    thread::sleep(Duration::from_millis(50));
                    last_stderr = stderr.text();
                    break;
                }
                if healthy(addr) && listens(child.id(), port) {
                    return Self {
                        addr,
                        child: Some(child),
                        stderr,
                        bin: *bin,
                    };
                }
                if Instant::now() > deadline {
                    kill(&mut child);
                    panic!(
                        "{} did not answer /healthz on {addr} within {STARTUP:?}; stderr:\n{}",
                        bin.name,
                        stderr.text()
                    );
                }
                thread::sleep(Duration::from_millis(20));
            }
        }
        panic!(
            "{} could not start in {PORT_ATTEMPTS} attempts; last stderr:\n{last_stderr}",
            bin.name
        );
    }

    /// The process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// Sends `signal` (a name such as `TERM` or `INT`) to the process.
    pub(crate) fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal} failed");
    }

    /// Waits for the process to exit, up to `timeout`; `None` if it is still running.
    pub(crate) fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        wait_for(self.child.as_mut().expect("running"), timeout)
    }

    /// What the server wrote to stderr so far.
    pub(crate) fn stderr(&self) -> String {
        self.stderr.text()
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            kill(&mut child);
        }
        if thread::panicking() {
            eprintln!("--- {} stderr ---\n{}", self.bin.name, self.stderr());
        }
    }
}

/// Asserts `bin --help` documents `default` as the default of `flag` (clap prints the
/// very default the flag parses to).
pub(crate) fn assert_help_default(bin: &Bin, flag: &str, default: &str) {
    let text = help(bin);
    let wanted = format!("[default: {default}]");
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with(flag) && l.contains(&wanted)),
        "--help does not give {flag} the default {default}:\n{text}"
    );
}

/// What `bin --help` prints (it must exit 0).
fn help(bin: &Bin) -> String {
    let output = Command::new(bin.path)
        .arg("--help")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("run {} --help: {e}", bin.path));
    assert!(
        output.status.success(),
        "{} --help: {}",
        bin.name,
        output.status
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Runs `bin` with `args` to completion (it is expected to exit at once, as on a bad
/// flag); kills it and fails after `timeout`.
pub(crate) fn run_to_exit(bin: &Bin, args: &[&str], timeout: Duration) -> (ExitStatus, String) {
    let (mut child, stderr) = spawn(bin, args);
    let Some(status) = wait_for(&mut child, timeout) else {
        kill(&mut child);
        panic!(
            "{} {args:?} was still running after {timeout:?}; stderr:\n{}",
            bin.name,
            stderr.text()
        );
    };
    // Let the reader thread drain the pipe.
    thread::sleep(Duration::from_millis(50));
    (status, stderr.text())
}

/// Starts `bin` with `args`, stdin and stdout closed, stderr collected.
fn spawn(bin: &Bin, args: &[&str]) -> (Child, Captured) {
    let mut child = Command::new(bin.path)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {}: {e}", bin.path));
    let stderr = Captured::collect(&mut child);
    (child, stderr)
}

/// Waits for `child` to exit, up to `timeout`; `None` if it is still running.
fn wait_for(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return Some(status);
        }
        if Instant::now() > deadline {
            return None;
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// Kills `child` and reaps it.
fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

fn healthy(addr: SocketAddr) -> bool {
    client::try_request(addr, "GET", "/healthz", &[], None, Duration::from_secs(2))
        .is_ok_and(|r| r.status == 200)
}

/// Whether process `pid` holds the listening socket on 127.0.0.1:`port` (so that the
/// `/healthz` answer came from it, not from another process that took the port).
fn listens(pid: u32, port: u16) -> bool {
    let Ok(table) = std::fs::read_to_string("/proc/net/tcp") else {
        return true; // not Linux: trust the health check
    };
    let wanted = format!("0100007F:{port:04X}");
    let inodes: Vec<String> = table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            (cols.len() > 9 && cols[1] == wanted && cols[3] == "0A").then(|| cols[9].to_owned())
        })
        .collect();
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.filter_map(Result::ok).any(|fd| {
        std::fs::read_link(fd.path()).is_ok_and(|target| {
            let target = target.to_string_lossy();
            inodes
                .iter()
                .any(|inode| target == format!("socket:[{inode}]"))
        })
    })
}
