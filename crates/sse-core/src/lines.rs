//! Line splitting shared by the encoder: CRLF is one break, a lone CR and a lone LF are one each.
//!
//! Long text is scanned with `memchr`. Short text (event names, ids, small JSON) is
//! scanned a word at a time, where `memchr`'s set-up would cost more than the scan.
//! Line breaks are counted with `memchr`'s SIMD counters, so that measuring a text of
//! many lines costs a few passes instead of one call per line.

use memchr::{memchr, memchr_iter, memchr2, memchr3};

/// Below this length a word-at-a-time scan beats `memchr`'s set-up.
const SHORT: usize = 64;

/// The lines of a text, as [`measure`] found them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Lines {
    /// How many lines (breaks + 1): the empty text is one empty line.
    pub(crate) count: usize,
    /// How many bytes they hold, line breaks excluded.
    pub(crate) bytes: usize,
    /// Whether any break is a CR (or CRLF); when not, every break is a lone LF.
    pub(crate) has_cr: bool,
}

/// Calls `f` with every line of `text`, split on CRLF, CR and LF.
///
/// A text of `n` line breaks has `n + 1` lines; the empty text is one empty line.
#[inline]
pub(crate) fn for_each_line(text: &[u8], mut f: impl FnMut(&[u8])) {
    let mut rest = text;
    while let Some(pos) = memchr2(b'\r', b'\n', rest) {
        f(&rest[..pos]);
        let skip = if rest[pos] == b'\r' && rest.get(pos + 1) == Some(&b'\n') {
            2
        } else {
            1
        };
        rest = &rest[pos + skip..];
    }
    f(rest);
}

/// Counts the lines of `text` and the bytes they hold, in one pass and without a call
/// per line.
#[inline]
pub(crate) fn measure(text: &[u8]) -> Lines {
    if !has_line_break(text) {
        return Lines {
            count: 1,
            bytes: text.len(),
            has_cr: false,
        };
    }
    let (cr, lf) = count_cr_lf(text);
    let crlf = if cr == 0 { 0 } else { count_crlf(text) };
    Lines {
        count: cr + lf - crlf + 1,
        bytes: text.len() - cr - lf,
        has_cr: cr > 0,
    }
}

/// Writes every line of `text` as `prefix line \n`; `lines` is what [`measure`] said.
#[inline]
pub(crate) fn write_lines(buf: &mut Vec<u8>, prefix: &[u8], text: &[u8], lines: Lines) {
    if lines.count > 1 && !lines.has_cr {
        // Every break is an LF, which is also what ends an output line: copy each line
        // together with its LF.
        let mut rest = text;
        while let Some(pos) = memchr(b'\n', rest) {
            buf.extend_from_slice(prefix);
            buf.extend_from_slice(&rest[..=pos]);
            rest = &rest[pos + 1..];
        }
        text_line(buf, prefix, rest);
    } else if lines.count > 1 {
        for_each_line(text, |line| text_line(buf, prefix, line));
    } else {
        text_line(buf, prefix, text);
    }
}

#[inline]
fn text_line(buf: &mut Vec<u8>, prefix: &[u8], line: &[u8]) {
    buf.extend_from_slice(prefix);
    buf.extend_from_slice(line);
    buf.push(b'\n');
}

/// True when `text` contains CR or LF.
///
/// Not inlined: that keeps the builder's setters small enough to be inlined, so that the
/// compiler builds an event in place instead of moving it through every setter.
#[inline(never)]
pub(crate) fn has_line_break(text: &[u8]) -> bool {
    may_have_control(text) && find_line_break(text)
}

/// True when `text` contains CR, LF or NUL. Not inlined, like [`has_line_break`].
#[inline(never)]
pub(crate) fn has_line_break_or_nul(text: &[u8]) -> bool {
    may_have_control(text) && find_line_break_or_nul(text)
}

#[inline]
fn find_line_break(text: &[u8]) -> bool {
    memchr2(b'\r', b'\n', text).is_some()
}

#[inline]
fn find_line_break_or_nul(text: &[u8]) -> bool {
    memchr3(b'\r', b'\n', 0, text).is_some()
}

/// False when `text` is short and has no byte below `0x0E` (so no CR, LF or NUL):
/// one word-at-a-time test that spares short names, ids and JSON the `memchr` call.
#[inline]
fn may_have_control(text: &[u8]) -> bool {
    text.len() >= SHORT || any_word(text, has_byte_below_0e)
}

/// Whether `test` holds for any of a set of words that together cover every byte of
/// `text` (words may overlap, so `test` must ask whether *some* byte is special).
#[inline]
fn any_word(text: &[u8], test: impl Fn(u64) -> bool) -> bool {
    if let Some(&last) = text.last_chunk::<8>() {
        let (words, _) = text.as_chunks::<8>();
        words.iter().any(|&word| test(u64::from_le_bytes(word))) || test(u64::from_le_bytes(last))
    } else if let (Some(&first), Some(&last)) = (text.first_chunk::<4>(), text.last_chunk::<4>()) {
        // 4 to 7 bytes: two overlapping halves in one word.
        test(u64::from(u32::from_le_bytes(first)) << 32 | u64::from(u32::from_le_bytes(last)))
    } else {
        // 0 to 3 bytes: a word of copies of the first byte, with the others over it.
        let mut word = [text.first().copied().unwrap_or(b' '); 8];
        word[..text.len()].copy_from_slice(text);
        test(u64::from_le_bytes(word))
    }
}

/// Whether any byte of `word` is below `0x0E` (exact for any bound up to `0x80`: the
/// borrow that can make this test see a false small byte only happens above a true one).
#[inline]
const fn has_byte_below_0e(word: u64) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    word.wrapping_sub(ONES * 0x0E) & !word & HIGHS != 0
}

/// The number of CR and of LF bytes (`memchr`'s SIMD counters).
fn count_cr_lf(text: &[u8]) -> (usize, usize) {
    (
        memchr_iter(b'\r', text).count(),
        memchr_iter(b'\n', text).count(),
    )
}

/// Block size for the pair counter: its `u8` counter cannot overflow within one block.
const COUNT_BLOCK: usize = 128;

/// The number of CRLF pairs.
fn count_crlf(text: &[u8]) -> usize {
    let Some(last) = text.len().checked_sub(1) else {
        return 0;
    };
    let (firsts, seconds) = (&text[..last], &text[1..]);
    let mut pairs = 0;
    for (a, b) in firsts.chunks(COUNT_BLOCK).zip(seconds.chunks(COUNT_BLOCK)) {
        let mut n = 0u8;
        for (&x, &y) in a.iter().zip(b) {
            n += u8::from(x == b'\r') & u8::from(y == b'\n');
        }
        pairs += usize::from(n);
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for_each_line(text.as_bytes(), |l| {
            out.push(String::from_utf8(l.to_vec()).unwrap_or_default());
        });
        out
    }

    fn written(text: &str) -> String {
        let mut buf = Vec::new();
        write_lines(&mut buf, b"> ", text.as_bytes(), measure(text.as_bytes()));
        String::from_utf8(buf).unwrap_or_default()
    }

    const SAMPLES: [&str; 9] = [
        "",
        "abc",
        "a\r\nb",
        "\r\r\n\n",
        "x\ry\nz\r\n",
        "a\nb\nc\n",
        "\n",
        "\r",
        "\r\n",
    ];

    /// The samples, and each again made long enough for the `memchr` paths and the
    /// counters' block boundaries.
    fn samples() -> Vec<String> {
        let mut all: Vec<String> = SAMPLES.iter().map(|s| (*s).to_owned()).collect();
        for s in SAMPLES {
            for pad in [SHORT - 1, SHORT, COUNT_BLOCK - 1, COUNT_BLOCK, 300] {
                all.push(format!("{}{s}{s}", "-".repeat(pad)));
                all.push(format!("{s}{}\r{s}", "é".repeat(pad)));
            }
        }
        all
    }

    #[test]
    fn crlf_is_one_break_and_lone_cr_and_lf_are_one_each() {
        assert_eq!(lines("a\r\nb\rc\nd"), ["a", "b", "c", "d"]);
        assert_eq!(lines("\r\n"), ["", ""]);
        assert_eq!(lines("\n\r"), ["", "", ""]);
        assert_eq!(lines("\r\r\n"), ["", "", ""]);
        assert_eq!(lines(""), [""]);
    }

    #[test]
    fn measure_agrees_with_the_split() {
        for text in samples() {
            let split = lines(&text);
            let bytes = split.iter().map(String::len).sum();
            let m = measure(text.as_bytes());
            assert_eq!((m.count, m.bytes), (split.len(), bytes), "{text:?}");
            assert_eq!(m.has_cr, text.contains('\r'), "{text:?}");
        }
    }

    #[test]
    fn write_lines_writes_each_split_line_with_the_prefix() {
        for text in samples() {
            let expected: String = lines(&text).iter().map(|l| format!("> {l}\n")).collect();
            assert_eq!(written(&text), expected, "{text:?}");
        }
    }

    #[test]
    fn break_and_nul_checks_find_every_position_in_short_and_long_text() {
        for len in (0..=17).chain([SHORT - 1, SHORT, SHORT + 9]) {
            let clean = vec![b'a'; len];
            assert!(!has_line_break(&clean));
            assert!(!has_line_break_or_nul(&clean));
            for at in 0..len {
                for (byte, is_break) in [(b'\r', true), (b'\n', true), (0, false)] {
                    let mut text = clean.clone();
                    text[at] = byte;
                    assert_eq!(has_line_break(&text), is_break, "{len} {at} {byte}");
                    assert!(has_line_break_or_nul(&text), "{len} {at} {byte}");
                }
            }
        }
        // Bytes next to the needles do not count, whatever their neighbours.
        let near: Vec<u8> = [0x0b, 0x0c, 0x0e, 0x09, 0x01, 0xff, 0x80, 0x8d, 0x8a]
            .repeat(3)
            .to_vec();
        assert!(!has_line_break(&near));
        assert!(!has_line_break_or_nul(&near));
    }
}
