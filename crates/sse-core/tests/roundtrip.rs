//! Property tests: what the encoder writes is what a spec-faithful client reads.
//!
//! For any field values, `decode(encode(event))` gives the frames the model in
//! `common/model.rs` predicts, however the bytes are chunked, and a field value that
//! cannot be written returns an error instead.

mod common;

use std::time::Duration;

use common::model::{
    EventSpec, build, decode_chunks, expected_error, expected_frames, split_at_positions,
};
use common::strategies::{cuts, event_spec, text};
use proptest::prelude::*;
use sse_core::{Encoded, Event, FieldName, Frame, Message, Problem, decode_all};

/// Encodes a valid spec, or checks that the builder rejects an invalid one as predicted.
fn encode_or_check_error(spec: &EventSpec) -> Result<Option<Encoded>, TestCaseError> {
    let built = build(spec);
    match expected_error(spec) {
        Some(expected) => {
            let err = built.err().ok_or_else(|| {
                TestCaseError::fail(format!("accepted an invalid event: {spec:?}"))
            })?;
            prop_assert_eq!((err.field(), err.problem()), expected);
            Ok(None)
        }
        None => match built {
            Ok(event) => Ok(Some(event.encode())),
            Err(err) => Err(TestCaseError::fail(format!(
                "rejected a valid event ({err}): {spec:?}"
            ))),
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn one_event_decodes_as_predicted(spec in event_spec()) {
        let Some(encoded) = encode_or_check_error(&spec)? else { return Ok(()) };
        prop_assert!(std::str::from_utf8(encoded.as_bytes()).is_ok());
        prop_assert_eq!(encoded.as_bytes().last(), Some(&b'\n'));
        let mut last_id = String::new();
        prop_assert_eq!(decode_all(encoded.as_bytes()), expected_frames(&spec, &mut last_id));
    }

    #[test]
    fn one_event_decodes_the_same_when_split_anywhere(spec in event_spec()) {
        let Some(encoded) = encode_or_check_error(&spec)? else { return Ok(()) };
        let bytes = encoded.as_bytes();
        let whole = decode_all(bytes);
        for at in 0..=bytes.len() {
            let (head, tail) = bytes.split_at(at);
            prop_assert_eq!(&decode_chunks([head, tail]), &whole, "split at {}", at);
        }
        prop_assert_eq!(&decode_chunks(bytes.chunks(1)), &whole, "one byte at a time");
    }

    #[test]
    fn events_in_sequence_decode_in_sequence_with_ids_persisting(
        specs in prop::collection::vec(event_spec(), 1..6),
        cuts in cuts(),
    ) {
        let mut encoded = Vec::new();
        let mut expected = Vec::new();
        let mut last_id = String::new();
        for spec in &specs {
            if let Some(frame) = encode_or_check_error(spec)? {
                encoded.push(frame);
                expected.extend(expected_frames(spec, &mut last_id));
            }
        }
        let stream = Encoded::concat(&encoded);
        prop_assert_eq!(decode_all(stream.as_bytes()), expected.clone());
        let pieces = split_at_positions(stream.as_bytes(), &cuts);
        prop_assert_eq!(decode_chunks(pieces.iter().map(Vec::as_slice)), expected);
    }

    #[test]
    fn invalid_names_and_ids_are_errors_never_panics(name in text(), id in text()) {
        let event_result = Event::new().event(name.clone());
        prop_assert_eq!(event_result.is_err(), name.contains(['\r', '\n']));
        let id_result = Event::new().id(id.clone());
        prop_assert_eq!(id_result.is_err(), id.contains(['\r', '\n', '\0']));
    }
}

// Fixed cases that pin the model above to the spec by hand, so that a wrong model
// cannot make the properties pass.

#[test]
fn the_model_agrees_with_hand_written_frames() {
    let spec = EventSpec {
        comments: vec!["a\r\nb".into()],
        event: Some(" up".into()),
        id: Some("7".into()),
        retry: Some(Duration::from_micros(1_500_999)),
        data: Some(" x\r\ny\rz\n".into()),
    };
    let mut last_id = String::new();
    let expected = [
        Frame::Comment("a".into()),
        Frame::Comment("b".into()),
        Frame::Retry(1500),
        Frame::Message(Message::new(" up", " x\ny\nz\n", "7")),
    ];
    assert_eq!(expected_frames(&spec, &mut last_id), expected);
    let encoded = build(&spec).map(|e| e.encode());
    assert_eq!(
        encoded.as_ref().map(|e| decode_all(e.as_bytes())).ok(),
        Some(expected.to_vec())
    );
}

#[test]
fn an_event_without_data_dispatches_nothing_but_sets_the_id() {
    let stream = Encoded::concat(&[
        Event::new()
            .id("1")
            .map(|e| e.encode())
            .unwrap_or_else(|e| panic!("{e}")),
        Event::new().data("after").encode(),
    ]);
    assert_eq!(
        decode_all(stream.as_bytes()),
        [Frame::Message(Message::new("message", "after", "1"))]
    );
}

#[test]
fn empty_event_name_is_message_and_empty_id_clears_the_last_id() {
    let first = Event::new().id("5").map(|e| e.data("a").encode());
    let second = Event::new()
        .event("")
        .and_then(|e| e.id(""))
        .map(|e| e.data("b").encode());
    let (Ok(first), Ok(second)) = (first, second) else {
        panic!("valid fields were rejected");
    };
    assert_eq!(
        decode_all(Encoded::concat([&first, &second]).as_bytes()),
        [
            Frame::Message(Message::new("message", "a", "5")),
            Frame::Message(Message::new("message", "b", "")),
        ]
    );
}

#[test]
fn id_with_both_a_line_break_and_nul_reports_the_line_break() {
    let err = Event::new().id("\0\n").err();
    assert_eq!(
        err.map(|e| (e.field(), e.problem())),
        Some((FieldName::Id, Problem::LineBreak))
    );
}
