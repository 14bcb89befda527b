//! The driver: starts a server and a load client per run (separate processes pinned to
//! different CPUs), speaks the line protocol to both, and runs the benchmarks.

mod callgrind;
mod idle;
mod instructions;
mod reconnect;
mod slow;
mod strace;
mod stream;
mod suite;

use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde::de::DeserializeOwned;

pub use callgrind::available as valgrind_available;
pub use instructions::{InstructionsPlan, run_instructions};
pub use suite::{IdlePlan, Part, Plan, ReconnectPlan, SlowPlan, StreamPlan, run_plan};

use crate::peer::Peer;
use crate::proto::{ClientCommand, ClientReply, LoadReport, ServerCommand, ServerReply};
use crate::results::Run;
use crate::sys::{ProcUsage, proc_usage};

/// Settings shared by every run.
#[derive(Debug, Clone)]
pub struct DriverOptions {
    /// This binary (the server and the client are its `serve` and `load` commands).
    pub exe: PathBuf,
    /// Server worker threads.
    pub workers: usize,
    /// CPUs for the server and the client (`None`: not pinned).
    pub cpus: Option<(usize, usize)>,
    /// Loopback source addresses for the client.
    pub sources: usize,
    /// Print progress to stderr.
    pub verbose: bool,
    /// A program to run the server under (`None`: the server runs as it is).
    pub wrapper: Option<Wrapper>,
}

/// A program the server runs under, such as `valgrind --tool=callgrind`: the server's
/// command line follows `command`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wrapper {
    /// The program and its arguments.
    pub command: Vec<String>,
    /// How many times slower the server runs under it: the driver waits this many times
    /// longer for the server's streams and deliveries.
    pub slowdown: u32,
}

impl DriverOptions {
    /// The defaults for this machine: one server worker, the server on CPU 0 and the
    /// client on CPU 1 when there are two CPUs, 8 source addresses.
    ///
    /// # Errors
    ///
    /// When the path of this binary is unknown.
    pub fn for_this_machine() -> io::Result<Self> {
        Ok(Self {
            exe: std::env::current_exe()?,
            workers: 1,
            cpus: (crate::sys::cpus() >= 2).then_some((0, 1)),
            sources: 8,
            verbose: true,
            wrapper: None,
        })
    }

    fn note(&self, message: &str) {
        if self.verbose {
            eprintln!("[sse-bench] {message}");
        }
    }
}

/// The record of an invocation of `command` starting now: date, commit, machine, load.
fn begin(command: &str) -> Run {
    Run {
        date: crate::report::utc_now(),
        commit: crate::report::git_commit(),
        machine: crate::sys::machine_description(),
        load: crate::sys::load_average().into_iter().collect(),
        command: command.to_owned(),
        seconds: 0.0,
    }
}

/// Ends the record: the load now, and the wall time since `started`.
fn end(run: &mut Run, started: Instant) {
    run.load.extend(crate::sys::load_average());
    run.seconds = started.elapsed().as_secs_f64();
}

/// A child process spoken to in JSON lines.
struct Proc {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    what: String,
}

impl Proc {
    fn spawn(exe: &Path, args: &[String], what: &str) -> io::Result<Self> {
        let mut child = Command::new(exe)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| io::Error::other("no stdin"))?;
        let stdout = BufReader::new(
            child
                .stdout
                .take()
                .ok_or_else(|| io::Error::other("no stdout"))?,
        );
        Ok(Self {
            child,
            stdin,
            stdout,
            what: what.to_owned(),
        })
    }

    fn read<R: DeserializeOwned>(&mut self) -> io::Result<R> {
        let mut line = String::new();
        if self.stdout.read_line(&mut line)? == 0 {
            return Err(io::Error::other(format!("{} exited", self.what)));
        }
        serde_json::from_str(&line).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} said {line:?}: {e}", self.what),
            )
        })
    }

    fn send<C: Serialize>(&mut self, command: &C) -> io::Result<()> {
        let line = serde_json::to_string(command).map_err(io::Error::other)?;
        writeln!(self.stdin, "{line}")?;
        self.stdin.flush()
    }

    fn ask<C: Serialize, R: DeserializeOwned>(&mut self, command: &C) -> io::Result<R> {
        self.send(command)?;
        self.read()
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One server and one load client, for one peer.
pub(crate) struct Session {
    peer: Peer,
    server: Proc,
    client: Proc,
    /// The server's [`Wrapper::slowdown`] (1 without a wrapper).
    slowdown: u32,
}

/// What the server reported for a publish.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Published {
    first_seq: u64,
    count: u64,
    start_ns: u64,
}

impl Session {
    /// Starts `peer`'s server (with streams sending a keep-alive after `keep_alive` of
    /// silence) and a load client aimed at it.
    pub(crate) fn start(
        peer: Peer,
        options: &DriverOptions,
        keep_alive: Duration,
    ) -> io::Result<Self> {
        let mut args = vec![
            "serve".to_owned(),
            "--peer".to_owned(),
            peer.name().to_owned(),
            "--workers".to_owned(),
            options.workers.to_string(),
            "--keep-alive-ms".to_owned(),
            keep_alive.as_millis().to_string(),
        ];
        if let Some((cpu, _)) = options.cpus {
            args.extend(["--cpu".to_owned(), cpu.to_string()]);
        }
        let what = format!("server {peer}");
        let mut server = match &options.wrapper {
            None => Proc::spawn(&options.exe, &args, &what)?,
            Some(wrapper) => {
                let (program, wrapper_args) = wrapper
                    .command
                    .split_first()
                    .ok_or_else(|| io::Error::other("empty wrapper command"))?;
                let mut all = wrapper_args.to_vec();
                all.push(options.exe.to_string_lossy().into_owned());
                all.extend(args);
                Proc::spawn(Path::new(program), &all, &what)?
            }
        };
        let addr = match server.read()? {
            ServerReply::Ready { addr, .. } => addr,
            other => return Err(io::Error::other(format!("server {peer} said {other:?}"))),
        };
        let mut args = vec![
            "load".to_owned(),
            "--addr".to_owned(),
            addr,
            "--sources".to_owned(),
            options.sources.to_string(),
        ];
        if let Some((_, cpu)) = options.cpus {
            args.extend(["--cpu".to_owned(), cpu.to_string()]);
        }
        let mut client = Proc::spawn(&options.exe, &args, "load client")?;
        match client.read()? {
            ClientReply::Ready { .. } => {}
            other => return Err(io::Error::other(format!("load client said {other:?}"))),
        }
        Ok(Self {
            peer,
            server,
            client,
            slowdown: options.wrapper.as_ref().map_or(1, |w| w.slowdown.max(1)),
        })
    }

    /// `limit` stretched by the server's wrapper's slowdown: how long to wait for
    /// something that takes the server at most `limit` when it runs as it is.
    pub(crate) fn patience(&self, limit: Duration) -> Duration {
        limit * self.slowdown
    }

    pub(crate) const fn peer(&self) -> Peer {
        self.peer
    }

    pub(crate) fn server_pid(&self) -> u32 {
        self.server.pid()
    }

    pub(crate) fn server_usage(&self) -> io::Result<ProcUsage> {
        proc_usage(self.server.pid())
    }

    pub(crate) fn client_usage(&self) -> io::Result<ProcUsage> {
        proc_usage(self.client.pid())
    }

    /// Opens `n` more streams; returns how many are open.
    pub(crate) fn connect(&mut self, n: usize, slow_every: Option<usize>) -> io::Result<usize> {
        match self.client.ask(&ClientCommand::Connect { n, slow_every })? {
            ClientReply::Connected { total, failed, .. } => {
                if failed > 0 {
                    eprintln!(
                        "[sse-bench] {}: {failed} of {n} connections failed",
                        self.peer
                    );
                }
                Ok(total)
            }
            other => Err(unexpected(&other)),
        }
    }

    pub(crate) fn client(&mut self, command: &ClientCommand) -> io::Result<ClientReply> {
        self.client.ask(command)
    }

    pub(crate) fn report(&mut self, command: &ClientCommand) -> io::Result<LoadReport> {
        match self.client.ask(command)? {
            ClientReply::Report(report) => Ok(report),
            other => Err(unexpected(&other)),
        }
    }

    pub(crate) fn publish(&mut self, rate: f64, count: u64, size: usize) -> io::Result<Published> {
        match self
            .server
            .ask(&ServerCommand::Publish { rate, count, size })?
        {
            ServerReply::Published {
                first_seq,
                count,
                start_ns,
                ..
            } => Ok(Published {
                first_seq,
                count,
                start_ns,
            }),
            other => Err(io::Error::other(format!("server said {other:?}"))),
        }
    }

    /// Live heap bytes and open streams of the server.
    pub(crate) fn server_stats(&mut self) -> io::Result<(i64, u64)> {
        match self.server.ask(&ServerCommand::Stats)? {
            ServerReply::Stats { heap, conns, .. } => Ok((heap, conns)),
            other => Err(io::Error::other(format!("server said {other:?}"))),
        }
    }

    /// What the hub says one subscription takes (hub peers with a stream opened).
    pub(crate) fn hub_bytes(&mut self) -> io::Result<Option<u64>> {
        match self.server.ask(&ServerCommand::Stats)? {
            ServerReply::Stats { hub_bytes, .. } => Ok(hub_bytes),
            other => Err(io::Error::other(format!("server said {other:?}"))),
        }
    }

    /// Waits (up to `limit`) until the server counts `open` streams or fewer.
    pub(crate) fn wait_server_streams_at_most(
        &mut self,
        open: u64,
        limit: Duration,
    ) -> io::Result<bool> {
        self.wait_server_streams(limit, |n| n <= open)
    }

    /// Waits (up to `limit`) until the server counts at least `open` streams.
    pub(crate) fn wait_server_streams_at_least(
        &mut self,
        open: u64,
        limit: Duration,
    ) -> io::Result<bool> {
        self.wait_server_streams(limit, |n| n >= open)
    }

    /// Polls the server's open-stream count every 10 ms until `done` says yes (true) or
    /// `limit`, stretched by [`patience`](Self::patience), passes (false).
    fn wait_server_streams(
        &mut self,
        limit: Duration,
        done: impl Fn(u64) -> bool,
    ) -> io::Result<bool> {
        let deadline = Instant::now() + self.patience(limit);
        loop {
            if done(self.server_stats()?.1) {
                return Ok(true);
            }
            if Instant::now() >= deadline {
                return Ok(false);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Ends both processes, the server first: it exits with its streams still open, so
    /// that a wrapper's count (callgrind's) holds no closing of streams.
    pub(crate) fn quit(mut self) {
        let _ = self.server.send(&ServerCommand::Quit);
        let _ = self.server.child.wait();
        let _ = self.client.send(&ClientCommand::Quit);
        let _ = self.client.child.wait();
    }
}

fn unexpected(reply: &ClientReply) -> io::Error {
    io::Error::other(format!("load client said {reply:?}"))
}

/// The order of peers in repetition `rep`: rotated, so that no peer always runs first
/// or right after the same neighbour.
#[must_use]
pub fn interleave(peers: &[Peer], rep: usize) -> Vec<Peer> {
    let mut order = peers.to_vec();
    if !order.is_empty() {
        let shift = (rep * (order.len() / 2 + 1)) % order.len();
        order.rotate_left(shift);
        if rep % 2 == 1 {
            order.reverse();
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_repetition_runs_every_peer_once_in_a_new_order() {
        let peers = Peer::ALL;
        let orders: Vec<_> = (0..3).map(|rep| interleave(&peers, rep)).collect();
        for order in &orders {
            let mut sorted = order.clone();
            sorted.sort();
            let mut all = peers.to_vec();
            all.sort();
            assert_eq!(sorted, all);
        }
        assert_ne!(orders[0][0], orders[1][0]);
        assert_ne!(orders[0][0], orders[2][0]);
    }
}
