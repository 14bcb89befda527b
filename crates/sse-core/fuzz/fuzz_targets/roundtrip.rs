//! encode -> decode gives what a client should read, or the builder returns an error.
#![no_main]

use std::time::Duration;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sse_core::decode_all;

// The same client model as the property tests.
#[path = "../../tests/common/model.rs"]
#[allow(dead_code)]
mod model;

use model::{EventSpec, build, decode_chunks, expected_error, expected_frames};

#[derive(Debug, Arbitrary)]
struct Input {
    comments: Vec<String>,
    event: Option<String>,
    id: Option<String>,
    retry: Option<(u64, u32)>,
    data: Option<String>,
    /// A second event after the first, to check that ids persist.
    then: Option<String>,
}

fuzz_target!(|input: Input| {
    let spec = EventSpec {
        comments: input.comments,
        event: input.event,
        id: input.id,
        retry: input.retry.map(|(secs, nanos)| Duration::new(secs, nanos % 1_000_000_000)),
        data: input.data,
    };
    let event = match (expected_error(&spec), build(&spec)) {
        (Some(expected), Err(err)) => {
            assert_eq!((err.field(), err.problem()), expected);
            return;
        }
        (None, Ok(event)) => event,
        (expected, built) => panic!("expected {expected:?}, built {built:?}"),
    };
    let mut last_id = String::new();
    let mut expected = expected_frames(&spec, &mut last_id);
    let mut stream = event.encode().as_bytes().to_vec();
    if let Some(data) = input.then {
        let next = EventSpec {
            data: Some(data),
            ..EventSpec::default()
        };
        stream.extend_from_slice(build(&next).map(|e| e.encode()).unwrap().as_bytes());
        expected.extend(expected_frames(&next, &mut last_id));
    }
    assert_eq!(decode_all(&stream), expected);
    assert_eq!(decode_chunks(stream.chunks(1)), expected);
});
