//! The decoder never panics on any bytes, and any chunking gives the frames of the whole.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use sse_core::{Decoder, Frame, decode_all};

#[derive(Debug, Arbitrary)]
struct Input {
    /// Where to cut the stream (modulo its length).
    cuts: Vec<u16>,
    bytes: Vec<u8>,
}

fn decode_chunks<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Vec<Frame> {
    let mut decoder = Decoder::new();
    let mut frames = Vec::new();
    for chunk in chunks {
        decoder.push(chunk);
        frames.extend(decoder.by_ref());
    }
    decoder.finish();
    frames
}

fuzz_target!(|input: Input| {
    let bytes = &input.bytes;
    let whole = decode_all(bytes);

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

    assert_eq!(decode_chunks(pieces), whole, "random cuts");
    assert_eq!(decode_chunks(bytes.chunks(1)), whole, "one byte at a time");
});
