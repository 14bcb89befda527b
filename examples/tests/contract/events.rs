//! `GET /events`: topics, headers, order, and data delivered exactly.

use sse_core::RESPONSE_HEADERS;

use crate::support::api::{assert_json_error, get, publish};
use crate::support::check::{assert_nothing_before_marker, read_n};
use crate::support::server::{Bin, start};
use crate::support::sse::sub;

/// Without a topic: 400 with a JSON reason.
pub(crate) fn events_requires_topic(bin: &Bin) {
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
pub(crate) fn events_rejects_bad_topics(bin: &Bin) {
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
pub(crate) fn events_headers(bin: &Bin) {
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
pub(crate) fn events_multi_topic_in_publish_order(bin: &Bin) {
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
pub(crate) fn events_repeated_topic_once(bin: &Bin) {
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
pub(crate) fn events_many_topics(bin: &Bin) {
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

/// Data arrives exactly (CRLF and lone CR seen as LF): empty, leading spaces, unicode,
/// blank lines, text that looks like fields.
pub(crate) fn data_exact(bin: &Bin) {
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
