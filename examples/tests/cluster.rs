//! The demo as a cluster (`--redis`): `demo-axum`, `demo-actix` and `demo-warp` on one
//! `redis-server` that the test starts on a free port (Debian: `apt-get install -y
//! redis-server`), checked end to end over real sockets:
//!
//! * one publisher per node, 3,000 events each over 3 topics, 30 subscribers spread over
//!   the nodes (some on several topics): every subscriber receives every event of its
//!   topics exactly once, in publish order per topic and in id order across topics;
//! * a node killed with SIGKILL while another publishes: its subscribers reconnect to
//!   another node with `Last-Event-ID` and receive every event exactly once, in order;
//! * a node whose `--history` keeps 5 events per topic resumes a client from an id its
//!   ring dropped long ago, from the Redis stream, while publishing goes on;
//! * through nginx (default `proxy_buffering on`): a lone event arrives while the stream
//!   stays open, clients survive the kill of their node, and `X-Accel-Buffering: no`
//!   keeps nginx from buffering a stalled client's stream to disk;
//! * `/healthz` and `POST /publish` answer 503 with JSON while Redis is paused, and the
//!   nodes serve again once it is back; cluster presence and `/stats` scope.
//!
//! ```sh
//! cargo test -p sse-examples --test cluster
//! ```

#[allow(dead_code)]
#[path = "contract/support/mod.rs"]
mod support;

use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use sse_conformance::client::{Chunk, Conn, HttpError};
use sse_core::{Decoder, Frame};

use support::LIVE;
use support::api::{get, publish, publish_raw, stats};
use support::server::{Bin, Demo, free_port};

/// A `redis-server` owned by the test, without persistence.
struct Redis {
    port: u16,
    child: Child,
}

impl Redis {
    fn start() -> Self {
        let port = free_port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is installed (apt-get install -y redis-server)");
        let redis = Self { port, child };
        let until = Instant::now() + LIVE;
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < until, "redis-server did not start");
            thread::sleep(Duration::from_millis(20));
        }
        redis
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.signal("-CONT");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const BINS: [Bin; 3] = [Bin::AXUM, Bin::ACTIX, Bin::WARP];

/// One node per framework on `redis`, with a history that holds the whole run.
fn cluster(redis: &Redis) -> Vec<Demo> {
    let url = redis.url();
    BINS.iter()
        .map(|bin| {
            Demo::start(
                bin,
                &["--redis", &url, "--clock-ms", "0", "--history", "20000"],
            )
        })
        .collect()
}

/// A Redis id as a comparable pair.
fn key(id: &str) -> (u64, u64) {
    let (ms, seq) = id.split_once('-').expect("a Redis id");
    (ms.parse().expect("ms"), seq.parse().expect("seq"))
}

/// One received event.
#[derive(Debug, Clone)]
struct Got {
    id: String,
    event: String,
    data: String,
}

/// A client as a browser's `EventSource` is: it follows `/events?topic=..` and, when
/// the connection drops, reconnects (here: to the next node) with `Last-Event-ID`.
struct Follower {
    target: String,
    nodes: Vec<SocketAddr>,
    node: usize,
    conn: Option<Conn>,
    decoder: Decoder,
    last_id: String,
    got: Vec<Got>,
    reconnects: usize,
}

impl Follower {
    fn open(nodes: Vec<SocketAddr>, node: usize, topics: &[&str]) -> Self {
        Self::resume(nodes, node, topics, "")
    }

    /// A client that comes back with `last_id` as its `Last-Event-ID` (none if empty).
    fn resume(nodes: Vec<SocketAddr>, node: usize, topics: &[&str], last_id: &str) -> Self {
        let query: Vec<String> = topics.iter().map(|t| format!("topic={t}")).collect();
        let mut follower = Self {
            target: format!("/events?{}", query.join("&")),
            nodes,
            node,
            conn: None,
            decoder: Decoder::new(),
            last_id: last_id.to_owned(),
            got: Vec::new(),
            reconnects: 0,
        };
        follower.connect();
        follower
    }

    fn connect(&mut self) {
        let until = Instant::now() + LIVE;
        loop {
            let addr = self.nodes[self.node];
            let id = self.last_id.clone();
            let headers: Vec<(&str, &[u8])> = if id.is_empty() {
                Vec::new()
            } else {
                vec![("last-event-id", id.as_bytes())]
            };
            let opened = Conn::connect(addr).ok().and_then(|mut conn| {
                conn.send("GET", &self.target, &headers, None).ok()?;
                let head = conn.read_head(LIVE).ok()?;
                (head.status == 200).then_some(conn)
            });
            if let Some(conn) = opened {
                self.conn = Some(conn);
                self.decoder = Decoder::new();
                return;
            }
            assert!(Instant::now() < until, "no node accepted {}", self.target);
            self.node = (self.node + 1) % self.nodes.len();
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Reads until `count` events (not `presence`) have arrived, reconnecting as needed.
    fn read_until(&mut self, count: usize, within: Duration) {
        let until = Instant::now() + within;
        while self.got.len() < count {
            while let Some(frame) = self.decoder.next_frame() {
                if let Frame::Message(m) = frame
                    && m.event != "presence"
                {
                    self.got.push(Got {
                        id: m.last_event_id.clone(),
                        event: m.event,
                        data: m.data,
                    });
                }
            }
            if !self.decoder.last_event_id().is_empty() {
                self.last_id = self.decoder.last_event_id().to_owned();
            }
            if self.got.len() >= count {
                break;
            }
            let left = until.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "{}: {} of {count} events",
                self.target,
                self.got.len()
            );
            let read = self.conn.as_mut().map(|c| c.read_chunk(left.min(LIVE)));
            match read {
                Some(Ok(Chunk::Data(data))) => self.decoder.push(&data),
                Some(Err(HttpError::Timeout)) => {}
                // The node went away (or ended the stream): reconnect elsewhere.
                _ => {
                    self.reconnects += 1;
                    self.node = (self.node + 1) % self.nodes.len();
                    self.connect();
                }
            }
        }
    }
}

/// Checks what one follower received against what was published (`published[topic]`:
/// the (id, data) pairs in publish order): every event of its topics exactly once, per
/// topic in publish order, all in id order, no `reset`.
fn check(
    who: &str,
    got: &[Got],
    topics: &[&str],
    published: &BTreeMap<String, Vec<(String, String)>>,
) {
    assert!(
        got.iter().all(|g| g.event == "message"),
        "{who}: unexpected events {:?}",
        got.iter()
            .filter(|g| g.event != "message")
            .take(3)
            .collect::<Vec<_>>()
    );
    let ids: Vec<_> = got.iter().map(|g| key(&g.id)).collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "{who}: ids not strictly increasing"
    );
    let mut want: Vec<(String, String)> = topics
        .iter()
        .flat_map(|t| published[*t].iter().cloned())
        .collect();
    want.sort_by_key(|(id, _)| key(id));
    let have: Vec<(String, String)> = got.iter().map(|g| (g.id.clone(), g.data.clone())).collect();
    assert_eq!(have.len(), want.len(), "{who}: count");
    assert!(have == want, "{who}: not every event exactly once in order");
}

#[test]
fn three_nodes_one_publisher_each_thirty_subscribers_every_event_once_in_order() {
    const PER_PUBLISHER: usize = 3_000;
    const TOPICS: [&str; 3] = ["t0", "t1", "t2"];
    let redis = Redis::start();
    let nodes = cluster(&redis);
    let addrs: Vec<SocketAddr> = nodes.iter().map(|n| n.addr).collect();
    // 30 subscribers spread over the nodes: every 5th on all three topics, every 5th
    // (+1) on two, the others on one.
    let plans: Vec<(usize, Vec<&str>)> = (0..30)
        .map(|i| {
            let topics = match i % 5 {
                0 => TOPICS.to_vec(),
                1 => vec![TOPICS[i % 3], TOPICS[(i + 1) % 3]],
                _ => vec![TOPICS[i % 3]],
            };
            (i % 3, topics)
        })
        .collect();
    let followers: Vec<Follower> = plans
        .iter()
        .map(|(node, topics)| Follower::open(addrs.clone(), *node, topics))
        .collect();

    let publishers: Vec<_> = (0..3)
        .map(|p| {
            let addr = addrs[p];
            thread::spawn(move || {
                let mut ids = Vec::with_capacity(PER_PUBLISHER);
                for i in 0..PER_PUBLISHER {
                    let topic = TOPICS[i % 3];
                    let data = format!("{p}:{i}");
                    let id = post(addr, topic, &data);
                    ids.push((topic, id, data));
                }
                ids
            })
        })
        .collect();
    let readers: Vec<_> = followers
        .into_iter()
        .zip(plans.iter().map(|(_, t)| t.len()))
        .map(|(mut f, n)| {
            thread::spawn(move || {
                f.read_until(n * PER_PUBLISHER, Duration::from_secs(300));
                f
            })
        })
        .collect();
    let mut published: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for p in publishers {
        let ids = p.join().expect("publisher");
        // Per publisher and topic, ids grow in publish order.
        for t in TOPICS {
            let mine: Vec<_> = ids.iter().filter(|(topic, ..)| *topic == t).collect();
            assert!(mine.windows(2).all(|w| key(&w[0].1) < key(&w[1].1)));
        }
        for (topic, id, data) in ids {
            published
                .entry(topic.to_owned())
                .or_default()
                .push((id, data));
        }
    }
    let unique: HashSet<_> = published
        .values()
        .flatten()
        .map(|(id, _)| id.clone())
        .collect();
    assert_eq!(unique.len(), 3 * PER_PUBLISHER, "every id once");
    for (k, (reader, (_, topics))) in readers.into_iter().zip(&plans).enumerate() {
        let f = reader.join().expect("subscriber");
        assert_eq!(f.reconnects, 0, "subscriber {k} reconnected");
        check(&format!("subscriber {k}"), &f.got, topics, &published);
    }
    let stats = stats(&nodes[1]);
    assert_eq!(stats["scope"], "cluster", "{stats}");
    assert_eq!(stats["published"], 3 * PER_PUBLISHER, "{stats}");
}

#[test]
fn a_node_killed_while_another_publishes_its_clients_resume_elsewhere_exactly() {
    const EVENTS: usize = 3_000;
    let redis = Redis::start();
    let nodes = cluster(&redis);
    let addrs: Vec<SocketAddr> = nodes.iter().map(|n| n.addr).collect();
    // Six clients on node 0 (the one to kill), on one, two or three topics.
    let plans: Vec<Vec<&str>> = vec![
        vec!["a"],
        vec!["b"],
        vec!["c"],
        vec!["a", "b"],
        vec!["b", "c"],
        vec!["a", "b", "c"],
    ];
    let followers: Vec<Follower> = plans
        .iter()
        .map(|topics| Follower::open(addrs.clone(), 0, topics))
        .collect();
    let publisher = {
        let addr = addrs[1];
        thread::spawn(move || {
            let mut ids = Vec::new();
            for i in 0..EVENTS {
                let topic = ["a", "b", "c"][i % 3];
                let id = post(addr, topic, &i.to_string());
                ids.push((topic, id, i.to_string()));
            }
            ids
        })
    };
    let readers: Vec<_> = followers
        .into_iter()
        .zip(plans.iter().map(Vec::len))
        .map(|(mut f, n)| {
            thread::spawn(move || {
                // A third of the events on node 0, then it dies mid-stream.
                f.read_until(n * EVENTS / 3 / 3, Duration::from_secs(120));
                f
            })
        })
        .collect();
    let mut readers: Vec<Follower> = readers.into_iter().map(|r| r.join().unwrap()).collect();
    nodes[0].signal("KILL");
    let readers: Vec<_> = readers
        .drain(..)
        .zip(plans.iter().map(Vec::len))
        .map(|(mut f, n)| {
            thread::spawn(move || {
                f.read_until(n * EVENTS / 3, Duration::from_secs(300));
                f
            })
        })
        .collect();
    let mut published: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (topic, id, data) in publisher.join().expect("publisher") {
        published
            .entry(topic.to_owned())
            .or_default()
            .push((id, data));
    }
    for (k, (reader, topics)) in readers.into_iter().zip(&plans).enumerate() {
        let f = reader.join().expect("subscriber");
        assert!(f.reconnects >= 1, "client {k} never lost its node");
        check(&format!("client {k}"), &f.got, topics, &published);
    }
}

#[test]
fn a_paused_redis_gives_503_with_json_and_the_cluster_serves_again_after() {
    let redis = Redis::start();
    let nodes = cluster(&redis);
    let mut watcher = Follower::open(nodes.iter().map(|n| n.addr).collect(), 2, &["chat"]);
    let first = publish(&nodes[0], "chat", "before");
    watcher.read_until(1, LIVE);
    assert_eq!(watcher.got[0].id, first);

    redis.signal("-STOP");
    for node in &nodes {
        let start = Instant::now();
        let response = publish_raw(node, br#"{"topic": "chat", "data": "while paused"}"#);
        assert_eq!(response.status, 503, "{}", response.text());
        assert!(response.json()["error"].is_string(), "{}", response.text());
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
    }
    for node in &nodes {
        let until = Instant::now() + LIVE;
        loop {
            let health = get(node, "/healthz", &[]);
            if health.status == 503 {
                assert!(health.json()["error"].is_string(), "{}", health.text());
                break;
            }
            assert!(Instant::now() < until, "/healthz stayed {}", health.status);
            thread::sleep(Duration::from_millis(50));
        }
    }
    redis.signal("-CONT");
    let back = Instant::now();
    for node in &nodes {
        while get(node, "/healthz", &[]).status != 200 {
            assert!(back.elapsed() < LIVE, "not healthy again");
            thread::sleep(Duration::from_millis(20));
        }
    }
    let after = publish(&nodes[1], "chat", "after");
    watcher.read_until(2, LIVE);
    assert_eq!(watcher.reconnects, 0, "the stream stayed open");
    assert_eq!(
        (watcher.got[1].id.as_str(), watcher.got[1].data.as_str()),
        (after.as_str(), "after"),
        "the 503 publishes reached nobody"
    );
}

#[test]
fn presence_counts_the_whole_cluster() {
    let redis = Redis::start();
    let nodes = cluster(&redis);
    let addrs: Vec<SocketAddr> = nodes.iter().map(|n| n.addr).collect();
    let mut conns: Vec<support::sse::Sub> = (0..3)
        .map(|i| support::sse::Sub::open(addrs[i], "/events?topic=chat", &[]))
        .collect();
    // Each node's subscriber sees the count of all three within a few beats.
    for sub in &mut conns {
        let until = Instant::now() + LIVE;
        loop {
            let m = sub.message();
            if m.event == "presence" && m.data == "3" {
                break;
            }
            assert!(Instant::now() < until, "no cluster count 3: {}", sub.text());
        }
    }
    let stats = stats(&nodes[0]);
    assert_eq!(
        (stats["scope"].as_str(), stats["node_subscribers"].as_u64()),
        (Some("cluster"), Some(1)),
        "{stats}"
    );
}

/// `POST /publish` to the node at `addr`: the event's id.
fn post(addr: SocketAddr, topic: &str, data: &str) -> String {
    let body = serde_json::json!({"topic": topic, "data": data}).to_string();
    let response = sse_conformance::client::try_request(
        addr,
        "POST",
        "/publish",
        &[("content-type", b"application/json")],
        Some(body.as_bytes()),
        LIVE,
    )
    .expect("publish");
    assert_eq!(response.status, 202, "{}", response.text());
    response.json()["id"].as_str().expect("an id").to_owned()
}

#[test]
fn a_node_with_a_small_history_resumes_from_the_stream_an_id_its_ring_dropped() {
    const BEFORE: usize = 100;
    const DURING: usize = 300;
    let redis = Redis::start();
    let url = redis.url();
    let big = Demo::start(
        &Bin::AXUM,
        &["--redis", &url, "--clock-ms", "0", "--history", "20000"],
    );
    // Its ring keeps 5 events per topic: the stream is the history of record.
    let small = Demo::start(
        &Bin::WARP,
        &["--redis", &url, "--clock-ms", "0", "--history", "5"],
    );
    let topic = |i: usize| ["a", "b"][i % 2];
    let mut sent: Vec<(String, String, String)> = (0..BEFORE)
        .map(|i| {
            let id = post(big.addr, topic(i), &i.to_string());
            (topic(i).to_owned(), id, i.to_string())
        })
        .collect();
    // The client last saw event 10: long gone from the small node's ring.
    let from = sent[10].1.clone();
    // Publishing goes on, through both nodes, while the client resumes.
    let publisher = {
        let addrs = [big.addr, small.addr];
        thread::spawn(move || {
            (BEFORE..BEFORE + DURING)
                .map(|i| {
                    let id = post(addrs[i % 2], topic(i), &i.to_string());
                    (topic(i).to_owned(), id, i.to_string())
                })
                .collect::<Vec<_>>()
        })
    };
    let mut client = Follower::resume(vec![small.addr], 0, &["a", "b"], &from);
    client.read_until(BEFORE + DURING - 11, Duration::from_secs(120));
    sent.extend(publisher.join().expect("publisher"));
    let mut published: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (topic, id, data) in sent.into_iter().skip(11) {
        published.entry(topic).or_default().push((id, data));
    }
    // Every event after its id exactly once, in order, and no `reset`: its ring held
    // the last 10 when it resumed, the stream the rest.
    check("resumed client", &client.got, &["a", "b"], &published);
}

/// nginx in front of the nodes: round robin, proxy buffering left at its default (on),
/// started by the test on a free port with a generated configuration.
struct Nginx {
    addr: SocketAddr,
    child: Child,
    dir: std::path::PathBuf,
}

impl Nginx {
    fn start(nodes: &[SocketAddr]) -> Self {
        Self::start_with(nodes, "")
    }

    /// Started with `extra` directives in its `location`.
    fn start_with(nodes: &[SocketAddr], extra: &str) -> Self {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("sse-nginx-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let servers: String = nodes.iter().map(|a| format!("    server {a};\n")).collect();
        let d = dir.display();
        let conf = format!(
            "worker_processes 1;\nmaster_process off;\ndaemon off;\npid {d}/nginx.pid;\n\
             error_log {d}/error.log warn;\nevents {{ worker_connections 1024; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n\
             proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n\
             uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
             upstream demo {{\n{servers}  }}\n\
             server {{\n    listen 127.0.0.1:{port};\n    location / {{\n\
             proxy_pass http://demo;\n      proxy_http_version 1.1;\n\
             proxy_set_header Connection \"\";\n      proxy_read_timeout 1h;\n\
             proxy_connect_timeout 1s;\n{extra}\n    }}\n  }}\n}}\n"
        );
        let path = dir.join("nginx.conf");
        std::fs::write(&path, conf).expect("write nginx.conf");
        let child = Command::new("nginx")
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx is installed (apt-get install -y nginx)");
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let until = Instant::now() + LIVE;
        while std::net::TcpStream::connect(addr).is_err() {
            assert!(
                Instant::now() < until,
                "nginx did not start: {}",
                std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
            );
            thread::sleep(Duration::from_millis(20));
        }
        Self { addr, child, dir }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn through_nginx_events_arrive_and_clients_survive_the_kill_of_their_node() {
    const EVENTS: usize = 1_500;
    let redis = Redis::start();
    let nodes = cluster(&redis);
    let nginx = Nginx::start(&nodes.iter().map(|n| n.addr).collect::<Vec<_>>());
    // A lone small event arrives through nginx (default `proxy_buffering on`) while
    // the stream stays open and nothing follows it. nginx passes on what it has read
    // as soon as its client can take it: buffering lets it read ahead of a slow
    // client, it does not hold a response back from a reading one. So this holds
    // whatever the `X-Accel-Buffering` header says (nginx 1.22 passed it on at once
    // even with `proxy_ignore_headers X-Accel-Buffering`); it fails if our stream stops
    // flushing each event. The header's role is checked below, with a stalled client.
    let mut probe = Follower::open(vec![nginx.addr], 0, &["probe"]);
    let id = publish(&nodes[2], "probe", "one small event");
    probe.read_until(1, LIVE);
    assert_eq!(probe.got[0].id, id);

    // Round robin spreads six clients over the three nodes.
    let plans: Vec<Vec<&str>> = vec![
        vec!["a"],
        vec!["b"],
        vec!["a", "b"],
        vec!["a"],
        vec!["b"],
        vec!["a", "b"],
    ];
    let followers: Vec<Follower> = plans
        .iter()
        .map(|topics| Follower::open(vec![nginx.addr], 0, topics))
        .collect();
    let mut published: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for i in 0..EVENTS {
        if i == EVENTS / 3 {
            nodes[0].signal("KILL");
        }
        let topic = ["a", "b"][i % 2];
        // Publish to a node that stays up (nginx would also move on, but a POST cut
        // mid-way is not retried by it).
        let id = publish(&nodes[1 + i % 2], topic, &i.to_string());
        published
            .entry(topic.to_owned())
            .or_default()
            .push((id, i.to_string()));
    }
    let readers: Vec<_> = followers
        .into_iter()
        .zip(plans.iter().map(Vec::len))
        .map(|(mut f, n)| {
            thread::spawn(move || {
                f.read_until(n * EVENTS / 2, Duration::from_secs(120));
                f
            })
        })
        .collect();
    let mut moved = 0;
    for (k, (reader, topics)) in readers.into_iter().zip(&plans).enumerate() {
        let f = reader.join().expect("subscriber");
        moved += f.reconnects;
        check(&format!("client {k}"), &f.got, topics, &published);
    }
    assert!(moved >= 1, "no client was on the killed node");
}

/// Whether nginx wrote a proxied response to a temporary file (it logs each one at
/// `warn`: "an upstream response is buffered to a temporary file").
fn buffered_to_disk(nginx: &Nginx) -> bool {
    std::fs::read_to_string(nginx.dir.join("error.log"))
        .unwrap_or_default()
        .contains("buffered to a temporary file")
}

/// What `X-Accel-Buffering: no` does behind nginx's default `proxy_buffering on`: nginx
/// then reads the stream only as fast as its client takes it, instead of reading ahead
/// into its buffers and a temporary file (up to 1 GiB by default) for a client that
/// stopped reading. Two nginx in front of the same nodes, one told to ignore the header
/// (`proxy_ignore_headers X-Accel-Buffering`), each with a client that reads nothing
/// after the response head; 20 MB of events: the one that ignores the header buffers
/// them to disk, the one that honours it does not.
#[test]
fn through_nginx_the_no_buffering_header_keeps_a_stalled_client_off_disk() {
    const EVENTS: usize = 500;
    let redis = Redis::start();
    let nodes = cluster(&redis);
    let addrs: Vec<SocketAddr> = nodes.iter().map(|n| n.addr).collect();
    let honours = Nginx::start(&addrs);
    let ignores = Nginx::start_with(&addrs, "      proxy_ignore_headers X-Accel-Buffering;");
    let stalled: Vec<Conn> = [&honours, &ignores]
        .iter()
        .map(|nginx| {
            let mut conn = Conn::connect(nginx.addr).expect("connect to nginx");
            conn.send("GET", "/events?topic=big", &[], None)
                .expect("send");
            let head = conn.read_head(LIVE).expect("a response head");
            assert_eq!(head.status, 200);
            conn
        })
        .collect();
    let data = "x".repeat(40_000);
    for _ in 0..EVENTS {
        post(addrs[1], "big", &data);
    }
    let until = Instant::now() + LIVE;
    while !buffered_to_disk(&ignores) {
        assert!(
            Instant::now() < until,
            "nginx ignoring the header never buffered to disk: the check cannot see buffering"
        );
        thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !buffered_to_disk(&honours),
        "nginx buffered the stream of a stalled client to disk despite X-Accel-Buffering: no"
    );
    drop(stalled);
}
