//! The raw baseline: plain tokio, no HTTP library. Each connection's request head is
//! read once, the response head written, and the socket joins a list. One writer task
//! frames each event as an HTTP chunk, once, and writes it to every socket itself
//! (`try_write`: one system call per socket and pass, no task and no wake-up per
//! subscriber); events published while a pass runs go out together in the next pass, as
//! one buffer (the batching every framework does when it falls behind). A socket that
//! cannot take a buffer gets a queue and a task that drains it when the socket is
//! writable; past [`MAX_QUEUE`] bytes the connection is dropped.

use std::collections::VecDeque;
use std::io::{self, ErrorKind};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::{BufMut, Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

use super::Source;

/// Bytes queued for one slow socket before it is dropped.
pub const MAX_QUEUE: usize = 1 << 20;

const RESPONSE_HEAD: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nx-accel-buffering: no\r\ntransfer-encoding: chunked\r\n\r\n";

/// The sockets of every open stream, and the events waiting for the writer.
#[derive(Debug, Default)]
pub struct Fanout {
    conns: Mutex<Vec<Arc<Conn>>>,
    pending: Mutex<Vec<Bytes>>,
    wake: Notify,
}

#[derive(Debug)]
struct Conn {
    stream: TcpStream,
    queue: Mutex<Queue>,
}

#[derive(Debug, Default)]
struct Queue {
    chunks: VecDeque<Bytes>,
    bytes: usize,
    /// A drain task runs: new chunks go behind the queued ones.
    draining: bool,
    dead: bool,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `event` as one HTTP/1.1 chunk.
fn chunk(event: &[u8]) -> Bytes {
    let size = format!("{:x}\r\n", event.len());
    let mut out = BytesMut::with_capacity(size.len() + event.len() + 2);
    out.put_slice(size.as_bytes());
    out.put_slice(event);
    out.put_slice(b"\r\n");
    out.freeze()
}

impl Fanout {
    /// No sockets yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Open streams.
    #[must_use]
    pub fn len(&self) -> usize {
        lock(&self.conns).len()
    }

    /// Whether no stream is open.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn add(&self, stream: TcpStream) {
        lock(&self.conns).push(Arc::new(Conn {
            stream,
            queue: Mutex::new(Queue::default()),
        }));
    }

    /// Queues `event`, framed as a chunk once, for the writer.
    pub fn publish(&self, event: &[u8]) {
        lock(&self.pending).push(chunk(event));
        self.wake.notify_one();
    }

    /// Writes what was published to every socket, pass after pass; drops dead sockets.
    pub async fn write_forever(&self) {
        loop {
            self.wake.notified().await;
            loop {
                let batch = std::mem::take(&mut *lock(&self.pending));
                let bytes = match batch.len() {
                    0 => break,
                    1 => batch.into_iter().next().unwrap_or_default(),
                    _ => {
                        let mut joined =
                            BytesMut::with_capacity(batch.iter().map(Bytes::len).sum());
                        for chunk in &batch {
                            joined.put_slice(chunk);
                        }
                        joined.freeze()
                    }
                };
                lock(&self.conns).retain(|conn| conn.offer(&bytes));
                // Let the publisher (and new connections) in between passes.
                tokio::task::yield_now().await;
            }
        }
    }
}

impl Conn {
    /// Writes or queues `chunk`; `false` when the connection is gone.
    fn offer(self: &Arc<Self>, chunk: &Bytes) -> bool {
        let mut queue = lock(&self.queue);
        if queue.dead {
            return false;
        }
        if queue.draining {
            if queue.bytes + chunk.len() > MAX_QUEUE {
                queue.dead = true;
                return false;
            }
            queue.bytes += chunk.len();
            queue.chunks.push_back(chunk.clone());
            return true;
        }
        let rest = match self.stream.try_write(chunk) {
            Ok(n) if n == chunk.len() => return true,
            Ok(n) => chunk.slice(n..),
            Err(e) if e.kind() == ErrorKind::WouldBlock => chunk.clone(),
            Err(_) => return false,
        };
        queue.bytes += rest.len();
        queue.chunks.push_back(rest);
        queue.draining = true;
        tokio::spawn(self.clone().drain());
        true
    }

    async fn drain(self: Arc<Self>) {
        loop {
            if self.stream.writable().await.is_err() {
                lock(&self.queue).dead = true;
                return;
            }
            let mut guard = lock(&self.queue);
            let queue = &mut *guard;
            while let Some(front) = queue.chunks.front_mut() {
                match self.stream.try_write(front) {
                    Ok(n) if n == front.len() => {
                        queue.bytes -= n;
                        queue.chunks.pop_front();
                    }
                    Ok(n) => {
                        let _sent = front.split_to(n);
                        queue.bytes -= n;
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(_) => {
                        queue.dead = true;
                        return;
                    }
                }
            }
            if queue.chunks.is_empty() {
                queue.draining = false;
                return;
            }
        }
    }
}

/// Reads the request head (up to 8 KiB), answers with the response head, hands the
/// socket to the fan-out.
async fn handshake(mut stream: TcpStream, source: Arc<Source>) -> io::Result<()> {
    let mut buf = vec![0u8; 8192];
    let mut len = 0;
    loop {
        let n = stream.read(&mut buf[len..]).await?;
        if n == 0 {
            return Ok(());
        }
        len += n;
        if memchr::memmem::find(&buf[..len], b"\r\n\r\n").is_some() {
            break;
        }
        if len == buf.len() {
            stream
                .write_all(
                    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n",
                )
                .await?;
            return Ok(());
        }
    }
    stream.write_all(RESPONSE_HEAD).await?;
    source.fanout().add(stream);
    Ok(())
}

/// Runs the raw baseline.
pub(super) fn serve(
    listener: std::net::TcpListener,
    source: Arc<Source>,
    workers: usize,
) -> io::Result<()> {
    super::tokio_runtime(workers)?.block_on(async move {
        let listener = TcpListener::from_std(listener)?;
        let addr = listener.local_addr()?;
        tokio::spawn(super::control::run(addr, source.clone()));
        let writer = source.clone();
        tokio::spawn(async move { writer.fanout().write_forever().await });
        loop {
            let (stream, _) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(e) if is_transient(&e) => continue,
                Err(e) => return Err(e),
            };
            tokio::spawn(handshake(stream, source.clone()));
        }
    })
}

/// Accept errors that concern one connection (or a momentary shortage), not the listener.
pub(super) fn is_transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::Interrupted
    ) || e
        .raw_os_error()
        .is_some_and(|code| code == 24 || code == 23)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_framed_in_hex() {
        let event = vec![b'a'; 26];
        let framed = chunk(&event);
        assert!(framed.starts_with(b"1a\r\naaaa"));
        assert!(framed.ends_with(b"a\r\n"));
        assert_eq!(framed.len(), 4 + 26 + 2);
    }
}
