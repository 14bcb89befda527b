//! Carrying sse-core's frames through `warp::sse::reply`.
//!
//! warp 0.4 has no public way to answer with a stream of bytes of one's own: its body
//! type cannot be built from a stream outside warp, and `warp::sse::reply` is its only
//! streaming reply. That reply writes each `warp::sse::Event` with `Display`, without
//! checking the fields. So each encoded frame is handed over as the `warp::sse::Event`
//! whose `Display` is exactly that frame:
//!
//! | frame starts with | carried as | bytes on the wire |
//! |---|---|---|
//! | `:` (comment) | `comment` = the rest | identical |
//! | `event:` | `event` = the rest | identical |
//! | `id:` | `id` = the rest | identical |
//! | `data:` (data lines only) | `data` = the lines' values | identical |
//! | anything else (`retry:` first) | `comment` = a line break, then the frame | `:` and a line break, then the frame |
//!
//! In the last case the frame is preceded by an empty comment line, which every client
//! ignores: the events read the same, two bytes longer.

use std::borrow::Cow;

use bytes::Bytes;
use warp::sse::Event as WarpEvent;

/// The `warp::sse::Event` that `Display`s as `frame`.
pub(crate) fn carrier(frame: &Bytes) -> WarpEvent {
    let frame = String::from_utf8_lossy(frame);
    if frame == "\n" {
        return WarpEvent::default();
    }
    let fields = frame.strip_suffix("\n\n").unwrap_or(&frame);
    if let Some(rest) = fields.strip_prefix(':') {
        WarpEvent::default().comment(rest)
    } else if let Some(rest) = fields.strip_prefix("event:") {
        WarpEvent::default().event(rest)
    } else if let Some(rest) = fields.strip_prefix("id:") {
        WarpEvent::default().id(rest)
    } else if fields.starts_with("data:") && fields.split('\n').all(|l| l.starts_with("data:")) {
        WarpEvent::default().data(fields["data:".len()..].replace("\ndata:", "\n"))
    } else {
        let rest: Cow<'_, str> = if fields.len() == frame.len() {
            // Not ended by a blank line (never made by sse-core): keep it whole.
            Cow::Borrowed(frame.trim_end_matches('\n'))
        } else {
            Cow::Borrowed(fields)
        };
        WarpEvent::default().comment(format!("\n{rest}"))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sse_core::{Encoded, Event};

    use super::*;

    fn wire(frame: &Encoded) -> String {
        carrier(frame.as_bytes()).to_string()
    }

    #[test]
    fn frames_travel_unchanged() {
        let frames = [
            Event::new().data("plain").encode(),
            Event::new()
                .data(" lead\r\nCRLF\rCR\n\nboth data: data:")
                .encode(),
            Event::new().data("").encode(),
            Event::new()
                .event("named")
                .unwrap()
                .id("7")
                .unwrap()
                .data("x")
                .encode(),
            Event::new().id("only-id").unwrap().encode(),
            Event::new()
                .comment("a\nb")
                .retry(Duration::from_millis(5))
                .encode(),
            Encoded::comment("keep-alive"),
            Event::new().encode(),
            Event::new().data("ünï \u{1F600}").encode(),
        ];
        for frame in &frames {
            assert_eq!(
                wire(frame).as_bytes(),
                frame.as_bytes().as_ref(),
                "{frame:?}"
            );
        }
    }

    #[test]
    fn retry_first_frames_get_an_empty_comment_line() {
        let frame = Event::new()
            .retry(Duration::from_millis(1500))
            .data("d")
            .encode();
        assert_eq!(wire(&frame), ":\nretry: 1500\ndata: d\n\n");
        let without_comments = |bytes: &[u8]| {
            let mut frames = sse_core::decode_all(bytes);
            frames.retain(|f| !matches!(f, sse_core::Frame::Comment(_)));
            frames
        };
        let decoded = without_comments(wire(&frame).as_bytes());
        assert_eq!(decoded, without_comments(frame.as_bytes()));
        assert_eq!(decoded.len(), 2);
    }
}
