//! On any bytes and with any size limit, the decoder never panics and reads what the
//! reference client reads (frames, last event ID, reconnection time), however the bytes
//! are chunked and across a reconnection.
#![no_main]

use std::time::Duration;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sse_core::{Decoder, Frame};

// The same reference client as the fuzz loop in `tests/fuzz.rs`.
#[path = "../../tests/common/client.rs"]
#[allow(dead_code)]
mod client;

use client::Client;

#[derive(Debug, Arbitrary)]
struct Input {
    /// Where to cut the first connection (modulo its length).
    cuts: Vec<u16>,
    /// The size limit; small values make lines and events go over it.
    limit: u8,
    /// Use the default limit instead.
    default_limit: bool,
    /// The first connection's bytes.
    bytes: Vec<u8>,
    /// The second connection's bytes, after `finish`.
    then: Vec<u8>,
}

fn connection<'a>(decoder: &mut Decoder, chunks: impl IntoIterator<Item = &'a [u8]>) -> Vec<Frame> {
    let mut frames = Vec::new();
    for chunk in chunks {
        decoder.push(chunk);
        frames.extend(decoder.by_ref());
    }
    decoder.finish();
    frames.extend(decoder.by_ref());
    frames
}

fuzz_target!(|input: Input| {
    let limit = if input.default_limit {
        Decoder::DEFAULT_MAX_SIZE
    } else {
        usize::from(input.limit)
    };
    let bytes = &input.bytes;
    let mut client = Client::new(limit);
    let first = client.connection(bytes);
    let after_first = (client.last_event_id.clone(), client.reconnection_ms);
    let second = client.connection(&input.then);

    let mut cuts: Vec<usize> = input
        .cuts
        .iter()
        .map(|&c| usize::from(c) % (bytes.len() + 1))
        .collect();
    cuts.sort_unstable();
    let mut pieces = Vec::with_capacity(cuts.len() + 1);
    let mut from = 0;
    for cut in cuts {
        pieces.push(&bytes[from..cut]);
        from = cut;
    }
    pieces.push(&bytes[from..]);

    for (how, chunks) in [
        ("whole", vec![bytes.as_slice()]),
        ("random cuts", pieces),
        ("one byte at a time", bytes.chunks(1).collect()),
    ] {
        let mut decoder = Decoder::new().max_size(limit);
        assert_eq!(connection(&mut decoder, chunks), first, "{how}");
        assert_eq!(decoder.last_event_id(), after_first.0, "{how}");
        assert_eq!(
            decoder.reconnection_time(),
            after_first.1.map(Duration::from_millis),
            "{how}"
        );
        assert_eq!(
            connection(&mut decoder, [input.then.as_slice()]),
            second,
            "{how}: reconnected"
        );
        assert_eq!(
            decoder.last_event_id(),
            client.last_event_id,
            "{how}: reconnected"
        );
        assert_eq!(
            decoder.reconnection_time(),
            client.reconnection_ms.map(Duration::from_millis),
            "{how}: reconnected"
        );
    }
});
