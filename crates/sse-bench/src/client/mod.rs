//! The load client: thousands of event streams from several loopback source addresses
//! on one thread, driven by the driver's commands (JSON lines on stdin and stdout).

mod conn;
mod record;

use std::cell::{Cell, RefCell};
use std::io::{self, Write as _};
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

use sse_conformance::http1::{Part, ResponseReader};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

pub use record::Record;

use self::conn::Conn;
use crate::net::source_for;
use crate::proto::{ClientCommand, ClientReply, LoadReport};

/// How the load client runs.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// The server.
    pub addr: SocketAddr,
    /// Loopback source addresses to spread the connections over.
    pub sources: usize,
    /// Connections in their handshake at once at most.
    pub concurrency: usize,
    /// The CPU to pin the process to, if any.
    pub cpu: Option<usize>,
}

/// What the connection tasks share.
#[derive(Debug)]
pub(crate) struct Shared {
    record: RefCell<Record>,
    gate: Semaphore,
    stop_reading: Cell<bool>,
    /// The sequence number every stream must reach, while a reconnect waits for it.
    target_seq: Cell<Option<u64>>,
    caught_up: Cell<usize>,
}

impl Shared {
    fn check_caught_up(&self, conn: &Conn) {
        if conn.caught_up.get() || !conn.open.get() {
            return;
        }
        if let Some(target) = self.target_seq.get()
            && conn.last_seq.get().is_some_and(|seq| seq >= target)
        {
            conn.caught_up.set(true);
            self.caught_up.set(self.caught_up.get() + 1);
        }
    }

    /// Bytes `conn` received, read by its `reader`: `Err` when the response is not a
    /// 200, breaks HTTP/1.1, or its body ended.
    fn received(&self, conn: &Conn, reader: &mut ResponseReader, bytes: &[u8]) -> Result<(), ()> {
        let now = crate::payload::now_ns();
        let mut scanner = conn.scanner.borrow_mut();
        let mut record = self.record.borrow_mut();
        let healthy = !conn.slow;
        let mut on_event = |data: &[u8]| {
            if let Some((seq, due)) = crate::payload::parse(data) {
                record.event(seq, due, now, conn.last_seq.get(), healthy);
                conn.events.set(conn.events.get() + 1);
                conn.last_seq
                    .set(Some(conn.last_seq.get().map_or(seq, |s| s.max(seq))));
            }
        };
        let mut ok = true;
        reader
            .feed(bytes, &mut |part| match part {
                Part::Head(head) if head.status == 200 => conn.open.set(true),
                Part::Head(_) | Part::End => ok = false,
                Part::Body(body) => scanner.feed(body, &mut on_event),
            })
            .map_err(|_| ())?;
        drop(record);
        drop(scanner);
        self.check_caught_up(conn);
        if ok { Ok(()) } else { Err(()) }
    }
}

/// The client's connections and what it remembers of closed ones.
struct Client {
    options: LoadOptions,
    shared: Rc<Shared>,
    conns: Vec<(Rc<Conn>, JoinHandle<()>)>,
    /// Last id, last sequence number and slowness of each closed connection.
    closed: Vec<(String, Option<u64>, bool)>,
    opened_total: usize,
}

/// Writes one answer line.
fn answer(reply: &ClientReply) {
    let line = serde_json::to_string(reply).unwrap_or_default();
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Runs the load client until `quit` or the end of stdin.
///
/// # Errors
///
/// When the runtime cannot start or pinning fails.
pub fn run(options: LoadOptions) -> io::Result<()> {
    let _ = crate::sys::raise_nofile_limit();
    if let Some(cpu) = options.cpu {
        crate::sys::pin_to_cpu(cpu)?;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async move {
        let shared = Rc::new(Shared {
            record: RefCell::new(Record::default()),
            gate: Semaphore::new(options.concurrency.max(1)),
            stop_reading: Cell::new(false),
            target_seq: Cell::new(None),
            caught_up: Cell::new(0),
        });
        let mut client = Client {
            options,
            shared,
            conns: Vec::new(),
            closed: Vec::new(),
            opened_total: 0,
        };
        answer(&ClientReply::Ready {
            pid: std::process::id(),
        });
        let mut lines = BufReader::new(tokio::io::stdin()).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            let reply = match serde_json::from_str::<ClientCommand>(&line) {
                Ok(ClientCommand::Quit) => break,
                Ok(command) => client.handle(command).await,
                Err(e) => ClientReply::Error {
                    message: format!("bad command {line:?}: {e}"),
                },
            };
            answer(&reply);
        }
    });
    // Exit without closing thousands of sockets one by one.
    std::process::exit(0);
}

impl Client {
    async fn handle(&mut self, command: ClientCommand) -> ClientReply {
        match command {
            ClientCommand::Connect { n, slow_every } => {
                let start = Instant::now();
                let first = self.conns.len();
                for i in 0..n {
                    let slow = slow_every.is_some_and(|k| k > 0 && i % k == 0);
                    self.spawn(Conn::new(slow, "", None), false);
                }
                let new = &self.conns[first..];
                wait_until(Duration::from_secs(120), || {
                    new.iter().all(|(c, _)| c.open.get() || c.done.get())
                })
                .await;
                let failed = new.iter().filter(|(c, _)| !c.open.get()).count();
                ClientReply::Connected {
                    total: self.open(),
                    failed,
                    ms: ms(start.elapsed()),
                }
            }
            ClientCommand::Reset => {
                self.shared.record.borrow_mut().reset();
                for (conn, _) in &self.conns {
                    conn.events.set(0);
                }
                ClientReply::Report(self.report())
            }
            ClientCommand::Wait {
                per_conn,
                timeout_ms,
            } => {
                let conns = &self.conns;
                wait_until(Duration::from_millis(timeout_ms), || {
                    conns
                        .iter()
                        .all(|(c, _)| !c.is_healthy() || c.events.get() >= per_conn)
                })
                .await;
                ClientReply::Report(self.report())
            }
            ClientCommand::Report => ClientReply::Report(self.report()),
            ClientCommand::StopReading => {
                self.shared.stop_reading.set(true);
                ClientReply::Report(self.report())
            }
            ClientCommand::Close => {
                let n = self.conns.len();
                for (conn, task) in self.conns.drain(..) {
                    task.abort();
                    let _ = task.await;
                    let scanner = conn.scanner.borrow();
                    self.closed.push((
                        scanner.last_id().to_owned(),
                        conn.last_seq.get(),
                        conn.slow,
                    ));
                }
                ClientReply::Closed { n }
            }
            ClientCommand::Reconnect {
                resume,
                caught_up_seq,
                timeout_ms,
            } => self.reconnect(resume, caught_up_seq, timeout_ms).await,
            ClientCommand::Quit => unreachable!("handled by the caller"),
        }
    }

    fn spawn(&mut self, conn: Conn, send_last_id: bool) {
        let conn = Rc::new(conn);
        let source = source_for(self.opened_total, self.options.sources, self.options.addr);
        self.opened_total += 1;
        let task = tokio::task::spawn_local(conn::run(
            self.shared.clone(),
            conn.clone(),
            self.options.addr,
            source,
            send_last_id,
        ));
        self.conns.push((conn, task));
    }

    async fn reconnect(
        &mut self,
        resume: bool,
        caught_up_seq: Option<u64>,
        timeout_ms: u64,
    ) -> ClientReply {
        self.shared.target_seq.set(caught_up_seq);
        self.shared.caught_up.set(0);
        let start = Instant::now();
        let closed = std::mem::take(&mut self.closed);
        let n = closed.len();
        for (last_id, last_seq, slow) in closed {
            self.spawn(Conn::new(slow, &last_id, last_seq), resume);
        }
        let deadline = Duration::from_millis(timeout_ms);
        let conns = &self.conns;
        wait_until(deadline, || {
            conns.iter().all(|(c, _)| c.open.get() || c.done.get())
        })
        .await;
        let connected_ms = ms(start.elapsed());
        let failed = conns.iter().filter(|(c, _)| !c.open.get()).count();
        let shared = &self.shared;
        let caught_up_ms = if caught_up_seq.is_some() {
            let reached = wait_until(deadline.saturating_sub(start.elapsed()), || {
                shared.caught_up.get() + failed >= n
            })
            .await;
            reached.then(|| ms(start.elapsed()))
        } else {
            None
        };
        let caught_up = self.shared.caught_up.get();
        self.shared.target_seq.set(None);
        ClientReply::Reconnected {
            n,
            failed,
            connected_ms,
            caught_up_ms,
            caught_up,
        }
    }

    fn open(&self) -> usize {
        self.conns
            .iter()
            .filter(|(c, _)| c.open.get() && !c.done.get())
            .count()
    }

    fn report(&self) -> LoadReport {
        let record = self.shared.record.borrow();
        let healthy: Vec<u64> = self
            .conns
            .iter()
            .filter(|(c, _)| c.is_healthy())
            .map(|(c, _)| c.events.get())
            .collect();
        LoadReport {
            conns: self.open(),
            healthy: healthy.len(),
            events: record.events,
            min_events: healthy.iter().copied().min().unwrap_or(0),
            max_events: healthy.iter().copied().max().unwrap_or(0),
            first_ns: record.first_ns,
            last_ns: record.last_ns,
            latency: record.latency(),
            last_subscriber: record.last_subscriber(healthy.len()),
            gaps: record.gaps,
            repeats: record.repeats,
            ended: record.ended,
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Polls `done` every millisecond until it holds (`true`) or `limit` passes (`false`).
async fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}
