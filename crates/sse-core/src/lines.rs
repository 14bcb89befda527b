//! Line splitting shared by the encoder: CRLF is one break, a lone CR and a lone LF are one each.

use memchr::memchr2;

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

/// The number of lines in `text` and the number of bytes they hold, line breaks excluded.
#[inline]
pub(crate) fn measure(text: &[u8]) -> (usize, usize) {
    // Fast path: one memchr2 pass finds no break at all.
    if memchr2(b'\r', b'\n', text).is_none() {
        return (1, text.len());
    }
    let (mut lines, mut bytes) = (0, 0);
    for_each_line(text, |line| {
        lines += 1;
        bytes += line.len();
    });
    (lines, bytes)
}

/// True when `text` contains CR or LF.
#[inline]
pub(crate) fn has_line_break(text: &[u8]) -> bool {
    memchr2(b'\r', b'\n', text).is_some()
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
        for text in ["", "abc", "a\r\nb", "\r\r\n\n", "x\ry\nz\r\n"] {
            let split = lines(text);
            let bytes = split.iter().map(String::len).sum();
            assert_eq!(measure(text.as_bytes()), (split.len(), bytes), "{text:?}");
        }
    }
}
