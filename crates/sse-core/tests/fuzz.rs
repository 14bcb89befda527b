//! The fuzz loop that CI runs: a fixed budget of generated inputs (a few seconds).
//!
//! * The decoder never panics on any bytes, and gives the same frames however the
//!   bytes are chunked (whole, at random cuts, one byte at a time).
//! * Whatever arbitrary Unicode a caller puts in an event, encode then decode gives back
//!   what the model predicts (or the builder returns an error).
//!
//! Longer runs: `PROPTEST_CASES=200000 cargo test --release -p sse-core --test fuzz`;
//! `PROPTEST_RNG_SEED=<n>` replays a run. Coverage-guided fuzzing of the same two
//! properties lives in `crates/sse-core/fuzz` (`cargo fuzz`).

mod common;

use common::model::{build, decode_chunks, expected_error, expected_frames, split_at_positions};
use common::strategies::{cuts, event_spec, stream_bytes};
use proptest::prelude::*;
use proptest::test_runner::Config;
use sse_core::{Decoder, Frame, decode_all};

/// `PROPTEST_CASES` when set, otherwise `default`.
fn budget(default: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default);
    Config {
        cases,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(budget(20_000))]

    #[test]
    fn decoder_is_chunking_invariant_on_any_bytes(input in stream_bytes(), cuts in cuts()) {
        let whole = decode_all(&input);
        let pieces = split_at_positions(&input, &cuts);
        prop_assert_eq!(&decode_chunks(pieces.iter().map(Vec::as_slice)), &whole);
        prop_assert_eq!(&decode_chunks(input.chunks(1)), &whole);
        // Every message the decoder yields was ended by a blank line, so the input
        // has at least as many line ends as messages.
        let line_ends = input.iter().filter(|&&b| b == b'\n' || b == b'\r').count();
        let messages = whole.iter().filter(|f| matches!(f, Frame::Message(_))).count();
        prop_assert!(messages <= line_ends);
    }

    #[test]
    fn decoder_after_finish_is_a_fresh_stream_keeping_the_id(
        first in stream_bytes(),
        second in stream_bytes(),
    ) {
        let mut decoder = Decoder::new();
        decoder.push(&first);
        decoder.by_ref().for_each(drop);
        decoder.finish();
        let kept_id = decoder.last_event_id().to_owned();
        decoder.push(&second);
        let frames: Vec<Frame> = decoder.by_ref().collect();
        // A fresh decoder that starts with the same last id reads `second` the same way
        // (its BOM, if any, stripped by hand: the id line came first in this one).
        let mut fresh = Decoder::new();
        fresh.push(format!("id: {kept_id}\n\n").as_bytes());
        fresh.push(second.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&second));
        let expected: Vec<Frame> = fresh.by_ref().collect();
        prop_assert_eq!(frames, expected);
    }

    #[test]
    fn encode_then_decode_matches_the_model(spec in event_spec()) {
        let built = build(&spec);
        match (expected_error(&spec), built) {
            (Some(expected), Err(err)) => prop_assert_eq!((err.field(), err.problem()), expected),
            (None, Ok(event)) => {
                let mut last_id = String::new();
                prop_assert_eq!(
                    decode_all(event.encode().as_bytes()),
                    expected_frames(&spec, &mut last_id)
                );
            }
            (expected, built) => {
                prop_assert!(false, "expected {:?}, built {:?}", expected, built);
            }
        }
    }
}
