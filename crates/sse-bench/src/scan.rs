//! A lean event-stream reader for the load client: it finds each dispatched event's
//! first `data` line and remembers the last `id`, without building strings.
//!
//! It reads what the benchmark servers send (lines ended by LF or CRLF); the exact
//! WHATWG parser is [`sse_core::Decoder`], which the demo check uses, and which the tests
//! below hold this scanner to.
//!
//! Why the load client does not use the `Decoder` itself: it must not be what limits the
//! benchmarks (at saturation `raw` keeps the client's CPU at 100 % for 4.9 million
//! deliveries per second, about 200 ns per delivery in all), and the `Decoder` builds a
//! `Message` with owned strings per event. Over a hub peer's stream (`id` and 64 B of
//! data per event, fed in 64 KiB reads), `cargo run --release -p sse-bench --example
//! scan_cost` measured the `Decoder` at 2.1 to 3.7 times this scanner's time per event
//! (120–270 ns against 250–850 ns, in six rounds on the shared, busy 2-CPU machine).

/// Scans event-stream bytes fed in pieces split anywhere.
#[derive(Debug, Default)]
pub struct Scanner {
    /// A line that started in an earlier piece.
    partial: Vec<u8>,
    /// The first `data` line of the event being read (its value).
    data: Vec<u8>,
    has_data: bool,
    last_id: String,
}

impl Scanner {
    /// A scanner at the start of a stream.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The last `id` seen (what a reconnecting client sends as `Last-Event-ID`).
    #[must_use]
    pub fn last_id(&self) -> &str {
        &self.last_id
    }

    /// Sets the last id (a new connection starts from the previous one's).
    pub fn set_last_id(&mut self, id: &str) {
        id.clone_into(&mut self.last_id);
    }

    /// Feeds body bytes; `on_event` receives the first `data` value of each dispatched
    /// event.
    pub fn feed(&mut self, mut input: &[u8], on_event: &mut impl FnMut(&[u8])) {
        while let Some(end) = memchr::memchr(b'\n', input) {
            if self.partial.is_empty() {
                self.line(&input[..end], on_event);
            } else {
                let mut line = std::mem::take(&mut self.partial);
                line.extend_from_slice(&input[..end]);
                self.line(&line, on_event);
                line.clear();
                self.partial = line;
            }
            input = &input[end + 1..];
        }
        self.partial.extend_from_slice(input);
    }

    fn line(&mut self, line: &[u8], on_event: &mut impl FnMut(&[u8])) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            if self.has_data {
                on_event(&self.data);
                self.has_data = false;
            }
        } else if let Some(value) = field(line, b"data") {
            if !self.has_data {
                self.data.clear();
                self.data.extend_from_slice(value);
                self.has_data = true;
            }
        } else if let Some(value) = field(line, b"id") {
            self.last_id.clear();
            self.last_id.push_str(&String::from_utf8_lossy(value));
        }
    }
}

/// The value of `line` when it is field `name` (`name:value`, one leading space dropped).
fn field<'a>(line: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    let rest = line.strip_prefix(name)?.strip_prefix(b":")?;
    Some(rest.strip_prefix(b" ").unwrap_or(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_ids_and_noise_split_anywhere() {
        let wire = b": keep-alive\n\nid: e-1\n\nevent: x\nid: e-2\ndata: 1 2\ndata: more\n\nretry: 5\r\ndata:3 4\r\n\r\n";
        for split in 0..wire.len() {
            let mut scanner = Scanner::new();
            let mut events = Vec::new();
            let mut ids = Vec::new();
            for piece in [&wire[..split], &wire[split..]] {
                scanner.feed(piece, &mut |d| events.push(d.to_vec()));
                ids.push(scanner.last_id().to_owned());
            }
            assert_eq!(
                events,
                [b"1 2".to_vec(), b"3 4".to_vec()],
                "split at {split}"
            );
            assert_eq!(scanner.last_id(), "e-2");
        }
    }

    /// What [`sse_core::Decoder`] makes of `wire`: each message's data and the last
    /// event id after it.
    fn decoded(wire: &[u8]) -> Vec<(Vec<u8>, String)> {
        sse_core::decode_all(wire)
            .into_iter()
            .filter_map(|frame| match frame {
                sse_core::Frame::Message(m) => Some((m.data.into_bytes(), m.last_event_id)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn agrees_with_the_decoder_on_what_the_benchmark_servers_send() {
        // One data line per event, as every benchmark peer sends; ids, comments, retry
        // and named events between them; LF and CRLF line ends.
        let wire: &[u8] = b": hi\n\nretry: 3000\nid: 1\ndata: 1 100 xx\n\nevent: tick\ndata: 2 200\n\n\
            : keep-alive\n\nid: 3\r\ndata: 3 300\r\n\r\nid:4\ndata:4 400\n\nid: 5\ndata:  5 500\n\n";
        let expected = decoded(wire);
        assert_eq!(expected.len(), 5);
        for split in 0..wire.len() {
            let mut scanner = Scanner::new();
            let mut events = Vec::new();
            for piece in [&wire[..split], &wire[split..]] {
                scanner.feed(piece, &mut |d| events.push(d.to_vec()));
            }
            let datas: Vec<Vec<u8>> = expected.iter().map(|(d, _)| d.clone()).collect();
            assert_eq!(events, datas, "split at {split}");
            assert_eq!(scanner.last_id(), expected[4].1);
        }
    }

    #[test]
    fn an_unfinished_event_is_not_dispatched() {
        let mut scanner = Scanner::new();
        let mut n = 0;
        scanner.feed(b"data: 1 2\n", &mut |_| n += 1);
        assert_eq!(n, 0);
        scanner.feed(b"\n", &mut |_| n += 1);
        assert_eq!(n, 1);
    }
}
