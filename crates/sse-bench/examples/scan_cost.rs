//! What reading an event stream costs the load client per event: its `Scanner` against
//! `sse_core::Decoder`, over the bytes a hub peer sends (an `id` and 64 B of data per
//! event), fed in 64 KiB reads as the client reads them. Prints ns per event, three
//! rounds.
//!
//! `cargo run --release -p sse-bench --example scan_cost`

use std::hint::black_box;
use std::time::Instant;

use sse_bench::payload;
use sse_bench::scan::Scanner;
use sse_core::{Decoder, Frame};

const EVENTS: u32 = 1_000_000;
const READ: usize = 64 * 1024;

/// The sum of the sequence numbers the scanner finds, and ns per event.
fn scan(wire: &[u8]) -> (u64, f64) {
    let start = Instant::now();
    let mut scanner = Scanner::new();
    let mut sum = 0;
    for piece in wire.chunks(READ) {
        scanner.feed(piece, &mut |data| {
            sum += payload::parse(data).map_or(0, |(seq, _)| seq);
        });
    }
    (sum, per_event(start))
}

/// The same through the decoder.
fn decode(wire: &[u8]) -> (u64, f64) {
    let start = Instant::now();
    let mut decoder = Decoder::new();
    let mut sum = 0;
    for piece in wire.chunks(READ) {
        decoder.push(piece);
        while let Some(frame) = decoder.next_frame() {
            if let Frame::Message(m) = frame {
                sum += payload::parse(m.data.as_bytes()).map_or(0, |(seq, _)| seq);
            }
        }
    }
    (sum, per_event(start))
}

fn per_event(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e9 / f64::from(EVENTS)
}

fn main() {
    let mut wire = Vec::new();
    for seq in 0..u64::from(EVENTS) {
        let data = payload::make(seq, 1_700_000_000_123_456_789, 64);
        wire.extend_from_slice(format!("id: {seq}\ndata: {data}\n\n").as_bytes());
    }
    for round in 1..=3 {
        let (a, scanned) = scan(black_box(&wire));
        let (b, decoded) = decode(black_box(&wire));
        assert_eq!(a, b, "both read every event");
        println!(
            "round {round}: Scanner {scanned:.0} ns/event, Decoder {decoded:.0} ns/event ({:.1}×)",
            decoded / scanned
        );
    }
}
