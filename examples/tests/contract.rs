//! The demo app's HTTP contract (`/work/shared/CONTRACT.md`, summarised in the README),
//! checked against the real binaries: every case below is written once and runs as its
//! own `#[test]` for `demo-axum`, `demo-actix` and `demo-warp` (modules `axum`, `actix`,
//! `warp`). Each case starts the binary as a child process on a free 127.0.0.1 port,
//! talks raw HTTP/1.1 to it and decodes streams with `sse_core::Decoder`.
//!
//! Timing: real-time flags are small (tens to hundreds of ms); every wait has a
//! generous liveness bound ([`support::LIVE`]); lower bounds on durations are exact
//! (a slow machine only makes them longer), upper bounds carry a wide slack.
//!
//! ```sh
//! cargo test -p sse-examples --test contract              # every case, three binaries
//! cargo test -p sse-examples --test contract -- warp::    # one binary
//! cargo test -p sse-examples --test contract -- resume    # some cases, every binary
//! ```

mod support;

use std::collections::HashSet;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use sse_conformance::client::{Conn, Response};
use sse_core::{Frame, Message, RESPONSE_HEADERS};

use support::LIVE;
use support::api::{assert_json_error, get, publish, publish_raw, publish_value, request, stats};
use support::server::{Bin, Demo, free_port, run_to_exit};
use support::sse::{Step, Sub};
use support::time::parse_rfc3339;

/// One MiB: the largest `/publish` body accepted.
const MIB: usize = 1024 * 1024;

// ---------------------------------------------------------------------------------------
// Helpers

fn start(bin: &Bin, args: &[&str]) -> Demo {
    Demo::start(bin, args)
}

fn sub(demo: &Demo, target: &str) -> Sub {
    Sub::open(demo.addr, target, &[])
}

fn sub_with(demo: &Demo, target: &str, headers: &[(&str, &[u8])]) -> Sub {
    Sub::open(demo.addr, target, headers)
}

/// Percent-encodes everything but unreserved characters (for ids in a query).
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The messages among `frames`.
fn messages(frames: &[Frame]) -> Vec<Message> {
    frames
        .iter()
        .filter_map(|f| match f {
            Frame::Message(m) => Some(m.clone()),
            _ => None,
        })
        .collect()
}

/// Publishes a marker to `topic` and asserts it is the next message `sub` gets (other
/// than `skip` types): whatever was attempted before it delivered nothing.
fn assert_nothing_before_marker(demo: &Demo, sub: &mut Sub, topic: &str, skip: &[&str]) {
    let id = publish(demo, topic, "marker");
    let m = sub.message_skipping(skip);
    assert_eq!(
        (m.event.as_str(), m.data.as_str(), m.last_event_id.as_str()),
        ("message", "marker", id.as_str()),
        "something was delivered before the marker"
    );
}

/// Reads the messages after a `reset` until the live one (`live_id`): they must be a
/// suffix of `history` (what history may still hold, replayed) followed by the live
/// message, without duplicates.
fn assert_reset_then_live(sub: &mut Sub, history: &[(String, String)], live: &(String, String)) {
    let first = sub.message();
    assert_eq!(
        first.event, "reset",
        "the first message must be `reset`, got {first:?}"
    );
    let mut after = Vec::new();
    loop {
        let m = sub.message();
        let item = (m.last_event_id.clone(), m.data.clone());
        assert_eq!(m.event, "message", "unexpected {m:?}");
        let done = &item == live;
        after.push(item);
        if done {
            break;
        }
    }
    let replayed = &after[..after.len() - 1];
    assert!(
        history.ends_with(replayed),
        "after reset: {replayed:?} is not a suffix of history {history:?}"
    );
}

/// An id shaped like `id` but later: its last run of digits increased by a million
/// (ids are opaque, but a counter is the common shape); without digits, `id~`.
fn future_id(id: &str) -> String {
    let bytes = id.as_bytes();
    let Some(end) = bytes.iter().rposition(u8::is_ascii_digit) else {
        return format!("{id}~");
    };
    let start = bytes[..end]
        .iter()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |p| p + 1);
    let run = &id[start..=end];
    let bumped = run.parse::<u64>().map_or_else(
        |_| "9".repeat(run.len() + 1),
        |n| (n + 1_000_000).to_string(),
    );
    format!("{}{bumped}{}", &id[..start], &id[end + 1..])
}

/// The request body `{"topic":"t","data":"xxx…"}` of exactly `len` bytes.
fn body_of_len(len: usize) -> Vec<u8> {
    let (prefix, suffix) = (br#"{"topic":"t","data":""#, br#""}"#);
    let fill = len - prefix.len() - suffix.len();
    let mut body = prefix.to_vec();
    body.resize(prefix.len() + fill, b'x');
    body.extend_from_slice(suffix);
    assert_eq!(body.len(), len);
    body
}

fn assert_no_cors(response: &Response, what: &str) {
    assert!(
        response.access_control().is_empty(),
        "{what}: unexpected CORS headers in {:?}",
        response.headers
    );
}

/// Polls `/stats` until `done` holds (fails with the last answer after [`LIVE`]).
fn stats_until(demo: &Demo, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + LIVE;
    loop {
        let now = stats(demo);
        if done(&now) {
            return now;
        }
        assert!(Instant::now() < deadline, "{what}: /stats stayed {now}");
        thread::sleep(Duration::from_millis(20));
    }
}

/// Asserts `got` equals `expected` (both `(id, data)` in order); on failure names the
/// first difference, what is missing and what is repeated.
fn assert_same_sequence(got: &[(String, String)], expected: &[(String, String)], what: &str) {
    if got == expected {
        return;
    }
    let short = |(id, data): &(String, String)| format!("{id}={}", &data[..data.len().min(12)]);
    let at = got
        .iter()
        .zip(expected)
        .position(|(g, e)| g != e)
        .unwrap_or(got.len().min(expected.len()));
    let seen: HashSet<&(String, String)> = got.iter().collect();
    let missing: Vec<String> = expected
        .iter()
        .filter(|e| !seen.contains(e))
        .map(short)
        .collect();
    let mut once = HashSet::new();
    let repeated: Vec<String> = got.iter().filter(|g| !once.insert(*g)).map(short).collect();
    let around = |list: &[(String, String)]| -> Vec<String> {
        list[at.saturating_sub(3)..(at + 4).min(list.len())]
            .iter()
            .map(short)
            .collect()
    };
    panic!(
        "{what}: {} received, {} expected; first difference at {at}: got {:?} expected {:?}; \
         missing {missing:?}; repeated {repeated:?}",
        got.len(),
        expected.len(),
        around(got),
        around(expected),
    );
}

fn now_nanos() -> i128 {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970");
    i128::try_from(now.as_nanos()).expect("fits")
}

// ---------------------------------------------------------------------------------------
// Plain endpoints

/// `GET /` is the demo page: HTML using `EventSource`, with no external assets: no
/// absolute or protocol-relative URL in `src`, `href`, `action`, `url(...)`, `@import`,
/// `EventSource(...)` or `fetch(...)`, and every same-origin path it refers to there
/// answers 200 (so nothing it needs is missing).
fn page_is_self_contained_html(bin: &Bin) {
    let demo = start(bin, &[]);
    let r = get(&demo, "/", &[]);
    assert_eq!(r.status, 200);
    let content_type = r
        .header("content-type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(
        content_type.starts_with("text/html"),
        "content-type {content_type}"
    );
    let page = r.text();
    assert!(page.contains("EventSource"), "the page uses EventSource");
    let lower = page.to_ascii_lowercase();
    let mut local = Vec::new();
    for opener in [
        "src=",
        "href=",
        "action=",
        "url(",
        "@import",
        "eventsource(",
        "fetch(",
    ] {
        for (at, _) in lower.match_indices(opener) {
            let rest = &page[at + opener.len()..];
            let value: String = rest
                .trim_start_matches([' ', '"', '\'', '`'])
                .chars()
                .take_while(|c| !matches!(c, '"' | '\'' | '`' | ')' | ' ' | '>'))
                .collect();
            let value_lower = value.to_ascii_lowercase();
            assert!(
                !(value_lower.starts_with("http:")
                    || value_lower.starts_with("https:")
                    || value_lower.starts_with("//")),
                "external asset: {opener}{value}"
            );
            if value.starts_with('/') {
                local.push(value);
            }
        }
    }
    for path in local {
        if path.starts_with("/events") {
            sub(&demo, &path).close(); // the stream the page opens
        } else if path != "/publish" {
            assert_eq!(
                get(&demo, &path, &[]).status,
                200,
                "the page refers to {path}"
            );
        }
    }
}

/// `GET /healthz` answers `200 ok`.
fn healthz_ok(bin: &Bin) {
    let demo = start(bin, &[]);
    let r = get(&demo, "/healthz", &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.text().trim_end(), "ok");
}

/// Unknown paths are 404.
fn unknown_paths_404(bin: &Bin) {
    let demo = start(bin, &[]);
    for target in [
        "/nope",
        "/events/x",
        "/healthz/x",
        "/stats/x",
        "/index.html",
        "/favicon.ico",
    ] {
        assert_eq!(get(&demo, target, &[]).status, 404, "GET {target}");
    }
    for target in ["/nope", "/publish/x"] {
        let r = request(
            &demo,
            "POST",
            target,
            &[("content-type", b"application/json")],
            Some(b"{}"),
        );
        assert_eq!(r.status, 404, "POST {target}");
    }
}

// ---------------------------------------------------------------------------------------
// GET /events

/// Without a topic: 400 with a JSON reason.
fn events_requires_topic(bin: &Bin) {
    let demo = start(bin, &[]);
    for target in [
        "/events",
        "/events?",
        "/events?other=1",
        "/events?lastEventId=1",
    ] {
        assert_json_error(&get(&demo, target, &[]), 400, target);
    }
}

/// Topics follow the `/publish` rules: 1 to 256 bytes of `[A-Za-z0-9._:/-]`; a bad
/// one anywhere in the list is a 400 with a JSON reason.
fn events_rejects_bad_topics(bin: &Bin) {
    let demo = start(bin, &[]);
    let long = "x".repeat(257);
    for topic in [
        "",
        "a%20b",
        "a+b",
        "a!b",
        "%C3%A9",
        "a%0Ab",
        "a*b",
        "a,b",
        long.as_str(),
    ] {
        let target = format!("/events?topic={topic}");
        assert_json_error(&get(&demo, &target, &[]), 400, &target);
        let target = format!("/events?topic=ok&topic={topic}");
        assert_json_error(&get(&demo, &target, &[]), 400, &target);
    }
    let longest = "y".repeat(256);
    for topic in [longest.as_str(), "AZaz09._:/-", "a%3Ab%2Fc"] {
        let s = sub(&demo, &format!("/events?topic={topic}"));
        s.close();
    }
}

/// An event stream has sse-core's headers, chunked, without hop-by-hop headers.
fn events_headers(bin: &Bin) {
    let demo = start(bin, &[]);
    let s = sub(&demo, "/events?topic=t");
    for (name, value) in RESPONSE_HEADERS {
        assert_eq!(
            s.head.header(name),
            Some(value),
            "{name}: {:?}",
            s.head.headers
        );
    }
    assert_eq!(s.head.header("transfer-encoding"), Some("chunked"));
    for absent in ["connection", "keep-alive", "content-length"] {
        assert!(
            s.head.all(absent).is_empty(),
            "{absent} sent: {:?}",
            s.head.headers
        );
    }
}

/// Several topics in one stream, in publish order; other topics not included.
fn events_multi_topic_in_publish_order(bin: &Bin) {
    let demo = start(bin, &[]);
    let mut s = sub(&demo, "/events?topic=a&topic=b");
    let plan = [
        ("a", "1"),
        ("b", "2"),
        ("c", "x"),
        ("a", "3"),
        ("b", "4"),
        ("b", "5"),
        ("c", "y"),
        ("a", "6"),
    ];
    let mut expected = Vec::new();
    for (topic, data) in plan {
        let id = publish(&demo, topic, data);
        if topic != "c" {
            expected.push((id, data.to_owned()));
        }
    }
    let got: Vec<(String, String)> = (0..expected.len())
        .map(|_| {
            let m = s.message();
            (m.last_event_id, m.data)
        })
        .collect();
    assert_eq!(got, expected);
    assert_nothing_before_marker(&demo, &mut s, "a", &[]);
}

/// A topic named twice is one topic: each of its events arrives once.
fn events_repeated_topic_once(bin: &Bin) {
    let demo = start(bin, &[]);
    let mut s = sub(&demo, "/events?topic=a&topic=b&topic=a");
    let id = publish(&demo, "a", "once");
    let m = s.message();
    assert_eq!(
        (m.data.as_str(), m.last_event_id.as_str()),
        ("once", id.as_str())
    );
    assert_nothing_before_marker(&demo, &mut s, "b", &[]);
}

/// The contract sets no limit on how many topics one stream follows: 40 valid topics
/// are served, and events of the first and the last arrive.
fn events_many_topics(bin: &Bin) {
    let demo = start(bin, &[]);
    let query: Vec<String> = (0..40).map(|i| format!("topic=t{i}")).collect();
    let target = format!("/events?{}", query.join("&"));
    let mut s = sub(&demo, &target);
    let first = publish(&demo, "t0", "first");
    let last = publish(&demo, "t39", "last");
    assert_eq!(
        read_n(&mut s, 2),
        [(first, "first".to_owned()), (last, "last".to_owned())]
    );
}

// ---------------------------------------------------------------------------------------
// POST /publish

/// 202 with `{"id": ...}`; the event carries that id, the given `event` name (default
/// `message`) and the data. Ids are distinct.
fn publish_id_is_the_event_id(bin: &Bin) {
    let demo = start(bin, &[]);
    let mut s = sub(&demo, "/events?topic=room");
    let first = publish(&demo, "room", "hello");
    let second = publish_value(
        &demo,
        &json!({"topic": "room", "data": "hi", "event": "greet"}),
    );
    assert_ne!(first, second, "ids are distinct");
    let m = s.message();
    assert_eq!(
        (m.event.as_str(), m.data.as_str(), m.last_event_id.as_str()),
        ("message", "hello", first.as_str())
    );
    let m = s.message();
    assert_eq!(
        (m.event.as_str(), m.data.as_str(), m.last_event_id.as_str()),
        ("greet", "hi", second.as_str())
    );
}

/// Bad JSON and bodies that are not objects: 400 with a JSON reason, nothing delivered.
fn publish_rejects_bad_json(bin: &Bin) {
    let demo = start(bin, &[]);
    let mut s = sub(&demo, "/events?topic=t");
    let bodies: [&[u8]; 14] = [
        b"",
        b"{",
        b"not json",
        br#"{"topic":"t","data":"x""#,
        br#"{"topic":"t","data":"x"} trailing"#,
        br#"{'topic':'t','data':'x'}"#,
        b"{\"topic\":\"t\",\"data\":\"\xff\"}",
        b"[]",
        br#"[{"topic":"t","data":"x"}]"#,
        br#""t""#,
        b"42",
        b"null",
        b"true",
        br#"{"topic":"t","data":"x",}"#,
    ];
    for body in bodies {
        assert_json_error(
            &publish_raw(&demo, body),
            400,
            &String::from_utf8_lossy(body),
        );
    }
    assert_nothing_before_marker(&demo, &mut s, "t", &[]);
}

/// Missing required fields and fields of the wrong type: 400, nothing delivered.
fn publish_rejects_wrong_types(bin: &Bin) {
    let demo = start(bin, &[]);
    let mut s = sub(&demo, "/events?topic=t");
    let bodies = [
        json!({}),
        json!({"data": "x"}),
        json!({"topic": "t"}),
        json!({"topic": 1, "data": "x"}),
        json!({"topic": null, "data": "x"}),
        json!({"topic": ["t"], "data": "x"}),
        json!({"topic": {"t": 1}, "data": "x"}),
        json!({"topic": "t", "data": 1}),
        json!({"topic": "t", "data": null}),
        json!({"topic": "t", "data": true}),
        json!({"topic": "t", "data": ["x"]}),
        json!({"topic": "t", "data": {"x": "y"}}),
        json!({"topic": "t", "data": "x", "event": 1}),
        json!({"topic": "t", "data": "x", "event": true}),
        json!({"topic": "t", "data": "x", "event": ["e"]}),
        json!({"topic": "t", "data": "x", "retry_ms": "5"}),
        json!({"topic": "t", "data": "x", "retry_ms": true}),
        json!({"topic": "t", "data": "x", "retry_ms": [5]}),
    ];
    for body in &bodies {
        let r = publish_raw(&demo, &serde_json::to_vec(body).expect("json"));
        assert_json_error(&r, 400, &body.to_string());
    }
    assert_nothing_before_marker(&demo, &mut s, "t", &[]);
}

/// Topics: 1 to 256 bytes of `[A-Za-z0-9._:/-]`.
fn publish_topic_rules(bin: &Bin) {
    let demo = start(bin, &[]);
    let mut s = sub(&demo, "/events?topic=t");
    let long = "t".repeat(257);
    for topic in [
        "",
        long.as_str(),
        "t ",
        " t",
        "a b",
        "a!b",
        "é",
        "t\n",
        "t\r",
        "a,b",
        "a*b",
        "a?b",
        "a#b",
        "a%b",
        "a+b",
        "t\u{0}",
        "a\\b",
        "a@b",
        "ｔ",
    ] {
        let r = publish_raw(
            &demo,
            &serde_json::to_vec(&json!({"topic": topic, "data": "x"})).expect("json"),
        );
        assert_json_error(&r, 400, &format!("topic {topic:?}"));
    }
    assert_nothing_before_marker(&demo, &mut s, "t", &[]);
    let longest = "t".repeat(256);
    for topic in [longest.as_str(), "AZaz09._:/-"] {
        let mut s = sub(&demo, &format!("/events?topic={}", encode(topic)));
        let id = publish(&demo, topic, "ok");
        let m = s.message();
        assert_eq!(
            (m.data.as_str(), m.last_event_id.as_str()),
            ("ok", id.as_str()),
            "topic {topic}"
        );
    }
}

/// `event`: a non-empty string without CR or LF; delivered as the event type.
fn publish_event_rules(bin: &Bin) {
    let demo = start(bin, &[]);
    let mut s = sub(&demo, "/events?topic=t");
    for event in ["", "a\rb", "a\nb", "\r\n", "end\n", "\rstart"] {
        let r = publish_raw(
            &demo,
            &serde_json::to_vec(&json!({"topic": "t", "data": "x", "event": event})).expect("json"),
        );
        assert_json_error(&r, 400, &format!("event {event:?}"));
    }
    assert_nothing_before_marker(&demo, &mut s, "t", &[]);
    for event in [
        "a b",
        "é ünïcödé",
        "x:y",
        "tab\there",
        "nul\u{0}inside",
        "update",
    ] {
        let id = publish_value(&demo, &json!({"topic": "t", "data": "d", "event": event}));
        let m = s.message();
        assert_eq!(
            (m.event.as_str(), m.data.as_str(), m.last_event_id.as_str()),
            (event, "d", id.as_str())
        );
    }
}

/// `retry_ms`: an integer from 0 to 2147483647, carried as `retry:`.
fn publish_retry_rules(bin: &Bin) {
    let demo = start(bin, &[]);
    let mut s = sub(&demo, "/events?topic=t");
    for raw in [
        "-1",
        "2147483648",
        "1.5",
        "-0.5",
        "99999999999999999999999",
        "4294967296",
    ] {
        let body = format!(r#"{{"topic":"t","data":"x","retry_ms":{raw}}}"#);
        assert_json_error(&publish_raw(&demo, body.as_bytes()), 400, &body);
    }
    assert_nothing_before_marker(&demo, &mut s, "t", &[]);
    for retry in [1234_u64, 0, 2_147_483_647] {
        let id = publish_value(
            &demo,
            &json!({"topic": "t", "data": "r", "retry_ms": retry}),
        );
        let mut retries = Vec::new();
        let m = loop {
            match s.next(LIVE) {
                Step::Frame(Frame::Retry(ms)) => retries.push(ms),
                Step::Frame(Frame::Message(m)) => break m,
                Step::Frame(_) => {}
                other => panic!("waiting for the retry event: {other:?}"),
            }
        };
        assert_eq!(
            (m.data.as_str(), m.last_event_id.as_str()),
            ("r", id.as_str())
        );
        assert_eq!(retries, [retry], "the event with retry_ms {retry}");
    }
}

/// Unknown fields are ignored (an `id` field does not set the event's id).
fn publish_ignores_unknown_fields(bin: &Bin) {
    let demo = start(bin, &[]);
    let mut s = sub(&demo, "/events?topic=t");
    let id = publish_value(
        &demo,
        &json!({"topic": "t", "data": "x", "id": "forged", "Topic": "u", "extra": [1, {"a": null}], "retry": "no"}),
    );
    assert_ne!(id, "forged");
    let m = s.message();
    assert_eq!(
        (m.data.as_str(), m.last_event_id.as_str()),
        ("x", id.as_str())
    );
}

/// A body over 1 MiB is a 413 with a JSON reason and delivers nothing; exactly 1 MiB is
/// accepted and delivered whole.
fn publish_body_limit(bin: &Bin) {
    let demo = start(bin, &[]);
    let mut s = sub(&demo, "/events?topic=t");
    let over = publish_raw(&demo, &body_of_len(MIB + 1));
    assert_json_error(&over, 413, "1 MiB + 1 byte");
    let exact = publish_raw(&demo, &body_of_len(MIB));
    assert_eq!(exact.status, 202, "exactly 1 MiB: {}", exact.text());
    let id = exact.json()["id"].as_str().expect("id").to_owned();
    let m = s.message();
    let expected_len = MIB - br#"{"topic":"t","data":""}"#.len();
    assert_eq!(m.last_event_id, id);
    assert_eq!(
        m.data.len(),
        expected_len,
        "the 1 MiB event arrives, not the rejected one"
    );
    assert!(m.data.bytes().all(|b| b == b'x'));
}

/// The 1 MiB limit holds for a chunked request body too (no `content-length` to check
/// up front).
fn publish_body_limit_chunked(bin: &Bin) {
    let demo = start(bin, &[]);
    let mut s = sub(&demo, "/events?topic=t");
    let headers: [(&str, &[u8]); 2] = [
        ("content-type", b"application/json"),
        ("connection", b"close"),
    ];
    let send = |body: &[u8]| {
        let mut conn = Conn::connect(demo.addr).expect("connect");
        conn.send_chunked("POST", "/publish", &headers, body, 64 * 1024)
            .expect("send");
        conn.read_response(LIVE)
            .unwrap_or_else(|e| panic!("chunked publish: {e}"))
    };
    assert_json_error(&send(&body_of_len(MIB + 1)), 413, "chunked 1 MiB + 1 byte");
    let exact = send(&body_of_len(MIB));
    assert_eq!(
        exact.status,
        202,
        "chunked, exactly 1 MiB: {}",
        exact.text()
    );
    let id = exact.json()["id"].as_str().expect("id").to_owned();
    let m = s.message();
    assert_eq!(
        (m.last_event_id.as_str(), m.data.len()),
        (id.as_str(), MIB - 23)
    );
}

/// Several publishes on one kept-alive connection, rejected ones in between, are each
/// answered correctly (a rejected body does not corrupt the next request).
fn publish_on_a_kept_alive_connection(bin: &Bin) {
    let demo = start(bin, &[]);
    let mut s = sub(&demo, "/events?topic=t");
    let bodies: [(&[u8], u16); 5] = [
        (br#"{"topic":"t","data":"one"}"#, 202),
        (br#"{"topic":"t","data":"#, 400),
        (br#"{"topic":"t","data":2}"#, 400),
        (br#"{"topic":"t b","data":"x"}"#, 400),
        (br#"{"topic":"t","data":"two"}"#, 202),
    ];
    let mut conn = Conn::connect(demo.addr).expect("connect");
    let mut ids = Vec::new();
    for (body, status) in bodies {
        conn.send(
            "POST",
            "/publish",
            &[("content-type", b"application/json")],
            Some(body),
        )
        .expect("send");
        let r = conn.read_response(LIVE).unwrap_or_else(|e| panic!("{e}"));
        let what = String::from_utf8_lossy(body);
        if status == 202 {
            assert_eq!(r.status, 202, "{what}: {}", r.text());
            ids.push(r.json()["id"].as_str().expect("id").to_owned());
        } else {
            assert_json_error(&r, status, &what);
        }
        if r.has_token("connection", "close") {
            conn = Conn::connect(demo.addr).expect("reconnect");
        }
    }
    assert_eq!(
        read_n(&mut s, 2),
        [
            (ids[0].clone(), "one".to_owned()),
            (ids[1].clone(), "two".to_owned())
        ]
    );
}

// ---------------------------------------------------------------------------------------
// Data and ids

/// Data arrives exactly (CRLF and lone CR seen as LF): empty, leading spaces, unicode,
/// blank lines, text that looks like fields.
fn data_exact(bin: &Bin) {
    let demo = start(bin, &[]);
    let mut s = sub(&demo, "/events?topic=t");
    let long = "long ".repeat(4000);
    let cases = [
        "",
        " lead",
        "  two leading",
        "trailing ",
        "a\r\nb",
        "a\rb",
        "a\nb",
        "\n",
        "\r\n",
        "\r",
        "\n\n",
        "a\n\nb",
        "x\r\n\r\ny",
        "end\r",
        "\r\rboth",
        "mixed\r\n\r\n\n\r",
        "unicode é 中文 😀 \u{2028} \u{feff}",
        "data: fake\nid: 666\nevent: evil\n\nretry: 1\n: comment",
        ": not a comment",
        "nul\u{0}byte",
        "tab\tinside",
        long.as_str(),
    ];
    let mut expected = Vec::new();
    for data in cases {
        let id = publish(&demo, "t", data);
        expected.push((id, data.replace("\r\n", "\n").replace('\r', "\n")));
    }
    for (id, data) in expected {
        let m = s.message();
        assert_eq!(m.event, "message");
        assert_eq!((m.data, m.last_event_id), (data, id));
    }
}

/// Ids are ordered hub-wide: an id from any topic resumes a subscription to several
/// topics exactly (events of those topics published after it, in order).
fn ids_ordered_hub_wide(bin: &Bin) {
    let demo = start(bin, &[]);
    let plan = [
        ("a", "a1"),
        ("b", "b1"),
        ("c", "c1"),
        ("a", "a2"),
        ("b", "b2"),
        ("c", "c2"),
    ];
    let ids: Vec<String> = plan.iter().map(|(t, d)| publish(&demo, t, d)).collect();
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        ids.len(),
        "distinct ids {ids:?}"
    );
    let pair = |i: usize| (ids[i].clone(), plan[i].1.to_owned());
    // From b1's id, subscribed to a and b: a2, b2.
    let mut s = sub_with(
        &demo,
        "/events?topic=a&topic=b",
        &[("last-event-id", ids[1].as_bytes())],
    );
    assert_eq!(read_n(&mut s, 2), [pair(3), pair(4)]);
    // From c1's id (a topic not subscribed): a2, b2.
    let mut s = sub_with(
        &demo,
        "/events?topic=b&topic=a",
        &[("last-event-id", ids[2].as_bytes())],
    );
    assert_eq!(read_n(&mut s, 2), [pair(3), pair(4)]);
    // From a1's id, subscribed to b only: b1, b2; then live.
    let mut s = sub_with(
        &demo,
        "/events?topic=b",
        &[("last-event-id", ids[0].as_bytes())],
    );
    assert_eq!(read_n(&mut s, 2), [pair(1), pair(4)]);
    let live = publish(&demo, "b", "b3");
    assert_eq!(read_n(&mut s, 1), [(live, "b3".to_owned())]);
}

// ---------------------------------------------------------------------------------------
// Resume

/// Publishes `n` events `e0..` to `topic`; returns (id, data) pairs.
fn history(demo: &Demo, topic: &str, n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| {
            let data = format!("e{i}");
            (publish(demo, topic, &data), data)
        })
        .collect()
}

fn read_n(s: &mut Sub, n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|_| {
            let m = s.message();
            assert_eq!(m.event, "message", "{m:?}");
            (m.last_event_id, m.data)
        })
        .collect()
}

/// Resume from the `Last-Event-ID` header: what followed, then live; resuming from the
/// newest id replays nothing.
fn resume_by_header(bin: &Bin) {
    let demo = start(bin, &[]);
    let h = history(&demo, "t", 5);
    let mut s = sub_with(
        &demo,
        "/events?topic=t",
        &[("last-event-id", h[1].0.as_bytes())],
    );
    assert_eq!(read_n(&mut s, 3), h[2..]);
    let live = publish(&demo, "t", "live");
    assert_eq!(read_n(&mut s, 1), [(live.clone(), "live".to_owned())]);
    let mut s = sub_with(
        &demo,
        "/events?topic=t",
        &[("last-event-id", live.as_bytes())],
    );
    assert_nothing_before_marker(&demo, &mut s, "t", &[]);
}

/// Resume from `?lastEventId=` when no header is sent.
fn resume_by_query(bin: &Bin) {
    let demo = start(bin, &[]);
    let h = history(&demo, "t", 5);
    let mut s = sub(
        &demo,
        &format!("/events?topic=t&lastEventId={}", encode(&h[2].0)),
    );
    assert_eq!(read_n(&mut s, 2), h[3..]);
    let mut s = sub(
        &demo,
        &format!("/events?lastEventId={}&topic=t", encode(&h[4].0)),
    );
    assert_nothing_before_marker(&demo, &mut s, "t", &[]);
}

/// The header wins over the query parameter.
fn resume_header_wins(bin: &Bin) {
    let demo = start(bin, &[]);
    let h = history(&demo, "t", 5);
    let target = format!("/events?topic=t&lastEventId={}", encode(&h[0].0));
    let mut s = sub_with(&demo, &target, &[("last-event-id", h[3].0.as_bytes())]);
    assert_eq!(read_n(&mut s, 1), h[4..]);
    assert_nothing_before_marker(&demo, &mut s, "t", &[]);
}

/// While events are being published, a client that disconnects again and again and
/// resumes with the last id it saw gets every event of its topics exactly once, in
/// order.
fn resume_no_gap_no_duplicate(bin: &Bin) {
    let demo = start(bin, &[]);
    let total = 240;
    let mut s = sub(&demo, "/events?topic=a&topic=b");
    let published = thread::scope(|scope| {
        let publisher = scope.spawn(|| {
            (0..total)
                .map(|i| {
                    let topic = ["a", "b", "c"][i % 3];
                    let data = format!("{topic}{i}");
                    (topic, publish(&demo, topic, &data), data)
                })
                .collect::<Vec<_>>()
        });
        let last = format!("b{}", total - 2);
        let mut got = Vec::new();
        let mut reconnects = 0;
        'outer: loop {
            for _ in 0..17 {
                let m = s.message();
                assert_eq!(m.event, "message", "no reset expected: {m:?}");
                let done = m.data == last;
                got.push((m.last_event_id, m.data));
                if done {
                    break 'outer;
                }
            }
            let id = s.last_event_id();
            s.close();
            reconnects += 1;
            s = sub_with(
                &demo,
                "/events?topic=a&topic=b",
                &[("last-event-id", id.as_bytes())],
            );
        }
        assert!(reconnects >= 5, "only {reconnects} reconnects");
        (publisher.join().expect("publisher"), got)
    });
    let (all, got) = published;
    let expected: Vec<(String, String)> = all
        .into_iter()
        .filter(|(topic, _, _)| *topic != "c")
        .map(|(_, id, data)| (id, data))
        .collect();
    assert_same_sequence(&got, &expected, "resuming while publishing");
}

/// The page's case: a client on `chat` and `clock` resumes from whatever id it saw last
/// (a chat message's, or a tick's or presence's when those carry ids): exactly, without
/// `reset`, nothing replayed twice, nothing missed.
fn resume_from_last_id_seen_with_ticks(bin: &Bin) {
    let demo = start(bin, &["--clock-ms", "50"]);
    let target = "/events?topic=chat&topic=clock";
    let mut s = sub(&demo, target);
    let before = publish(&demo, "chat", "before");
    assert_eq!(
        s.message_skipping(&["presence", "tick"]).last_event_id,
        before
    );
    let mut ticks = 0;
    while ticks < 3 {
        let m = s.message_skipping(&["presence"]);
        assert_eq!(m.event, "tick", "{m:?}");
        ticks += 1;
    }
    let seen = s.last_event_id();
    s.close();
    let after = publish(&demo, "chat", "after");
    let mut s = sub_with(&demo, target, &[("last-event-id", seen.as_bytes())]);
    loop {
        let m = s.message();
        assert_ne!(
            m.event, "reset",
            "resuming from {seen:?}, an id this stream gave"
        );
        if m.event == "message" {
            assert_eq!(
                (m.data.as_str(), m.last_event_id.as_str()),
                ("after", after.as_str()),
                "from {seen:?}"
            );
            break;
        }
    }
}

/// An id this server never issued yields `reset` first, then the live stream (a
/// replay of what history holds is allowed after the reset); by header and by query.
fn reset_for_unknown_id(bin: &Bin) {
    let demo = start(bin, &[]);
    let mut h = history(&demo, "t", 3);
    for (i, bogus) in ["no-such-id", "0000-never", "zz"].into_iter().enumerate() {
        let mut by_header = sub_with(
            &demo,
            "/events?topic=t",
            &[("last-event-id", bogus.as_bytes())],
        );
        let mut by_query = sub(
            &demo,
            &format!("/events?topic=t&lastEventId={}", encode(bogus)),
        );
        let data = format!("live{i}");
        let live = (publish(&demo, "t", &data), data);
        assert_reset_then_live(&mut by_header, &h, &live);
        assert_reset_then_live(&mut by_query, &h, &live);
        h.push(live);
    }
}

/// An id "from the future" (shaped like this server's ids, but not issued yet) yields
/// `reset`.
fn reset_for_future_id(bin: &Bin) {
    let demo = start(bin, &[]);
    let h = history(&demo, "t", 3);
    let future = future_id(&h[2].0);
    let mut s = sub_with(
        &demo,
        "/events?topic=t",
        &[("last-event-id", future.as_bytes())],
    );
    let live = (publish(&demo, "t", "live"), "live".to_owned());
    assert_reset_then_live(&mut s, &h, &live);
}

/// With `--history 3`, an id older than the three events kept for its topic yields
/// `reset`; an id still held resumes exactly. History is per topic.
fn reset_for_id_older_than_history(bin: &Bin) {
    let demo = start(bin, &["--history", "3"]);
    let t = history(&demo, "t", 6);
    let _u = history(&demo, "u", 10);
    let mut s = sub_with(
        &demo,
        "/events?topic=t",
        &[("last-event-id", t[1].0.as_bytes())],
    );
    let live = (publish(&demo, "t", "live"), "live".to_owned());
    assert_reset_then_live(&mut s, &t[3..], &live);
    let mut s = sub_with(
        &demo,
        "/events?topic=t",
        &[("last-event-id", t[4].0.as_bytes())],
    );
    let first = s.message();
    assert_eq!(
        first.event, "message",
        "no reset for an id still in history: {first:?}"
    );
    assert_eq!((first.last_event_id, first.data), t[5].clone());
    let m = s.message();
    assert_eq!((m.last_event_id, m.data), live);
}

/// A Last-Event-ID over 1 KiB is ignored as if absent (no reset, no replay; the query
/// parameter then counts); exactly 1 KiB is a value like any other (never issued:
/// reset).
fn last_event_id_over_1kib_ignored(bin: &Bin) {
    let demo = start(bin, &[]);
    let h = history(&demo, "t", 2);
    let over = "a".repeat(1025);
    let mut by_header = sub_with(
        &demo,
        "/events?topic=t",
        &[("last-event-id", over.as_bytes())],
    );
    let mut by_query = sub(&demo, &format!("/events?topic=t&lastEventId={over}"));
    let target = format!("/events?topic=t&lastEventId={}", encode(&h[0].0));
    let mut header_then_query = sub_with(&demo, &target, &[("last-event-id", over.as_bytes())]);
    let exact = "a".repeat(1024);
    let mut at_limit = sub_with(
        &demo,
        "/events?topic=t",
        &[("last-event-id", exact.as_bytes())],
    );
    let live = (publish(&demo, "t", "live"), "live".to_owned());
    for s in [&mut by_header, &mut by_query] {
        let m = s.message();
        assert_eq!(
            (m.event.as_str(), &m.last_event_id, &m.data),
            ("message", &live.0, &live.1)
        );
    }
    assert_eq!(
        read_n(&mut header_then_query, 2),
        [h[1].clone(), live.clone()]
    );
    assert_reset_then_live(&mut at_limit, &h, &live);
}

/// A Last-Event-ID with control characters is ignored as if absent.
fn last_event_id_control_chars_ignored(bin: &Bin) {
    let demo = start(bin, &[]);
    let h = history(&demo, "t", 2);
    let mut subs = vec![
        sub_with(&demo, "/events?topic=t", &[("last-event-id", b"ab\tcd")]),
        sub(&demo, "/events?topic=t&lastEventId=ab%01cd"),
        sub(&demo, "/events?topic=t&lastEventId=ab%7Fcd"),
        sub(&demo, "/events?topic=t&lastEventId=ab%0Acd"),
        sub(&demo, "/events?topic=t&lastEventId=%00"),
    ];
    let target = format!("/events?topic=t&lastEventId={}", encode(&h[0].0));
    let mut header_then_query = sub_with(&demo, &target, &[("last-event-id", b"x\ty")]);
    let live = (publish(&demo, "t", "live"), "live".to_owned());
    for s in &mut subs {
        let m = s.message();
        assert_eq!(
            (m.event.as_str(), &m.last_event_id, &m.data),
            ("message", &live.0, &live.1)
        );
    }
    assert_eq!(read_n(&mut header_then_query, 2), [h[1].clone(), live]);
}

// ---------------------------------------------------------------------------------------
// Presence and the clock

/// The next `presence` count `s` receives that differs from `previous`.
fn next_presence(s: &mut Sub, previous: Option<u64>) -> u64 {
    loop {
        let m = s.message();
        assert_eq!(
            m.event, "presence",
            "only presence expected on chat here: {m:?}"
        );
        assert!(
            !m.data.is_empty()
                && m.data.bytes().all(|b| b.is_ascii_digit())
                && (m.data == "0" || !m.data.starts_with('0')),
            "presence data is a decimal number: {:?}",
            m.data
        );
        let n = m.data.parse().expect("decimal");
        if Some(n) != previous {
            return n;
        }
    }
}

/// `chat` subscribers get `presence` with the current count whenever it changes; a new
/// subscriber's first count includes itself; other topics do not count.
fn presence_counts(bin: &Bin) {
    let demo = start(bin, &["--keep-alive-ms", "100"]);
    let mut a = sub(&demo, "/events?topic=chat");
    assert_eq!(next_presence(&mut a, None), 1);
    let mut b = sub(&demo, "/events?topic=chat");
    assert_eq!(next_presence(&mut b, None), 2);
    assert_eq!(next_presence(&mut a, Some(1)), 2);
    let other = sub(&demo, "/events?topic=other");
    let mut d = sub(&demo, "/events?topic=other&topic=chat");
    assert_eq!(next_presence(&mut d, None), 3);
    assert_eq!(next_presence(&mut a, Some(2)), 3);
    assert_eq!(next_presence(&mut b, Some(2)), 3);
    b.close();
    assert_eq!(next_presence(&mut a, Some(3)), 2);
    assert_eq!(next_presence(&mut d, Some(3)), 2);
    other.close();
    d.close();
    assert_eq!(next_presence(&mut a, Some(2)), 1);
    // Chat messages and presence share the stream.
    let id = publish(&demo, "chat", "hi");
    let m = a.message_skipping(&["presence"]);
    assert_eq!(
        (m.data.as_str(), m.last_event_id.as_str()),
        ("hi", id.as_str())
    );
}

/// `clock`: `tick` events whose data is RFC 3339 time, every `--clock-ms`.
fn clock_ticks(bin: &Bin) {
    let demo = start(bin, &["--clock-ms", "100"]);
    let mut s = sub(&demo, "/events?topic=clock");
    let mut times = Vec::new();
    while times.len() < 6 {
        let m = s.message();
        assert_eq!(m.event, "tick", "{m:?}");
        let t = parse_rfc3339(&m.data)
            .unwrap_or_else(|| panic!("tick data is not RFC 3339: {:?}", m.data));
        let skew = (t - now_nanos()).abs();
        assert!(skew < 60_000_000_000, "tick {} is far from now", m.data);
        times.push(t);
    }
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "ticks go forward: {times:?}"
    );
    // Five periods of 100 ms: at least half of that between the first and last tick.
    assert!(
        times[5] - times[0] >= 250_000_000,
        "ticks too fast: {times:?}"
    );
}

/// Reads `n` comments (keep-alives), skipping `retry:` hints; fails on a message (none
/// may come, `because`), the end of the stream, or a timeout.
fn read_comments(s: &mut Sub, n: usize, because: &str) {
    let mut comments = 0;
    while comments < n {
        match s.next(LIVE) {
            Step::Frame(Frame::Comment(_)) => comments += 1,
            Step::Frame(Frame::Message(m)) => panic!("{because}, yet {m:?}"),
            Step::Frame(Frame::Retry(_)) => {}
            other => panic!("expected keep-alives: {other:?}"),
        }
    }
}

/// `--clock-ms 0` turns the clock off.
fn clock_off(bin: &Bin) {
    let demo = start(bin, &["--clock-ms", "0", "--keep-alive-ms", "100"]);
    let mut s = sub(&demo, "/events?topic=clock");
    read_comments(&mut s, 5, "the clock is off");
}

/// `--keep-alive-ms N`: a comment after N ms of silence, again and again.
fn keep_alive_after_silence(bin: &Bin) {
    let demo = start(bin, &["--keep-alive-ms", "150", "--clock-ms", "0"]);
    let started = Instant::now();
    let mut s = sub(&demo, "/events?topic=t");
    read_comments(&mut s, 4, "nothing was published");
    // Four comments, at most one before the first interval: at least 3 x 150 ms.
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(450),
        "keep-alives too frequent: 4 in {elapsed:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Stream lifetime and shutdown

/// Asserts a stream that just ended did so on an event boundary, after a `retry:` hint
/// of at most `max_retry` ms that no message follows.
fn assert_ended_with_retry(s: &Sub, max_retry: Option<u64>, what: &str) {
    assert!(
        s.on_event_boundary(),
        "{what}: ended inside an event: {:?}",
        s.text()
    );
    let last_retry = s.frames.iter().rposition(|f| matches!(f, Frame::Retry(_)));
    let Some(at) = last_retry else {
        panic!("{what}: no retry: hint before the end: {:?}", s.text());
    };
    let Frame::Retry(ms) = s.frames[at] else {
        unreachable!()
    };
    if let Some(max) = max_retry {
        assert!(ms <= max, "{what}: retry {ms} > {max}");
    }
    assert!(
        !s.frames[at..]
            .iter()
            .any(|f| matches!(f, Frame::Message(_))),
        "{what}: messages after the retry hint: {:?}",
        s.text()
    );
}

/// `--max-stream-ms N`: each stream ends between 0.5 N and 1.5 N after a `retry:` of
/// at most 1000 on an event boundary; resuming loses nothing while events flow.
fn max_stream_lifetime(bin: &Bin) {
    let n = 600_u64;
    let demo = start(bin, &["--max-stream-ms", "600", "--clock-ms", "0"]);
    let total = 150;
    // The first stream is open before anything is published.
    let mut first = Some((Instant::now(), sub(&demo, "/events?topic=t")));
    let (published, got, streams) = thread::scope(|scope| {
        let publisher = scope.spawn(|| {
            (0..total)
                .map(|i| {
                    let data = format!("m{i}");
                    let id = publish(&demo, "t", &data);
                    thread::sleep(Duration::from_millis(12));
                    (id, data)
                })
                .collect::<Vec<_>>()
        });
        let last = format!("m{}", total - 1);
        let mut got: Vec<(String, String)> = Vec::new();
        let mut streams = 0;
        let mut last_id = String::new();
        loop {
            let (opened, mut s) = first.take().unwrap_or_else(|| {
                let headers = [("last-event-id", last_id.as_bytes())];
                (Instant::now(), sub_with(&demo, "/events?topic=t", &headers))
            });
            streams += 1;
            let frames = s.until_end(LIVE);
            let lived = opened.elapsed();
            let what = format!("stream {streams}");
            assert_ended_with_retry(&s, Some(1000), &what);
            assert!(
                lived >= Duration::from_millis(n / 2),
                "{what} ended after {lived:?} < 0.5 N"
            );
            assert!(
                lived <= Duration::from_millis(n * 3 / 2 + 1500),
                "{what} lived {lived:?} > 1.5 N (+1.5 s slack)"
            );
            for m in messages(&frames) {
                assert_eq!(m.event, "message", "{what}: {m:?}");
                got.push((m.last_event_id, m.data));
            }
            last_id = s.last_event_id();
            if got.last().is_some_and(|(_, d)| *d == last) {
                break;
            }
        }
        (publisher.join().expect("publisher"), got, streams)
    });
    assert!(streams >= 3, "only {streams} streams");
    assert_same_sequence(
        &got,
        &published,
        &format!("every event exactly once, in order, across {streams} streams"),
    );
}

/// Signals the demo and checks every stream ends promptly (after a `retry:` hint, on an
/// event boundary, with the chunked terminator) and the process exits 0 within the
/// grace period.
fn shutdown_on(bin: &Bin, signal: &str) {
    let grace = Duration::from_millis(10_000);
    let mut demo = start(bin, &["--shutdown-grace-ms", "10000", "--clock-ms", "100"]);
    let mut plain = sub(&demo, "/events?topic=t");
    let mut chat = sub(&demo, "/events?topic=chat");
    let mut mixed = sub(&demo, "/events?topic=clock&topic=t");
    let id = publish(&demo, "t", "before");
    assert_eq!(plain.message().last_event_id, id);
    assert_eq!(mixed.message_skipping(&["tick"]).last_event_id, id);
    assert_eq!(chat.message().event, "presence");
    let signalled = Instant::now();
    demo.signal(signal);
    for (name, s) in [
        ("t", &mut plain),
        ("chat", &mut chat),
        ("clock+t", &mut mixed),
    ] {
        let _ = s.until_end(LIVE);
        let after = signalled.elapsed();
        assert!(
            after < Duration::from_secs(4),
            "{name}: stream took {after:?} to end (not prompt)"
        );
        assert_ended_with_retry(s, None, name);
    }
    let status = demo
        .wait_exit(grace + Duration::from_secs(2))
        .unwrap_or_else(|| panic!("still running {:?} after SIG{signal}", signalled.elapsed()));
    let exited = signalled.elapsed();
    assert_eq!(
        status.code(),
        Some(0),
        "exit status after SIG{signal}; stderr:\n{}",
        demo.stderr()
    );
    assert!(
        exited <= grace + Duration::from_secs(1),
        "exit took {exited:?}"
    );
}

fn shutdown_on_sigterm(bin: &Bin) {
    shutdown_on(bin, "TERM");
}

fn shutdown_on_sigint(bin: &Bin) {
    shutdown_on(bin, "INT");
}

/// A client that stops reading cannot hold the process past `--shutdown-grace-ms`.
fn shutdown_within_grace_despite_stuck_client(bin: &Bin) {
    let mut demo = start(bin, &["--shutdown-grace-ms", "1000", "--clock-ms", "0"]);
    let stuck = sub(&demo, "/events?topic=big");
    let mut reader = sub(&demo, "/events?topic=t");
    let big = "z".repeat(512 * 1024);
    for _ in 0..24 {
        publish(&demo, "big", &big);
    }
    let id = publish(&demo, "t", "x");
    assert_eq!(reader.message().last_event_id, id);
    let signalled = Instant::now();
    demo.signal("TERM");
    let _ = reader.until_end(LIVE);
    assert_ended_with_retry(&reader, None, "reading client");
    let status = demo.wait_exit(LIVE).expect("exit");
    let exited = signalled.elapsed();
    assert_eq!(status.code(), Some(0), "stderr:\n{}", demo.stderr());
    assert!(
        exited <= Duration::from_millis(1000 + 1500),
        "exit took {exited:?} with a 1 s grace"
    );
    drop(stuck);
}

/// A subscriber that stops reading while much is published, then reads on (resuming
/// with Last-Event-ID whenever its stream ends), loses nothing that history holds.
/// (With the demo's hub defaults, all three binaries disconnect it once here; the
/// contract leaves "too far behind" open, so that is not asserted.)
fn slow_subscriber_loses_nothing(bin: &Bin) {
    // The default history (1000 events) holds all 900 events (14 MiB), far more than
    // the sockets buffer for a client with a small receive buffer: it falls behind.
    let demo = start(bin, &["--clock-ms", "0"]);
    let mut s = Sub::open_small_buffer(demo.addr, "/events?topic=t", &[]);
    let total = 900;
    let pad = "p".repeat(16 * 1024);
    let published: Vec<(String, String)> = (0..total)
        .map(|i| {
            let data = format!("{i} {pad}");
            (publish(&demo, "t", &data), data)
        })
        .collect();
    let mut got: Vec<(String, String)> = Vec::new();
    let mut resumed = 0;
    while got.len() < total {
        match s.next(LIVE) {
            Step::Frame(Frame::Message(m)) => {
                assert_eq!(m.event, "message", "nothing may be lost: {:?}", m.event);
                got.push((m.last_event_id, m.data));
            }
            Step::Frame(_) => {}
            Step::End => {
                let id = s.last_event_id();
                resumed += 1;
                s = sub_with(
                    &demo,
                    "/events?topic=t",
                    &[("last-event-id", id.as_bytes())],
                );
            }
            Step::Timeout => panic!("stalled after {} of {total} events", got.len()),
        }
    }
    assert_same_sequence(
        &got,
        &published,
        &format!("slow subscriber, {resumed} resumes"),
    );
}

// ---------------------------------------------------------------------------------------
// CORS

const ORIGIN_A: &str = "http://a.example";
const ORIGIN_B: &str = "http://b.example:8080";

/// Allowed origins get their exact origin, credentials and `Vary: Origin`; others,
/// near misses included, get no CORS headers.
fn cors_allowed_origins(bin: &Bin) {
    let demo = start(
        bin,
        &["--allow-origin", ORIGIN_A, "--allow-origin", ORIGIN_B],
    );
    for origin in [ORIGIN_A, ORIGIN_B] {
        let s = sub_with(&demo, "/events?topic=t", &[("origin", origin.as_bytes())]);
        assert!(
            s.head.grants_with_credentials(origin),
            "{origin}: {:?}",
            s.head.headers
        );
        assert!(
            s.head.has_token("vary", "origin"),
            "Vary: Origin for {origin}: {:?}",
            s.head.headers
        );
    }
    for origin in [
        "http://c.example",
        "http://a.example.evil",
        "http://A.example",
        "http://a.example/",
        "https://a.example",
        "http://b.example",
        "null",
        "*",
    ] {
        let s = sub_with(&demo, "/events?topic=t", &[("origin", origin.as_bytes())]);
        assert_no_cors(&s.head, origin);
    }
    let s = sub(&demo, "/events?topic=t");
    assert_no_cors(&s.head, "no Origin");
}

/// A preflight from an allowed origin asking for `last-event-id` is answered 2xx
/// allowing it; from another origin it gets no CORS headers.
fn cors_preflight(bin: &Bin) {
    let demo = start(bin, &["--allow-origin", ORIGIN_A]);
    let preflight = |origin: &str, asked: &[u8]| {
        request(
            &demo,
            "OPTIONS",
            "/events?topic=t",
            &[
                ("origin", origin.as_bytes()),
                ("access-control-request-method", b"GET"),
                ("access-control-request-headers", asked),
            ],
            None,
        )
    };
    for asked in [&b"last-event-id"[..], b"Last-Event-ID"] {
        let r = preflight(ORIGIN_A, asked);
        assert!(
            (200..300).contains(&r.status),
            "preflight status {} {:?}",
            r.status,
            r.headers
        );
        assert!(r.grants_with_credentials(ORIGIN_A), "{:?}", r.headers);
        assert!(
            r.has_token("access-control-allow-headers", "last-event-id"),
            "allow-headers {:?}",
            r.list("access-control-allow-headers")
        );
        let methods = r.list("access-control-allow-methods");
        assert!(
            methods.is_empty() || r.has_token("access-control-allow-methods", "GET"),
            "allow-methods {methods:?}"
        );
    }
    let r = preflight("http://evil.example", b"last-event-id");
    assert_no_cors(&r, "preflight from another origin");
}

/// Without `--allow-origin`, no origin gets CORS headers.
fn cors_off_by_default(bin: &Bin) {
    let demo = start(bin, &[]);
    let s = sub_with(&demo, "/events?topic=t", &[("origin", ORIGIN_A.as_bytes())]);
    assert_no_cors(&s.head, "GET without --allow-origin");
    let r = request(
        &demo,
        "OPTIONS",
        "/events?topic=t",
        &[
            ("origin", ORIGIN_A.as_bytes()),
            ("access-control-request-method", b"GET"),
            ("access-control-request-headers", b"last-event-id"),
        ],
        None,
    );
    assert_no_cors(&r, "preflight without --allow-origin");
}

// ---------------------------------------------------------------------------------------
// /stats

fn topic_counts(stats: &Value, topic: &str) -> Option<(u64, u64)> {
    let t = stats["topics"].get(topic)?;
    Some((t["subscribers"].as_u64()?, t["published"].as_u64()?))
}

/// `/stats` counts live subscriber connections now and events accepted through
/// `/publish` (not ticks, presence, or rejected publishes), in total and per topic.
fn stats_counts(bin: &Bin) {
    let demo = start(bin, &["--clock-ms", "50", "--keep-alive-ms", "100"]);
    let empty = stats(&demo);
    assert_eq!(empty["subscribers"], json!(0), "{empty}");
    assert_eq!(empty["published"], json!(0), "{empty}");
    let topics = empty["topics"]
        .as_object()
        .unwrap_or_else(|| panic!("topics is an object: {empty}"));
    for (name, counts) in topics {
        assert_eq!(
            counts,
            &json!({"subscribers": 0, "published": 0}),
            "{name} in {empty}"
        );
    }
    let mut chat1 = sub(&demo, "/events?topic=chat");
    let chat2 = sub(&demo, "/events?topic=chat");
    let ab = sub(&demo, "/events?topic=a&topic=b");
    let mut clock = sub(&demo, "/events?topic=clock");
    for _ in 0..3 {
        publish(&demo, "a", "x");
    }
    publish(&demo, "chat", "hello");
    publish(&demo, "z", "1");
    publish(&demo, "z", "2");
    let rejected = publish_raw(&demo, br#"{"topic":"a","data":"x","retry_ms":-1}"#);
    assert_eq!(rejected.status, 400);
    // Ticks and presence flowed meanwhile.
    assert_eq!(clock.message().event, "tick");
    assert_eq!(clock.message().event, "tick");
    let _ = chat1.message_skipping(&["presence"]);
    let now = stats_until(&demo, "4 subscribers", |s| s["subscribers"] == json!(4));
    assert_eq!(now["published"], json!(6), "{now}");
    assert_eq!(topic_counts(&now, "a"), Some((1, 3)), "{now}");
    assert_eq!(topic_counts(&now, "b"), Some((1, 0)), "{now}");
    assert_eq!(topic_counts(&now, "chat"), Some((2, 1)), "{now}");
    assert_eq!(topic_counts(&now, "clock"), Some((1, 0)), "{now}");
    assert_eq!(topic_counts(&now, "z"), Some((0, 2)), "{now}");
    chat2.close();
    ab.close();
    let now = stats_until(&demo, "2 subscribers", |s| s["subscribers"] == json!(2));
    assert_eq!(now["published"], json!(6), "{now}");
    assert_eq!(topic_counts(&now, "chat"), Some((1, 1)), "{now}");
    assert_eq!(topic_counts(&now, "a").map(|c| c.0), Some(0), "{now}");
    drop(clock);
    drop(chat1);
}

// ---------------------------------------------------------------------------------------
// Flags

/// Bad flags: exit status 2 and an error on stderr naming the flag.
fn bad_flags_exit_2(bin: &Bin) {
    let addr = format!("127.0.0.1:{}", free_port());
    let cases: [(&[&str], &str); 11] = [
        (&["--bogus"], "--bogus"),
        (&["--clock-ms", "abc"], "--clock-ms"),
        (&["--keep-alive-ms=-5"], "--keep-alive-ms"),
        (&["--history", "lots"], "--history"),
        (&["--max-stream-ms", "1.5"], "--max-stream-ms"),
        (&["--shutdown-grace-ms", ""], "--shutdown-grace-ms"),
        (&["--clock-ms", "99999999999999999999999"], "--clock-ms"),
        (&["--allow-origin"], "--allow-origin"),
        (&["--keep-alive-ms"], "--keep-alive-ms"),
        (&["--addr", "not-an-address"], "--addr"),
        (&["--addr", "127.0.0.1"], "--addr"),
    ];
    for (flags, named) in cases {
        let mut args = vec!["--addr", addr.as_str()];
        args.extend_from_slice(flags);
        let (status, stderr) = run_to_exit(bin, &args, LIVE);
        assert_eq!(
            status.code(),
            Some(2),
            "{flags:?}: {status}; stderr:\n{stderr}"
        );
        assert!(
            stderr.contains(named),
            "{flags:?}: stderr does not name {named}:\n{stderr}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Every case, for every binary

macro_rules! contract {
    ($($case:ident),* $(,)?) => {
        mod axum {
            $( #[test] fn $case() { super::$case(&super::Bin::AXUM) } )*
        }
        mod actix {
            $( #[test] fn $case() { super::$case(&super::Bin::ACTIX) } )*
        }
        mod warp {
            $( #[test] fn $case() { super::$case(&super::Bin::WARP) } )*
        }
    };
}

contract!(
    page_is_self_contained_html,
    healthz_ok,
    unknown_paths_404,
    events_requires_topic,
    events_rejects_bad_topics,
    events_headers,
    events_multi_topic_in_publish_order,
    events_repeated_topic_once,
    events_many_topics,
    publish_id_is_the_event_id,
    publish_rejects_bad_json,
    publish_rejects_wrong_types,
    publish_topic_rules,
    publish_event_rules,
    publish_retry_rules,
    publish_ignores_unknown_fields,
    publish_body_limit,
    publish_body_limit_chunked,
    publish_on_a_kept_alive_connection,
    data_exact,
    ids_ordered_hub_wide,
    resume_by_header,
    resume_by_query,
    resume_header_wins,
    resume_no_gap_no_duplicate,
    resume_from_last_id_seen_with_ticks,
    reset_for_unknown_id,
    reset_for_future_id,
    reset_for_id_older_than_history,
    last_event_id_over_1kib_ignored,
    last_event_id_control_chars_ignored,
    presence_counts,
    clock_ticks,
    clock_off,
    keep_alive_after_silence,
    max_stream_lifetime,
    shutdown_on_sigterm,
    shutdown_on_sigint,
    shutdown_within_grace_despite_stuck_client,
    slow_subscriber_loses_nothing,
    cors_allowed_origins,
    cors_preflight,
    cors_off_by_default,
    stats_counts,
    bad_flags_exit_2,
);

#[test]
fn future_id_is_later_in_the_same_shape() {
    assert_eq!(future_id("41"), "1000041");
    assert_eq!(future_id("ab-12-7"), "ab-12-1000007");
    assert_eq!(future_id("7x"), "1000007x");
    assert_eq!(future_id("abc"), "abc~");
}
