//! `POST /publish`: the body's rules, its size limit, kept-alive connections.

use serde_json::json;
use sse_conformance::client::Conn;
use sse_core::Frame;

use crate::support::LIVE;
use crate::support::api::{assert_json_error, publish, publish_raw, publish_value};
use crate::support::check::{assert_nothing_before_marker, encode, read_n};
use crate::support::server::{Bin, start};
use crate::support::sse::{Step, sub};

/// One MiB: the largest `/publish` body accepted.
const MIB: usize = 1024 * 1024;

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

/// 202 with `{"id": ...}`; the event carries that id, the given `event` name (default
/// `message`) and the data. Ids are distinct.
pub(crate) fn publish_id_is_the_event_id(bin: &Bin) {
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
pub(crate) fn publish_rejects_bad_json(bin: &Bin) {
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
pub(crate) fn publish_rejects_wrong_types(bin: &Bin) {
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
pub(crate) fn publish_topic_rules(bin: &Bin) {
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
pub(crate) fn publish_event_rules(bin: &Bin) {
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
pub(crate) fn publish_retry_rules(bin: &Bin) {
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
pub(crate) fn publish_ignores_unknown_fields(bin: &Bin) {
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
pub(crate) fn publish_body_limit(bin: &Bin) {
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
pub(crate) fn publish_body_limit_chunked(bin: &Bin) {
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
pub(crate) fn publish_on_a_kept_alive_connection(bin: &Bin) {
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
