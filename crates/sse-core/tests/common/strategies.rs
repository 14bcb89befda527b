//! proptest strategies for event fields and raw streams, biased towards the bytes that
//! matter to the protocol (line breaks, NUL, colons, spaces, BOM, multi-byte UTF-8).

use std::time::Duration;

use proptest::prelude::*;

use super::model::EventSpec;

/// Text made of protocol-relevant pieces, or any Unicode string at all.
pub(crate) fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\r".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("\n\r".to_owned()),
        Just("\0".to_owned()),
        Just(" ".to_owned()),
        Just(":".to_owned()),
        Just("\u{feff}".to_owned()),
        Just("data: forged".to_owned()),
        Just("id: 9".to_owned()),
        Just("é日本🎉\u{2028}".to_owned()),
        "[a-z]{1,4}",
        any::<char>().prop_map(String::from),
    ];
    prop_oneof![
        4 => prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat()),
        1 => any::<String>(),
    ]
}

/// A valid or invalid event name or id: mostly plain, sometimes anything.
pub(crate) fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[ a-zA-Z0-9_.:é日-]{0,12}",
        1 => text(),
    ]
}

/// A reconnection delay: small, sub-millisecond, or beyond `u64::MAX` milliseconds.
pub(crate) fn retry() -> impl Strategy<Value = Duration> {
    prop_oneof![
        (0u64..100_000).prop_map(Duration::from_millis),
        (0u64..10_000_000).prop_map(Duration::from_micros),
        (any::<u64>(), 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
    ]
}

/// Any combination of fields, valid or not.
pub(crate) fn event_spec() -> impl Strategy<Value = EventSpec> {
    (
        prop::collection::vec(text(), 0..3),
        prop::option::of(name()),
        prop::option::of(name()),
        prop::option::of(retry()),
        prop::option::of(text()),
    )
        .prop_map(|(comments, event, id, retry, data)| EventSpec {
            comments,
            event,
            id,
            retry,
            data,
        })
}

/// Bytes that look like an event stream more often than random bytes would.
pub(crate) fn stream_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"data".to_vec()),
        Just(b"event".to_vec()),
        Just(b"id".to_vec()),
        Just(b"retry".to_vec()),
        Just(b":".to_vec()),
        Just(b" ".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\0".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"\xEF\xBB".to_vec()),
        Just(b"\xFF".to_vec()),
        Just("日".as_bytes().to_vec()),
        "[0-9]{1,21}".prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 1..8),
    ];
    prop_oneof![
        3 => prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat()),
        1 => prop::collection::vec(any::<u8>(), 0..256),
    ]
}

/// A stream of well-formed lines (data-heavy, with blank lines between events), so that
/// events of several `data:` lines reach a small size limit.
pub(crate) fn line_stream() -> impl Strategy<Value = Vec<u8>> {
    let line = prop_oneof![
        4 => "data:( ?[a-z日]{0,10})?",
        1 => "id:( ?[0-9]{0,3})?",
        1 => "event: [a-z]{0,4}",
        1 => "retry: [0-9]{1,4}",
        1 => Just(": c".to_owned()),
        2 => Just(String::new()),
    ];
    let ending = prop_oneof![Just("\n"), Just("\r"), Just("\r\n")];
    prop::collection::vec((line, ending), 0..30).prop_map(|lines| {
        lines
            .into_iter()
            .flat_map(|(line, end)| [line, end.to_owned()])
            .collect::<String>()
            .into_bytes()
    })
}

/// Cut positions for [`split_at_positions`](super::model::split_at_positions).
pub(crate) fn cuts() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(any::<usize>(), 0..16)
}

/// A decoder size limit: tiny (so that lines and events go over it) or the default.
pub(crate) fn limit() -> impl Strategy<Value = usize> {
    prop_oneof![
        3 => 0usize..48,
        1 => Just(sse_core::Decoder::DEFAULT_MAX_SIZE),
    ]
}
