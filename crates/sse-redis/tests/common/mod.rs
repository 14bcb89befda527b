//! A real `redis-server` for the tests: started on a free port, without persistence, so
//! that a test may pause (SIGSTOP), resume, kill and restart it.

#![allow(dead_code, unreachable_pub)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use sse_core::{Decoder, Encoded, Frame};
use sse_hub::{Hub, Subscription, Topic};
use sse_redis::{RedisBackplane, RedisConfig};

/// A `redis-server` process owned by the test (killed when dropped).
#[derive(Debug)]
pub struct RedisServer {
    pub port: u16,
    child: Option<Child>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl RedisServer {
    pub fn start() -> Self {
        let mut server = Self {
            port: free_port(),
            child: None,
        };
        server.spawn();
        server
    }

    fn spawn(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is installed (apt-get install redis-server)");
        self.child = Some(child);
        let until = Instant::now() + Duration::from_secs(10);
        while self.cli(&["PING"]).as_deref() != Some("PONG") {
            assert!(Instant::now() < until, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Runs `redis-cli` against this server; its output, trimmed.
    pub fn cli(&self, args: &[&str]) -> Option<String> {
        let out = Command::new("redis-cli")
            .args(["-p", &self.port.to_string()])
            .args(args)
            .stderr(Stdio::null())
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    fn signal(&self, signal: &str) {
        let pid = self.child.as_ref().expect("running").id().to_string();
        let status = Command::new("kill")
            .args([signal, &pid])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    pub fn pause(&self) {
        self.signal("-STOP");
    }

    pub fn resume(&self) {
        self.signal("-CONT");
    }

    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Kills the server and starts an empty one on the same port.
    pub fn restart_empty(&mut self) {
        self.kill();
        self.spawn();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if self.child.is_some() {
            let _ = self.child.as_ref().map(|c| {
                Command::new("kill")
                    .args(["-CONT", &c.id().to_string()])
                    .status()
            });
        }
        self.kill();
    }
}

/// Settings quick enough for tests.
pub fn config(server: &RedisServer, key: &str) -> RedisConfig {
    RedisConfig::new(server.url())
        .key(key)
        .publish_timeout(Duration::from_millis(1000))
        .block(Duration::from_millis(300))
        .connect_timeout(Duration::from_millis(300))
}

/// A hub on the stream `key`, loaded and ready.
pub async fn node(config: RedisConfig) -> (Hub, RedisBackplane) {
    node_with_history(config, 10_000).await
}

/// A hub on the stream `key` whose history keeps `history` events per topic, loaded and
/// ready.
pub async fn node_with_history(config: RedisConfig, history: usize) -> (Hub, RedisBackplane) {
    let backplane = RedisBackplane::new(config).expect("a valid URL");
    let hub = Hub::builder()
        .backplane(backplane.clone())
        .history(history)
        .max_lag_events(None)
        .max_lag_bytes(None)
        .build()
        .expect("built");
    tokio::time::timeout(Duration::from_secs(10), backplane.ready())
        .await
        .expect("the backplane became ready");
    (hub, backplane)
}

pub fn topic(name: &str) -> Topic {
    Topic::new(name).expect("a valid topic")
}

/// One frame, read back as a client does: (event, id, data); `None` data for frames
/// that dispatch nothing (the position frame).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub event: String,
    pub id: String,
    pub data: Option<String>,
}

pub fn seen(frame: &Encoded) -> Seen {
    let mut decoder = Decoder::new();
    decoder.push(frame.as_bytes());
    let mut out = Seen {
        event: String::new(),
        id: String::new(),
        data: None,
    };
    while let Some(next) = decoder.next_frame() {
        if let Frame::Message(message) = next {
            out.event = message.event;
            out.data = Some(message.data);
        }
    }
    out.id = decoder.last_event_id().to_owned();
    out
}

/// The next frame that dispatches an event, within a liveness bound.
pub async fn next_event(sub: &mut Subscription) -> Seen {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), sub.next())
            .await
            .expect("an event within 10 s")
            .expect("the stream goes on");
        let seen = seen(&frame);
        if seen.data.is_some() {
            return seen;
        }
    }
}

/// Waits until `check` holds, within a liveness bound; how long it took.
pub async fn eventually(what: &str, mut check: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !check() {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "not within 15 s: {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    start.elapsed()
}
