//! Bytes in chunks to lines: the spec's line splitting, incremental and bounded.
//!
//! Lines end at CRLF, a lone CR or a lone LF, wherever the chunk boundaries fall (a CR
//! that ends one chunk and an LF that starts the next are one line break). One leading
//! UTF-8 BOM is dropped. A line longer than the limit is reported once, as soon as it
//! is known to be too long, and its bytes are dropped up to its line break, so the
//! buffer never holds more than the limit plus one chunk.

use memchr::memchr2;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The buffer capacity a reader keeps after [`LineReader::reset`].
pub(super) const RETAINED_CAPACITY: usize = 8 * 1024;

/// One step of the line splitting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Line<'a> {
    /// A complete line, without its line break, no longer than the limit.
    Complete(&'a [u8]),
    /// A line longer than the limit: its bytes are dropped up to its line break.
    TooLong,
}

/// Splits a stream fed in chunks into [`Line`]s.
#[derive(Debug, Default)]
pub(super) struct LineReader {
    /// Bytes received but not yet consumed as complete lines.
    buf: Vec<u8>,
    /// Where unconsumed bytes start in `buf`.
    start: usize,
    /// How many bytes after `start` are already known to hold no line break, so that a
    /// long line arriving in many chunks is scanned once, not once per chunk.
    scanned: usize,
    /// The previous chunk ended with CR: an LF at the start of the next one belongs to it.
    after_cr: bool,
    /// The BOM check is done (it only applies to the first bytes of the stream).
    bom_done: bool,
    /// The current line went over the limit and was reported: the rest of it, up to
    /// its line break, is dropped.
    dropping: bool,
}

impl LineReader {
    /// Appends `chunk` and calls `on_line` for every line it completes (and once for a
    /// line it makes too long), in order.
    pub(super) fn push(&mut self, chunk: &[u8], limit: usize, mut on_line: impl FnMut(Line<'_>)) {
        self.buf.extend_from_slice(chunk);
        if !self.bom_done {
            let have = &self.buf[self.start..];
            if have.len() < BOM.len() && BOM.starts_with(have) {
                return; // could still be a BOM: wait for more bytes
            }
            if have.starts_with(BOM) {
                self.start += BOM.len();
            }
            self.bom_done = true;
        }
        loop {
            let rest = &self.buf[self.start..];
            if self.after_cr && !rest.is_empty() {
                self.after_cr = false;
                if rest[0] == b'\n' {
                    self.start += 1;
                    continue;
                }
            }
            let Some(pos) = memchr2(b'\r', b'\n', &rest[self.scanned..]) else {
                self.scanned = rest.len();
                break;
            };
            let line_end = self.start + self.scanned + pos;
            let line = &self.buf[self.start..line_end];
            if self.dropping {
                // The tail of a line already reported as too long.
                self.dropping = false;
            } else if line.len() > limit {
                on_line(Line::TooLong);
            } else {
                on_line(Line::Complete(line));
            }
            self.after_cr = self.buf[line_end] == b'\r';
            self.start = line_end + 1;
            self.scanned = 0;
        }
        // What is left is an unfinished line: drop it if it is (or was) too long.
        let unfinished = self.buf.len() - self.start;
        if !self.dropping && unfinished > limit {
            on_line(Line::TooLong);
            self.dropping = true;
        }
        if self.dropping {
            self.start = self.buf.len();
            self.scanned = 0;
        }
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
    }

    /// Forgets the unfinished line and any stream state (for a new stream), and gives
    /// back buffer memory beyond [`RETAINED_CAPACITY`].
    pub(super) fn reset(&mut self) {
        self.buf.clear();
        self.buf.shrink_to(RETAINED_CAPACITY);
        self.start = 0;
        self.scanned = 0;
        self.after_cr = false;
        self.bom_done = false;
        self.dropping = false;
    }

    /// The buffer's capacity, for tests of the memory bound.
    #[cfg(test)]
    pub(super) fn capacity(&self) -> usize {
        self.buf.capacity()
    }
}
