//! One event-stream connection of the load client.

use std::cell::{Cell, RefCell};
use std::io::ErrorKind;
use std::net::{Ipv4Addr, SocketAddr};
use std::rc::Rc;

use sse_conformance::http1::ResponseReader;
use tokio::io::AsyncWriteExt;

use super::Shared;
use crate::net::connect;
use crate::scan::Scanner;

/// The receive buffer of a connection that will stop reading: small, so that the
/// server meets a full socket quickly.
const SLOW_RECV_BUFFER: u32 = 4096;

thread_local! {
    /// One read buffer for every connection (they run on one thread, one at a time).
    static READ_BUF: RefCell<Vec<u8>> = RefCell::new(vec![0; 64 * 1024]);
}

/// What the client knows of one connection.
#[derive(Debug, Default)]
pub(super) struct Conn {
    /// Will stop reading on command; its latencies are not recorded.
    pub(super) slow: bool,
    /// The response head was 200.
    pub(super) open: Cell<bool>,
    /// Connecting failed or the stream ended.
    pub(super) done: Cell<bool>,
    /// Events received since the last reset.
    pub(super) events: Cell<u64>,
    /// The newest sequence number received (carried over from the connection this one
    /// replaces).
    pub(super) last_seq: Cell<Option<u64>>,
    /// This connection has the event the client waits for.
    pub(super) caught_up: Cell<bool>,
    /// The stream reader (and its last event id).
    pub(super) scanner: RefCell<Scanner>,
}

impl Conn {
    /// A connection to be opened; `last_id` and `last_seq` come from its predecessor.
    pub(super) fn new(slow: bool, last_id: &str, last_seq: Option<u64>) -> Self {
        let conn = Self {
            slow,
            ..Self::default()
        };
        conn.scanner.borrow_mut().set_last_id(last_id);
        conn.last_seq.set(last_seq);
        conn
    }

    /// Healthy: open, not ended, not slow.
    pub(super) fn is_healthy(&self) -> bool {
        self.open.get() && !self.done.get() && !self.slow
    }
}

/// Opens the connection and reads it until it ends (or the task is aborted).
pub(super) async fn run(
    shared: Rc<Shared>,
    conn: Rc<Conn>,
    target: SocketAddr,
    source: Option<Ipv4Addr>,
    send_last_id: bool,
) {
    let failed = |shared: &Shared, conn: &Conn| {
        conn.done.set(true);
        shared.record.borrow_mut().ended += 1;
    };
    let Ok(permit) = shared.gate.acquire().await else {
        return failed(&shared, &conn);
    };
    let recv_buffer = conn.slow.then_some(SLOW_RECV_BUFFER);
    let Ok(mut stream) = connect(target, source, recv_buffer).await else {
        return failed(&shared, &conn);
    };
    let mut request =
        format!("GET /events HTTP/1.1\r\nHost: {target}\r\nAccept: text/event-stream\r\n");
    {
        let scanner = conn.scanner.borrow();
        if send_last_id && !scanner.last_id().is_empty() {
            request.push_str(&format!("Last-Event-ID: {}\r\n", scanner.last_id()));
        }
    }
    request.push_str("\r\n");
    if stream.write_all(request.as_bytes()).await.is_err() {
        return failed(&shared, &conn);
    }

    let mut reader = ResponseReader::new();
    let mut permit = Some(permit);
    loop {
        if conn.slow && shared.stop_reading.get() {
            // Keep the socket open, never read again.
            std::future::pending::<()>().await;
        }
        if stream.readable().await.is_err() {
            return failed(&shared, &conn);
        }
        loop {
            let outcome = READ_BUF.with(|buf| {
                let mut buf = buf.borrow_mut();
                match stream.try_read(&mut buf) {
                    Ok(0) => Err(()),
                    Ok(n) => shared
                        .received(&conn, &mut reader, &buf[..n])
                        .map(|()| true),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => Ok(false),
                    Err(_) => Err(()),
                }
            });
            match outcome {
                Ok(true) => {
                    if conn.open.get() {
                        permit = None;
                    }
                    if conn.slow && shared.stop_reading.get() {
                        break;
                    }
                }
                Ok(false) => break,
                Err(()) => {
                    drop(permit);
                    return failed(&shared, &conn);
                }
            }
        }
    }
}
