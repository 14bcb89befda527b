//! Keep-alive settings: what to send after how long a silence.

use std::time::Duration;

use crate::{Encoded, Event};

/// Sends a frame after `interval` without any event, so that proxies and load
/// balancers do not close an idle stream and a client notices a dead connection.
///
/// The default is a `: keep-alive` comment every 15 seconds. The timer restarts after
/// every frame sent, events and keep-alives alike.
///
/// ```
/// use std::time::Duration;
/// use sse_core::{Event, KeepAlive};
///
/// let comment = KeepAlive::new().interval(Duration::from_secs(5)).text("ping");
/// assert_eq!(comment.frame().as_bytes().as_ref(), b": ping\n\n");
///
/// // A named event instead of a comment, for clients that want to see heartbeats.
/// let event = KeepAlive::new().event(&Event::new().event("heartbeat")?.data(""));
/// assert_eq!(event.frame().as_bytes().as_ref(), b"event: heartbeat\ndata: \n\n");
/// # Ok::<(), sse_core::InvalidField>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct KeepAlive {
    interval: Duration,
    frame: Encoded,
}

impl KeepAlive {
    /// A `: keep-alive` comment every 15 seconds.
    pub fn new() -> Self {
        Self {
            interval: Duration::from_secs(15),
            frame: Encoded::comment("keep-alive"),
        }
    }

    /// Sets the silence after which a keep-alive is sent. A zero interval means no
    /// keep-alive at all: a stream given such a `KeepAlive` sends no keep-alive frames
    /// (never one frame after another without a pause).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Sends a comment with this text (split on line breaks like any comment).
    pub fn text(mut self, text: &str) -> Self {
        self.frame = Encoded::comment(text);
        self
    }

    /// Sends this event instead of a comment.
    pub fn event(mut self, event: &Event) -> Self {
        self.frame = event.encode();
        self
    }

    /// The silence after which a keep-alive is sent.
    #[must_use]
    pub const fn get_interval(&self) -> Duration {
        self.interval
    }

    /// The frame that is sent.
    #[must_use]
    pub const fn frame(&self) -> &Encoded {
        &self.frame
    }
}

impl Default for KeepAlive {
    fn default() -> Self {
        Self::new()
    }
}
