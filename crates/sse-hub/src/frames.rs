//! The frames the hub makes itself: where a live stream starts, and `reset`.
//!
//! (The `retry:` hints at the end of a stream are [`Encoded::retry`] frames.)

use sse_core::{Encoded, Event, EventName};

use crate::{EventId, ResetReason};

/// The name of the event that tells a client its `Last-Event-ID` could not be resumed.
const RESET: EventName = EventName::from_static("reset");

/// The frame that tells a live subscriber where it starts: `id: <position>` alone,
/// which sets the client's last event id and dispatches nothing.
pub(crate) fn position(id: EventId) -> Encoded {
    Event::new().with_id(id.field()).encode()
}

/// The `reset` event: `event: reset`, `id:` the position the stream continues from
/// (when there is one), `data:` the reason.
pub(crate) fn reset(reason: ResetReason, id: Option<EventId>) -> Encoded {
    let event = Event::new().with_event(RESET).data(reason.as_str());
    match id {
        Some(id) => event.with_id(id.field()).encode(),
        None => event.encode(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(frame: &Encoded) -> &str {
        std::str::from_utf8(frame.as_bytes()).unwrap()
    }

    #[test]
    fn frames_are_exact() {
        let id = EventId::new([0, 7], "e-7").unwrap();
        assert_eq!(text(&position(id)), "id: e-7\n\n");
        assert_eq!(
            text(&reset(ResetReason::Expired, Some(id))),
            "event: reset\nid: e-7\ndata: expired\n\n"
        );
        assert_eq!(
            text(&reset(ResetReason::Unknown, None)),
            "event: reset\ndata: unknown\n\n"
        );
    }
}
