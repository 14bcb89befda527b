//! The decoder against the spec, rule by rule.

use std::time::Duration;

use super::lines::RETAINED_CAPACITY;
use super::*;

fn messages(input: &[u8]) -> Vec<Message> {
    decode_all(input)
        .into_iter()
        .filter_map(|f| match f {
            Frame::Message(m) => Some(m),
            _ => None,
        })
        .collect()
}

fn bytewise(input: &[u8]) -> Vec<Frame> {
    let mut d = Decoder::new();
    let mut out = Vec::new();
    for b in input {
        d.push(std::slice::from_ref(b));
        out.extend(d.by_ref());
    }
    out
}

#[test]
fn the_spec_examples() {
    let m = messages(b"data: YHOO\ndata: +2\ndata: 10\n\n");
    assert_eq!(m, [Message::new("message", "YHOO\n+2\n10", "")]);

    let m = messages(b": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n");
    assert_eq!(
        m,
        [
            Message::new("message", "first event", "1"),
            Message::new("message", "second event", ""),
            Message::new("message", " third event", ""),
        ]
    );

    let m = messages(b"data\n\ndata\ndata\n\ndata:");
    assert_eq!(
        m,
        [
            Message::new("message", "", ""),
            Message::new("message", "\n", "")
        ]
    );

    let m = messages(b"data:test\n\ndata: test\n\n");
    assert_eq!(
        m,
        [
            Message::new("message", "test", ""),
            Message::new("message", "test", "")
        ]
    );
}

#[test]
fn all_three_line_endings() {
    let m = messages(b"data: a\r\ndata: b\rdata: c\n\r\n");
    assert_eq!(m, [Message::new("message", "a\nb\nc", "")]);
}

#[test]
fn split_anywhere_gives_the_same_frames() {
    let input = "\u{feff}event: ü\r\ndata: 日本\r\nid: 3\r\rretry: 10\r\n: hi\n\ndata: x\r\n\r\n"
        .as_bytes();
    let whole = decode_all(input);
    assert_eq!(bytewise(input), whole);
    assert_eq!(
        whole,
        [
            Frame::Message(Message::new("ü", "日本", "3")),
            Frame::Retry(10),
            Frame::Comment("hi".into()),
            Frame::Message(Message::new("message", "x", "3")),
        ]
    );
}

#[test]
fn a_long_line_in_many_chunks_and_a_crlf_split_after_it() {
    let mut d = Decoder::new();
    d.push(b"data: ");
    for _ in 0..10_000 {
        d.push(b"xxxx");
        assert_eq!(d.next_frame(), None);
    }
    d.push(b"\r");
    d.push(b"\ndata: y\r\n\r\n");
    let expected = format!("{}\ny", "x".repeat(40_000));
    assert_eq!(
        d.next_frame(),
        Some(Frame::Message(Message::new("message", &expected, "")))
    );
    assert_eq!(d.next_frame(), None);
}

#[test]
fn bom_is_stripped_once_even_when_split() {
    let mut d = Decoder::new();
    d.push(b"\xEF");
    d.push(b"\xBB");
    d.push(b"\xBFdata: a\n\n\xEF\xBB\xBFdata: b\n\n");
    let frames: Vec<_> = d.collect();
    assert_eq!(frames, [Frame::Message(Message::new("message", "a", ""))]);
}

#[test]
fn id_with_nul_is_ignored_and_ids_persist() {
    let m = messages(b"id: 1\ndata: a\n\nid: 2\0\ndata: b\n\ndata: c\n\n");
    assert_eq!(
        m.iter()
            .map(|m| m.last_event_id.as_str())
            .collect::<Vec<_>>(),
        ["1", "1", "1"]
    );
}

#[test]
fn id_without_data_sets_last_event_id() {
    let mut d = Decoder::new();
    d.push(b"id: 9\n\n");
    assert_eq!(d.next_frame(), None);
    assert_eq!(d.last_event_id(), "9");
}

#[test]
fn retry_only_digits() {
    let f = decode_all(b"retry: 1x\nretry: -1\nretry:\nretry: 25\nretry:  7\n\n");
    assert_eq!(f, [Frame::Retry(25)]);
}

#[test]
fn incomplete_event_is_discarded_at_end() {
    let mut d = Decoder::new();
    d.push(b"data: complete\n\ndata: partial\n");
    let frames: Vec<_> = d.by_ref().collect();
    d.finish();
    d.push(b"\n");
    assert_eq!(
        frames,
        [Frame::Message(Message::new("message", "complete", ""))]
    );
    assert_eq!(d.next_frame(), None);
}

#[test]
fn invalid_utf8_becomes_replacement() {
    let m = messages(b"data: a\xffb\n\n");
    assert_eq!(m, [Message::new("message", "a\u{fffd}b", "")]);
}

#[test]
fn event_type_resets_after_dispatch_and_on_empty_data() {
    let m = messages(b"event: x\n\ndata: 1\n\nevent: y\ndata: 2\n\ndata: 3\n\n");
    assert_eq!(
        m,
        [
            Message::new("message", "1", ""),
            Message::new("y", "2", ""),
            Message::new("message", "3", "")
        ]
    );
}

// The last event ID: buffer and string.

#[test]
fn an_id_counts_only_once_its_event_ends() {
    let mut d = Decoder::new();
    d.push(b"id: 1\ndata: a\n");
    assert_eq!(d.last_event_id(), "");
    d.push(b"\n");
    assert_eq!(d.last_event_id(), "1");
    d.push(b"id: 2\n");
    assert_eq!(d.last_event_id(), "1");
    let frames: Vec<_> = d.collect();
    assert_eq!(frames, [Frame::Message(Message::new("message", "a", "1"))]);
}

#[test]
fn an_event_cut_off_by_the_end_is_discarded_with_its_id_type_and_data() {
    let mut d = Decoder::new();
    d.push(b"id: 1\ndata: a\n\nid: 2\nevent: lost\ndata: cut");
    d.push(b" off\n");
    d.finish();
    assert_eq!(d.last_event_id(), "1");
    // The next connection starts from the last event ID string, not the lost id.
    d.push(b"data: b\n\n");
    d.finish();
    assert_eq!(
        d.collect::<Vec<_>>(),
        [
            Frame::Message(Message::new("message", "a", "1")),
            Frame::Message(Message::new("message", "b", "1")),
        ]
    );
}

#[test]
fn a_blank_line_without_data_sets_the_id_that_later_events_carry() {
    let mut d = Decoder::new();
    d.push(b"id: 5\n\n");
    assert_eq!(d.next_frame(), None);
    assert_eq!(d.last_event_id(), "5");
    d.finish();
    d.push(b"data: x\n\nid\n\ndata: y\n\n");
    assert_eq!(
        d.collect::<Vec<_>>(),
        [
            Frame::Message(Message::new("message", "x", "5")),
            Frame::Message(Message::new("message", "y", "")),
        ]
    );
}

// The reconnection time.

#[test]
fn reconnection_time_is_the_last_valid_retry_and_outlives_the_stream() {
    let mut d = Decoder::new();
    assert_eq!(d.reconnection_time(), None);
    // Taken when the line is read, without waiting for the end of the event.
    d.push(b"retry: 1500\n");
    assert_eq!(d.reconnection_time(), Some(Duration::from_millis(1500)));
    d.push(b"retry: 2x\nretry:\nretry: 99999999999999999999999\n\n");
    assert_eq!(d.reconnection_time(), Some(Duration::from_millis(1500)));
    d.push(b"retry: 0\n");
    d.finish();
    assert_eq!(d.reconnection_time(), Some(Duration::ZERO));
}

// The size limit.

/// Every frame of `input` fed in the given pieces to a decoder with `limit`.
fn decode_in(limit: usize, pieces: &[&[u8]]) -> Vec<Frame> {
    let mut d = Decoder::new().max_size(limit);
    let mut out = Vec::new();
    for piece in pieces {
        d.push(piece);
        out.extend(d.by_ref());
    }
    d.finish();
    out.extend(d);
    out
}

/// Checks that `input` gives `expected` whole, split at every position, and byte by
/// byte.
fn assert_any_split(limit: usize, input: &[u8], expected: &[Frame]) {
    assert_eq!(decode_in(limit, &[input]), expected, "whole");
    for at in 0..=input.len() {
        let (head, tail) = input.split_at(at);
        assert_eq!(decode_in(limit, &[head, tail]), expected, "split at {at}");
    }
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(decode_in(limit, &bytes), expected, "byte by byte");
}

#[test]
fn a_line_over_the_limit_drops_its_event_up_to_the_next_blank_line() {
    let input =
        b"data: ok\n\nid: 3\ndata: 0123456789\nretry: 5\n: skipped\nid: 4\n\ndata: next\n\n";
    assert_any_split(
        10,
        input,
        &[
            Frame::Message(Message::new("message", "ok", "")),
            Frame::Error(DecodeError::LineTooLong { limit: 10 }),
            Frame::Message(Message::new("message", "next", "")),
        ],
    );
    let mut d = Decoder::new().max_size(10);
    d.push(input);
    assert_eq!(
        d.last_event_id(),
        "",
        "the ids of the dropped event are not taken"
    );
    assert_eq!(
        d.reconnection_time(),
        None,
        "lines after the error are skipped"
    );
}

#[test]
fn a_line_of_exactly_the_limit_is_taken_one_byte_more_is_not() {
    let at_limit = b"data: 0123\n\n"; // the line is 10 bytes
    assert_any_split(
        10,
        at_limit,
        &[Frame::Message(Message::new("message", "0123", ""))],
    );
    let over = b"data: 01234\n\n";
    assert_any_split(
        10,
        over,
        &[Frame::Error(DecodeError::LineTooLong { limit: 10 })],
    );

    // An unfinished line is measured as it grows.
    let mut d = Decoder::new().max_size(10);
    d.push(b"data: 0123");
    assert_eq!(d.next_frame(), None);
    d.push(b"4");
    assert_eq!(
        d.next_frame(),
        Some(Frame::Error(DecodeError::LineTooLong { limit: 10 }))
    );
}

#[test]
fn data_over_the_limit_across_lines_drops_the_event() {
    // "01234\n5678" is 10 bytes: at the limit (and each line is within it).
    assert_any_split(
        10,
        b"data:01234\ndata:5678\n\n",
        &[Frame::Message(Message::new("message", "01234\n5678", ""))],
    );
    assert_any_split(
        10,
        b"id: 1\ndata:01234\ndata:56789\ndata: x\n\ndata: y\n\n",
        &[
            Frame::Error(DecodeError::DataTooLarge { limit: 10 }),
            Frame::Message(Message::new("message", "y", "")),
        ],
    );
}

#[test]
fn one_error_per_dropped_event() {
    let long = format!("data: {}\n", "x".repeat(20));
    let input = format!("{long}{long}data: 0123456789\n\n{long}\n");
    let error = Frame::Error(DecodeError::LineTooLong { limit: 10 });
    assert_any_split(10, input.as_bytes(), &[error.clone(), error]);
}

#[test]
fn the_buffer_stays_bounded_on_an_endless_line() {
    let mut d = Decoder::new().max_size(1024);
    d.push(b"data: ");
    let chunk = [b'x'; 100];
    for _ in 0..10_000 {
        d.push(&chunk);
        assert!(
            d.lines.capacity() <= 4 * (1024 + 100),
            "{}",
            d.lines.capacity()
        );
    }
    d.push(b"\r");
    d.push(b"\n\ndata: ok\n\n");
    assert_eq!(
        d.collect::<Vec<_>>(),
        [
            Frame::Error(DecodeError::LineTooLong { limit: 1024 }),
            Frame::Message(Message::new("message", "ok", "")),
        ]
    );
}

#[test]
fn finish_gives_back_memory_grown_for_a_huge_event() {
    let mut d = Decoder::new();
    let line = format!("data: {}\n", "x".repeat(400 * 1024));
    d.push(
        format!(
            "event: {}\nid: {}\n",
            "e".repeat(100_000),
            "i".repeat(100_000)
        )
        .as_bytes(),
    );
    d.push(line.as_bytes());
    d.push(line.as_bytes());
    d.push(&line.as_bytes()[..300 * 1024]);
    assert!(d.lines.capacity() > 300 * 1024);
    assert!(d.interpreter.capacity() > 1000 * 1024);
    d.finish();
    assert!(
        d.lines.capacity() <= RETAINED_CAPACITY,
        "{}",
        d.lines.capacity()
    );
    assert!(
        d.interpreter.capacity() <= 3 * RETAINED_CAPACITY,
        "{}",
        d.interpreter.capacity()
    );
    // And the decoder works as new.
    d.push(b"data: small\n\n");
    assert_eq!(
        d.next_frame(),
        Some(Frame::Message(Message::new("message", "small", "")))
    );
}

#[test]
fn a_stream_cut_off_while_dropping_an_event_leaves_the_next_one_whole() {
    let mut d = Decoder::new().max_size(10);
    d.push(b"data: 0123456789\ndata: still dropped");
    d.finish();
    d.push(b"data:fresh\n\n");
    assert_eq!(
        d.collect::<Vec<_>>(),
        [
            Frame::Error(DecodeError::LineTooLong { limit: 10 }),
            Frame::Message(Message::new("message", "fresh", "")),
        ]
    );
}

#[test]
fn the_errors_say_what_went_over_which_limit() {
    assert_eq!(
        DecodeError::DataTooLarge { limit: 1024 }.to_string(),
        "event-stream event with more than 1024 bytes of data: it was dropped"
    );
    let err: &dyn std::error::Error = &DecodeError::LineTooLong { limit: 7 };
    assert_eq!(
        err.to_string(),
        "event-stream line longer than 7 bytes: its event was dropped"
    );
}

#[test]
fn the_decoder_and_what_it_yields_move_between_threads() {
    fn assert_send_sync_unpin<T: Send + Sync + Unpin>() {}
    assert_send_sync_unpin::<Decoder>();
    assert_send_sync_unpin::<Frame>();
    assert_send_sync_unpin::<DecodeError>();
}
