//! The fuzz loop that CI runs: a fixed budget of generated inputs (a few seconds).
//!
//! * On any bytes, with any size limit, the decoder never panics and gives the frames,
//!   the last event ID and the reconnection time of the reference client in
//!   `common/client.rs`, however the bytes are chunked (whole, at random cuts, one byte
//!   at a time), and across a reconnection (`finish` then a second stream).
//! * Whatever arbitrary Unicode a caller puts in an event, encode then decode gives back
//!   what the model predicts (or the builder returns an error).
//!
//! Longer runs: `PROPTEST_CASES=200000 cargo test --release -p sse-core --test fuzz`;
//! `PROPTEST_RNG_SEED=<n>` replays a run. Coverage-guided fuzzing of the same two
//! properties lives in `crates/sse-core/fuzz` (`cargo fuzz`).

mod common;

use std::time::Duration;

use common::client::Client;
use common::model::{
    build, decode_connection, expected_error, expected_frames, split_at_positions,
};
use common::strategies::{cuts, event_spec, limit, line_stream, stream_bytes};
use proptest::prelude::*;
use proptest::test_runner::Config;
use sse_core::{Decoder, decode_all};

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
    fn decoder_reads_any_bytes_like_the_reference_client(
        input in prop_oneof![stream_bytes(), line_stream()],
        cuts in cuts(),
        limit in limit(),
    ) {
        let mut client = Client::new(limit);
        let expected = client.connection(&input);
        let pieces = split_at_positions(&input, &cuts);
        for (how, chunks) in [
            ("whole", vec![input.as_slice()]),
            ("at random cuts", pieces.iter().map(Vec::as_slice).collect()),
            ("one byte at a time", input.chunks(1).collect()),
        ] {
            let mut decoder = Decoder::new().max_size(limit);
            prop_assert_eq!(&decode_connection(&mut decoder, chunks), &expected, "{}", how);
            prop_assert_eq!(decoder.last_event_id(), client.last_event_id.as_str(), "{}", how);
            prop_assert_eq!(
                decoder.reconnection_time(),
                client.reconnection_ms.map(Duration::from_millis),
                "{}", how
            );
        }
    }

    #[test]
    fn a_reconnection_carries_only_what_was_dispatched(
        first in prop_oneof![stream_bytes(), line_stream()],
        second in prop_oneof![stream_bytes(), line_stream()],
        cuts in cuts(),
        limit in limit(),
    ) {
        let mut client = Client::new(limit);
        let mut expected = client.connection(&first);
        expected.extend(client.connection(&second));
        let mut decoder = Decoder::new().max_size(limit);
        let pieces = split_at_positions(&first, &cuts);
        let mut frames = decode_connection(&mut decoder, pieces.iter().map(Vec::as_slice));
        frames.extend(decode_connection(&mut decoder, second.chunks(7)));
        prop_assert_eq!(frames, expected);
        prop_assert_eq!(decoder.last_event_id(), client.last_event_id.as_str());
        prop_assert_eq!(
            decoder.reconnection_time(),
            client.reconnection_ms.map(Duration::from_millis)
        );
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
